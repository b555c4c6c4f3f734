#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace simfleet::store {

// One person who may log in to the workspace (DESIGN.md "Access"). The password itself is never
// stored: scrypt with the user's salt and parameters gives the check and, for roles that work
// with secrets, the key that wraps the user's copy of the data key.
struct UserRecord
{
    qint64 id = 0;
    QString name;
    QString role; // administrator, operations, operator-account-manager, viewer
    std::optional<qint64> operatorId; // the account manager's operator
    QByteArray passwordHash; // the first 32 bytes scrypt gives
    QByteArray passwordSalt;
    quint64 kdfN = 32768;
    quint32 kdfR = 8;
    quint32 kdfP = 1;
    QByteArray wrappedDataKey; // empty for roles without secrets
    // After a rekey: the new data key sealed to the user's public key, taken into
    // wrappedDataKey at their next login (store::WorkspaceRekey).
    QByteArray pendingKeySlot;
    // The key the user signs audit entries with: public point, and private key wrapped under the
    // key the password derives. Empty for a user of an older workspace until their next login.
    QByteArray signingKey;
    QByteArray wrappedSigningKey;
    int failedLogins = 0;
    QDateTime lockedUntil; // invalid when not locked
    QDateTime lastLoginAt;
};

class UserRepository
{
public:
    explicit UserRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<qint64> insert(const UserRecord &user, const QDateTime &at);
    Result<std::optional<UserRecord>> findByName(const QString &name);
    // Name, role and password check only, read by the columns every schema since version 5 has:
    // what proving a role to an older workspace before its upgrade takes.
    Result<std::optional<UserRecord>> passwordCheckOf(const QString &name);
    Result<QList<UserRecord>> list();
    Result<qint64> count();
    Result<qint64> countWithRole(const QString &role);

    // One more failed login, counted in one statement; returns the count now.
    Result<int> countFailedLogin(qint64 userId);
    Result<void> lockUntil(qint64 userId, const QDateTime &lockedUntil);
    Result<void> recordLogin(qint64 userId, const QDateTime &at);
    Result<void> setRole(qint64 userId, const QString &role, std::optional<qint64> operatorId,
                         const QByteArray &wrappedDataKey);
    // The pending key slot taken up: the data key wrapped under the user's password from now on.
    Result<void> takeUpKeySlot(qint64 userId, const QByteArray &wrappedDataKey);
    // Password check, key slot and signing key together.
    Result<void> setPassword(qint64 userId, const UserRecord &credentials);
    // A signing key for a user of an older workspace, only while they have none.
    Result<void> setFirstSigningKey(qint64 userId, const QByteArray &publicPoint, const QByteArray &wrapped);
    Result<void> remove(qint64 userId);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
