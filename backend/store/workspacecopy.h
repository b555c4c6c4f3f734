#pragma once

#include "core/result.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace simfleet::store {

struct WorkspaceCopyReport
{
    QMap<QString, qint64> rows; // per table, copied (and counted again on the server)
    qint64 auditEntries = 0;    // the audit chain, verified intact on the server
    QStringList users;          // whose login roles await a password (README "Moving in")
};

// Moves a workspace file onto a team's PostgreSQL server (issue 22 "Moving in"): into an empty
// database, as a superuser or a role with CREATEROLE (the owner role, as for init). Every row
// keeps its id, so every secret stays sealed as it was (a sealed value is bound to its table, row
// and column) and opens with the same passphrase and the same users' key slots; the audit chain
// is copied entry for entry and verified on the server before the copy counts. The file is read
// in one read transaction, so a copy taken while the file is in use is consistent.
// Users' passwords are known only to them: their login roles are created without one, and the
// owner gives each a password (users password NAME), which replaces their key slot too.
class WorkspaceCopy
{
public:
    static Result<WorkspaceCopyReport> toServer(const QString &fromFile, const QString &toAddress);
};

} // namespace simfleet::store
