#pragma once

#include "core/result.h"

class QSqlDatabase;

namespace simfleet::store {

// SQLite's application_id for simfleet workspaces ("SFLT"), so a foreign SQLite file is
// recognised as such before anything is written to it.
inline constexpr int workspaceApplicationId = 0x53464C54;

// The schema version this build writes; migrations bring any earlier workspace up to it.
int currentSchemaVersion();

// Reads user_version and applies every migration above it, each in its own transaction
// together with the new user_version, so a crash leaves the workspace at a whole version.
Result<int> migrate(QSqlDatabase &db);

} // namespace simfleet::store
