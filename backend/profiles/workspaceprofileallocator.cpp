#include "workspaceprofileallocator.h"

#include "credentialissuer.h"

#include "core/clock.h"
#include "store/auditlog.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QJsonObject>

namespace simfleet::profiles {

WorkspaceProfileAllocator::WorkspaceProfileAllocator(store::Workspace &workspace, access::Session by, store::OperatorRecord op)
    : m_workspace(workspace), m_by(std::move(by)), m_operator(std::move(op))
{
}

Result<DownloadOrder> WorkspaceProfileAllocator::operator()(const QString &orderedBy) const
{
    const QDateTime now = m_workspace.clock().now();
    DownloadOrder order;
    const store::SecretVault &vault = m_workspace.vault();
    auto allocated = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto made = CredentialIssuer::allocate(db, vault, m_operator.id, 1);
        if (!made)
            return made.error();
        order.profile = std::move(made.value().first());
        return store::AuditLog::record(db, now, m_by.author(), QStringLiteral("operator.es2plus-order"),
                                       QStringLiteral("operator:%1").arg(m_operator.name),
                                       { { QStringLiteral("iccid"), order.profile.iccid },
                                         { QStringLiteral("imsi"), order.profile.imsi },
                                         { QStringLiteral("ordered_by"), orderedBy },
                                         { QStringLiteral("function"), QStringLiteral("ES2+.DownloadOrder") } });
    });
    if (!allocated)
        return allocated.error();
    order.metadata.serviceProviderName = m_operator.name;
    order.metadata.plmn = m_operator.mcc + m_operator.mnc;
    order.metadata.fallbackAllowed = m_operator.fallbackAllowed;
    return order;
}

} // namespace simfleet::profiles
