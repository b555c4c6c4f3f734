#pragma once

#include "session.h"
#include "core/result.h"
#include "crypto/kdf.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace simfleet::store {
class Workspace;
struct UserRecord;
}

namespace simfleet::access {

struct NewUser
{
    QString name;
    Role role = Role::Viewer;
    QString operatorName; // the account manager's operator; empty for the other roles
    QByteArray password;
};

// A user as an Administrator sees them; never a hash, a salt or a key.
struct UserSummary
{
    QString name;
    Role role = Role::Viewer;
    QString operatorName;
    QDateTime lastLoginAt;
    int failedLogins = 0;
    QDateTime lockedUntil;
};

// Users, logins and sessions (DESIGN.md "Access"). Lives on the thread that owns the workspace.
class AccessService
{
public:
    explicit AccessService(store::Workspace &workspace);

    // After this many wrong passwords in a row a user's logins are refused for 30 s, doubling
    // with every further failure up to 15 minutes.
    static constexpr int freeAttempts = 3;
    static constexpr qint64 defaultIdleMinutes = 30;

    // Checks the password (scrypt), counts a failure or clears the count, and for roles that
    // work with secrets opens the user's key slot, which unlocks the workspace. A wrong name
    // and a wrong password get the same answer and cost the same time.
    Result<Session> login(const QString &name, QByteArrayView password);
    // The one answer to every refused login: unknown name, wrong password, locked name.
    static QString loginRefusal();
    // Whether password is this user's, by the scrypt check alone (nothing is written or opened):
    // proving a role to a workspace that cannot be logged in to yet (WorkspaceUpgrade).
    static Result<bool> passwordMatches(const store::UserRecord &user, QByteArrayView password);
    // The workspace owner: whoever unlocked it with its passphrase (or the demo's key file).
    // Acts as an Administrator.
    Result<Session> ownerSession();

    Result<void> addUser(const Session &by, const NewUser &user);
    Result<void> removeUser(const Session &by, const QString &name);
    // A change to a role that works with secrets needs a new password: it protects the key slot.
    Result<void> setRole(const Session &by, const QString &name, Role role, const QString &operatorName,
                         const std::optional<QByteArray> &newPassword);
    // Users change their own password; Administrators anyone's.
    Result<void> setPassword(const Session &by, const QString &name, QByteArrayView password);
    Result<QList<UserSummary>> users(const Session &by);

    // How long a session may stay idle (workspace setting session_idle_minutes; 0 = never ends).
    qint64 idleMinutes() const;
    Result<void> setIdleMinutes(const Session &by, qint64 minutes);

    // Key derivation for users added from now on; defaults to the workspace passphrase's.
    void setKeyDerivation(crypto::ScryptParameters parameters) { m_keyDerivation = parameters; }

private:
    struct Credentials;
    Result<store::UserRecord> findUser(const QString &name) const;
    // Refuses when the user leaving the Administrator role is its last holder.
    Result<void> keepAnAdministrator(const store::UserRecord &leaving) const;
    // The password check, key slot and signing key for a password the policy accepts; keeps
    // keepSigningKey when given, else makes a new one.
    Result<Credentials> makeCredentials(const QString &name, Role role, QByteArrayView password,
                                        const crypto::EcPrivateKey &keepSigningKey) const;
    Result<std::optional<qint64>> operatorFor(Role role, const QString &operatorName) const;

    store::Workspace &m_workspace;
    std::optional<crypto::ScryptParameters> m_keyDerivation;
};

} // namespace simfleet::access
