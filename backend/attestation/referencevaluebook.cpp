#include "referencevaluebook.h"

#include "access/session.h"
#include "core/clock.h"
#include "store/auditlog.h"
#include "store/referencevaluerepository.h"
#include "store/storewriter.h"

#include <functional>
#include "store/workspace.h"

namespace simfleet::attestation {

namespace {

Result<void> audited(store::Workspace &workspace, const access::Session &by, const QString &action, const QString &subject,
                     const std::function<Result<void>(store::ReferenceValueRepository &)> &change)
{
    if (auto ok = by.require(access::Permission::ManageReferenceValues, workspace.clock()); !ok)
        return ok;
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::ReferenceValueRepository references(db);
        if (auto ok = change(references); !ok)
            return ok;
        store::AuditEntry entry;
        entry.at = now;
        entry.action = action;
        entry.subject = subject;
        auto appended = store::AuditLog::append(db, entry, author);
        return appended ? Result<void>() : Result<void>(appended.error());
    });
}

} // namespace

Result<void> ReferenceValueBook::add(store::Workspace &workspace, const access::Session &by,
                                     const store::ReferenceValueRecord &values)
{
    return audited(workspace, by, QStringLiteral("reference-values.add"),
                   QStringLiteral("model:") + values.hwmodel + u' ' + values.swversion,
                   [&](store::ReferenceValueRepository &references) -> Result<void> {
                       auto added = references.add(values);
                       return added ? Result<void>() : Result<void>(added.error());
                   });
}

Result<void> ReferenceValueBook::retire(store::Workspace &workspace, const access::Session &by, const QString &hwmodel,
                                        const QString &swversion)
{
    const QDateTime now = workspace.clock().now();
    return audited(workspace, by, QStringLiteral("reference-values.retire"), QStringLiteral("model:") + hwmodel + u' ' + swversion,
                   [&](store::ReferenceValueRepository &references) { return references.retire(hwmodel, swversion, now); });
}

} // namespace simfleet::attestation
