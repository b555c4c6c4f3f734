#include "audittrail.h"

#include "session.h"
#include "store/workspace.h"

namespace simfleet::access {

Result<store::AuditVerification> AuditTrail::verify(store::Workspace &workspace, const Session &by)
{
    if (auto ok = by.require(Permission::VerifyAudit, workspace.clock()); !ok)
        return ok.error();
    QSqlDatabase db = workspace.database();
    return store::AuditLog::verify(db);
}

Result<QList<store::AuditEntry>> AuditTrail::read(store::Workspace &workspace, const Session &by, const QString &search,
                                                 qint64 beforeSeq, int limit)
{
    if (auto ok = by.require(Permission::ViewAudit, workspace.clock()); !ok)
        return ok.error();
    QSqlDatabase db = workspace.database();
    return store::AuditLog::newestFirst(db, search, beforeSeq, limit);
}

} // namespace simfleet::access
