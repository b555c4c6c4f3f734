#pragma once

#include "core/result.h"

#include <QList>

class QSqlDatabase;

namespace simfleet::store {

// SQLite's application_id for simfleet workspaces ("SFLT"), so a foreign SQLite file is
// recognised as such before anything is written to it.
inline constexpr int workspaceApplicationId = 0x53464C54;

// Whether the file behind db is a simfleet workspace this build can open (or an empty new
// file), without writing anything. Returns its schema version (0 for an empty file).
Result<int> checkWorkspaceIdentity(QSqlDatabase &db);

// The schema version this build writes; migrations bring any earlier workspace up to it.
int currentSchemaVersion();
// Every version a migration leads to, in order; branches may leave gaps until they merge.
QList<int> schemaVersions();

// Reads user_version and applies every migration above it up to targetVersion, each in its own
// transaction together with the new user_version, so a crash leaves the workspace at a whole
// version. Tests pass an earlier target to build workspaces as older releases wrote them.
Result<int> migrate(QSqlDatabase &db, int targetVersion = currentSchemaVersion());

} // namespace simfleet::store
