#pragma once

#include "core/result.h"
#include "store/auditcheckpoint.h"
#include "store/auditlog.h"

#include <QList>

namespace simfleet::store {
class Workspace;
}

namespace simfleet::access {

class Session;

// The audit log as users may see it: reading takes ViewAudit, checking the chain VerifyAudit.
// Entries name devices of every operator, so operator account managers see neither.
class AuditTrail
{
public:
    static Result<store::AuditVerification> verify(store::Workspace &workspace, const Session &by,
                                                   const store::AuditCheckpoint *against = nullptr);
    // The log's head, signed by the caller, to keep outside the workspace file; refused when the
    // log is not intact. Takes VerifyAudit.
    static Result<store::AuditCheckpoint> checkpoint(store::Workspace &workspace, const Session &by);
    // Newest first, before entry beforeSeq (0: from the newest), filtered by user, action or
    // subject containing search.
    static Result<QList<store::AuditEntry>> read(store::Workspace &workspace, const Session &by, const QString &search,
                                                 qint64 beforeSeq, int limit);
};

} // namespace simfleet::access
