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

Result<QList<store::AuditEntry>> AuditTrail::read(store::Workspace &workspace, const Session &by, qint64 afterSeq, int limit)
{
    if (auto ok = by.require(Permission::ViewAudit, workspace.clock()); !ok)
        return ok.error();
    QSqlDatabase db = workspace.database();
    return store::AuditLog::list(db, afterSeq, limit);
}

} // namespace simfleet::access
