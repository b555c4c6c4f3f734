#include "userrepository.h"

#include "core/clock.h"
#include "sqlhelpers.h"

#include <QSqlQuery>
#include <QVariant>

namespace simfleet::store {

namespace {

const QString userColumns = QStringLiteral(
    "SELECT id, name, role, operator_id, password_hash, password_salt, kdf_n, kdf_r, kdf_p, wrapped_data_key,"
    " failed_logins, locked_until, last_login_at, signing_key, wrapped_signing_key, pending_key_slot FROM app_user");

QDateTime timeFrom(const QVariant &v)
{
    return v.isNull() ? QDateTime() : QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

QVariant timeValue(const QDateTime &t)
{
    return t.isValid() ? QVariant(storedTime(t)) : QVariant(QMetaType(QMetaType::QString));
}

QVariant blobValue(const QByteArray &b)
{
    return b.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(b);
}

UserRecord readUser(const QSqlQuery &q)
{
    UserRecord u;
    u.id = q.value(0).toLongLong();
    u.name = q.value(1).toString();
    u.role = q.value(2).toString();
    u.operatorId = optionalFrom<qint64>(q.value(3));
    u.passwordHash = q.value(4).toByteArray();
    u.passwordSalt = q.value(5).toByteArray();
    u.kdfN = quint64(q.value(6).toLongLong());
    u.kdfR = quint32(q.value(7).toLongLong());
    u.kdfP = quint32(q.value(8).toLongLong());
    u.wrappedDataKey = q.value(9).toByteArray();
    u.failedLogins = q.value(10).toInt();
    u.lockedUntil = timeFrom(q.value(11));
    u.lastLoginAt = timeFrom(q.value(12));
    u.signingKey = q.value(13).toByteArray();
    u.wrappedSigningKey = q.value(14).toByteArray();
    u.pendingKeySlot = q.value(15).toByteArray();
    return u;
}

Result<qint64> single(QSqlQuery &q)
{
    if (!q.next())
        return fail(QStringLiteral("counting users gave no answer"));
    return q.value(0).toLongLong();
}

} // namespace

Result<qint64> UserRepository::insert(const UserRecord &u, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO app_user (name, role, operator_id, password_hash, password_salt,"
                                         " kdf_n, kdf_r, kdf_p, wrapped_data_key, created_at, signing_key, wrapped_signing_key)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                          { u.name, u.role, optionalValue(u.operatorId), u.passwordHash, u.passwordSalt, qint64(u.kdfN),
                            qint64(u.kdfR), qint64(u.kdfP), blobValue(u.wrappedDataKey), storedTime(at),
                            blobValue(u.signingKey), blobValue(u.wrappedSigningKey) },
                          "adding a user");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<std::optional<UserRecord>> UserRepository::passwordCheckOf(const QString &name)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT id, name, role, password_hash, password_salt, kdf_n, kdf_r, kdf_p FROM"
                                         " app_user WHERE name = ?"),
                          { name }, "looking up a user");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<UserRecord>();
    UserRecord u;
    u.id = q.value(0).toLongLong();
    u.name = q.value(1).toString();
    u.role = q.value(2).toString();
    u.passwordHash = q.value(3).toByteArray();
    u.passwordSalt = q.value(4).toByteArray();
    u.kdfN = quint64(q.value(5).toLongLong());
    u.kdfR = quint32(q.value(6).toLongLong());
    u.kdfP = quint32(q.value(7).toLongLong());
    return std::optional<UserRecord>(u);
}

Result<std::optional<UserRecord>> UserRepository::findByName(const QString &name)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, userColumns + QStringLiteral(" WHERE name = ?"), { name }, "looking up a user"); !ok)
        return ok.error();
    if (!q.next())
        return std::optional<UserRecord>();
    return std::optional<UserRecord>(readUser(q));
}

Result<QList<UserRecord>> UserRepository::list()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, userColumns + QStringLiteral(" ORDER BY name"), {}, "listing users"); !ok)
        return ok.error();
    QList<UserRecord> out;
    while (q.next())
        out.append(readUser(q));
    return out;
}

Result<qint64> UserRepository::count()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT count(*) FROM app_user"), {}, "counting users"); !ok)
        return ok.error();
    return single(q);
}

Result<qint64> UserRepository::countWithRole(const QString &role)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT count(*) FROM app_user WHERE role = ?"), { role }, "counting users");
        !ok)
        return ok.error();
    return single(q);
}

Result<int> UserRepository::countFailedLogin(qint64 userId)
{
    // RETURNING: SQLite 3.35 and PostgreSQL alike.
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins"),
                          { userId }, "counting a failed login");
        !ok)
        return ok.error();
    if (!q.next())
        return fail(QStringLiteral("there is no user %1").arg(userId));
    return q.value(0).toInt();
}

Result<void> UserRepository::lockUntil(qint64 userId, const QDateTime &lockedUntil)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE app_user SET locked_until = ? WHERE id = ?"), { timeValue(lockedUntil), userId },
                   "locking a name after failed logins");
}

Result<void> UserRepository::recordLogin(qint64 userId, const QDateTime &at)
{
    QSqlQuery q(m_db);
    return execute(q,
                   QStringLiteral("UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = ?"
                                  " WHERE id = ?"),
                   { storedTime(at), userId }, "recording a login");
}

Result<void> UserRepository::setRole(qint64 userId, const QString &role, std::optional<qint64> operatorId,
                                     const QByteArray &wrappedDataKey)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE app_user SET role = ?, operator_id = ?, wrapped_data_key = ? WHERE id = ?"),
                   { role, optionalValue(operatorId), blobValue(wrappedDataKey), userId }, "changing a user's role");
}

Result<void> UserRepository::takeUpKeySlot(qint64 userId, const QByteArray &wrappedDataKey)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE app_user SET wrapped_data_key = ?, pending_key_slot = NULL WHERE id = ?"),
                   { wrappedDataKey, userId }, "taking up a key slot");
}

Result<void> UserRepository::setPassword(qint64 userId, const UserRecord &c)
{
    QSqlQuery q(m_db);
    return execute(q,
                   QStringLiteral("UPDATE app_user SET password_hash = ?, password_salt = ?, kdf_n = ?, kdf_r = ?,"
                                  " kdf_p = ?, wrapped_data_key = ?, signing_key = ?, wrapped_signing_key = ?, failed_logins = 0,"
                                  " locked_until = NULL, pending_key_slot = NULL WHERE id = ?"),
                   { c.passwordHash, c.passwordSalt, qint64(c.kdfN), qint64(c.kdfR), qint64(c.kdfP),
                     blobValue(c.wrappedDataKey), blobValue(c.signingKey), blobValue(c.wrappedSigningKey), userId },
                   "changing a password");
}

Result<void> UserRepository::setFirstSigningKey(qint64 userId, const QByteArray &publicPoint, const QByteArray &wrapped)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("UPDATE app_user SET signing_key = ?, wrapped_signing_key = ? WHERE id = ?"
                                         " AND signing_key IS NULL"),
                          { publicPoint, wrapped, userId }, "storing a signing key");
        !ok)
        return ok;
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("the user already has a signing key; log in again"));
    return {};
}

Result<void> UserRepository::remove(qint64 userId)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("DELETE FROM app_user WHERE id = ?"), { userId }, "removing a user");
}

} // namespace simfleet::store
