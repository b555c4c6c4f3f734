#include "session.h"

#include "core/clock.h"

#include <atomic>

namespace simfleet::access {

struct Session::Activity
{
    std::atomic<qint64> lastMs { 0 };
    qint64 idleLimitMs = 0; // 0: never expires
};

Session::Session(qint64 userId, QString name, Role role, std::optional<qint64> operatorId,
                 crypto::EcPrivateKey signingKey, qint64 idleLimitSeconds, const Clock &clock)
    : m_userId(userId), m_name(std::move(name)), m_role(role), m_operatorId(operatorId),
      m_signingKey(std::move(signingKey)), m_activity(std::make_shared<Activity>())
{
    m_activity->lastMs = clock.now().toMSecsSinceEpoch();
    m_activity->idleLimitMs = idleLimitSeconds * 1000;
}

QString Session::describe() const
{
    return QStringLiteral("%1 (%2)").arg(m_name, roleTitle(m_role));
}

store::Scope Session::scope() const
{
    // Only an account manager's view is narrowed; an account manager without an operator (the
    // workspace forbids it) would see nothing rather than everything.
    if (m_role == Role::OperatorAccountManager)
        return store::Scope(m_operatorId.value_or(-1));
    return store::Scope();
}

bool Session::isExpired(const Clock &clock) const
{
    if (!m_activity || m_activity->idleLimitMs <= 0)
        return false;
    return clock.now().toMSecsSinceEpoch() - m_activity->lastMs.load() > m_activity->idleLimitMs;
}

Result<void> Session::require(Permission permission, const Clock &clock) const
{
    if (!m_activity)
        return failWith(ErrorCode::NotPermitted, QStringLiteral("nobody is logged in"));
    if (isExpired(clock))
        return failWith(ErrorCode::SessionExpired,
                        QStringLiteral("the session of %1 ended after %2 minutes without activity; log in again")
                            .arg(m_name)
                            .arg(m_activity->idleLimitMs / 60000));
    if (!roleAllows(m_role, permission))
        return failWith(ErrorCode::NotPermitted,
                        QStringLiteral("%1 is not permitted to %2; ask an Administrator (allowed: %3)")
                            .arg(describe(), permissionAction(permission), rolesAllowedTitle(permission)));
    m_activity->lastMs = clock.now().toMSecsSinceEpoch();
    return {};
}

} // namespace simfleet::access
