#pragma once

#include "role.h"
#include "permission.h"
#include "core/result.h"
#include "store/auditauthor.h"
#include "store/scope.h"

#include <QString>

#include <memory>
#include <optional>

namespace simfleet {
class Clock;
}

namespace simfleet::access {

// The acting user of every backend service call. Made only by AccessService: by a login with a
// password, or for the workspace owner, who proved the passphrase. Copies share one activity
// clock, so a session ends after its idle time whichever copy was used last.
class Session
{
public:
    qint64 userId() const { return m_userId; } // 0 for the workspace owner
    const QString &name() const { return m_name; }
    Role role() const { return m_role; }
    std::optional<qint64> operatorId() const { return m_operatorId; }
    bool isOwner() const { return m_userId == 0; }
    // "anna (Viewer)", for messages and the status bar; the audit log records name().
    QString describe() const;
    // What this user's queries may see.
    store::Scope scope() const;
    // Who the audit log names for this session's changes, with the key that signs them; it
    // opened with the user's password (the owner's with the passphrase).
    store::AuditAuthor author() const { return store::AuditAuthor { m_name, m_signingKey }; }

    // The check every service call makes before it reads or writes: the role allows it and the
    // session has not been idle too long. On success the session counts as active again.
    // Refusals carry the code "not-permitted" or "session-expired".
    Result<void> require(Permission permission, const Clock &clock) const;
    bool allows(Permission permission) const { return roleAllows(m_role, permission); }
    bool isExpired(const Clock &clock) const;

private:
    friend class AccessService;
    struct Activity;
    Session(qint64 userId, QString name, Role role, std::optional<qint64> operatorId, crypto::EcPrivateKey signingKey,
            qint64 idleLimitSeconds, const Clock &clock);

    qint64 m_userId = 0;
    QString m_name;
    Role m_role = Role::Viewer;
    std::optional<qint64> m_operatorId;
    crypto::EcPrivateKey m_signingKey;
    std::shared_ptr<Activity> m_activity;
};

} // namespace simfleet::access
