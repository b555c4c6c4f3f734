#include "audittrail.h"

#include "session.h"
#include "core/clock.h"
#include "store/workspace.h"

namespace simfleet::access {

Result<store::AuditVerification> AuditTrail::verify(store::Workspace &workspace, const Session &by,
                                                   const store::AuditCheckpoint *against)
{
    if (auto ok = by.require(Permission::VerifyAudit, workspace.clock()); !ok)
        return ok.error();
    QSqlDatabase db = workspace.database();
    return store::AuditLog::verify(db, against);
}

Result<store::AuditCheckpoint> AuditTrail::checkpoint(store::Workspace &workspace, const Session &by)
{
    auto verified = verify(workspace, by);
    if (!verified)
        return verified.error();
    return store::AuditCheckpoint::take(workspace.info().name, verified.value(), by.author(), workspace.clock().now());
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
