#include "profilerepository.h"
#include "core/clock.h"
#include "sqlhelpers.h"

#include <QSqlError>

namespace simfleet::store {

Result<qint64> ProfileRepository::insert(const ProfileRecord &p, const QDateTime &at)
{
    const QString when = storedTime(at);
    // A profile from an operator's own profile server: its IMSI, Ki and OPc stay with the operator.
    if (p.imsi.isEmpty()) {
        auto done = executeWrite(m_db,
                                 QStringLiteral("INSERT INTO profile (device_id, operator_id, iccid, imsi, ki_sealed, opc_sealed,"
                                                " state, created_at, updated_at) VALUES (?, ?, ?, NULL, NULL, NULL, ?, ?, ?)"
                                                " RETURNING id"),
                                 { p.deviceId, p.operatorId, p.iccid, p.state, when, when }, "recording a profile");
        if (!done)
            return done.error();
        return done->lastInsertId;
    }
    auto done = executeWrite(m_db,
                             QStringLiteral("INSERT INTO profile (device_id, operator_id, iccid, imsi, ki_sealed, opc_sealed,"
                                            " state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                            " RETURNING id"),
                             // Empty, not NULL, until setSealedCredentials: the profile row comes first so the
                             // credentials can be sealed bound to its id.
                             { p.deviceId, p.operatorId, p.iccid, p.imsi, QByteArray("", 0), QByteArray("", 0), p.state, when, when }, "recording a profile");
    if (!done)
        return done.error();
    return done->lastInsertId;
}

Result<void> ProfileRepository::setSealedCredentials(qint64 profileId, const QByteArray &kiSealed,
                                                     const QByteArray &opcSealed)
{
    auto done = executeWrite(m_db, QStringLiteral("UPDATE profile SET ki_sealed = ?, opc_sealed = ? WHERE id = ?"),
                             { kiSealed, opcSealed, profileId }, "storing a profile's credentials");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<std::pair<QByteArray, QByteArray>> ProfileRepository::sealedCredentials(qint64 profileId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT ki_sealed, opc_sealed FROM profile WHERE id = ?"), { profileId },
                          "reading a profile's credentials");
        !ok)
        return ok.error();
    if (!q.next())
        return fail(QStringLiteral("there is no profile %1").arg(profileId));
    return std::pair { q.value(0).toByteArray(), q.value(1).toByteArray() };
}

Result<void> ProfileRepository::setState(qint64 profileId, const QString &state, const QDateTime &at,
                                         const LedgerCause &cause)
{
    // Runs for every step of every device of a campaign: kept prepared in the writer.
    auto done = executeWrite(m_db, QStringLiteral("UPDATE profile SET state = ?, updated_at = ? WHERE id = ?"),
                             { state, storedTime(at), profileId }, "changing a profile's state");
    if (!done)
        return done.error();
    if (done->rowsAffected != 1)
        return fail(QStringLiteral("there is no profile %1").arg(profileId));
    SubscriptionLedger ledger(m_db);
    return state == QLatin1StringView("enabled") ? ledger.open(profileId, at, cause) : ledger.close(profileId, at, cause);
}

Result<QList<ProfileRecord>> ProfileRepository::forDevice(qint64 deviceId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT id, device_id, operator_id, iccid, imsi, state FROM profile"
                                         " WHERE device_id = ? ORDER BY id"),
                          { deviceId }, "listing a device's profiles");
        !ok)
        return ok.error();
    QList<ProfileRecord> out;
    while (q.next())
        out.append({ q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(3).toString(),
                     q.value(4).toString(), q.value(5).toString() });
    return out;
}

Result<QList<ProfileOverview>> ProfileRepository::overview(const Scope &scope, std::optional<QString> eid,
                                                           std::optional<qint64> fleetId)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    // An account manager sees the profiles of their operator only, on the devices in their scope.
    const Scope::Condition visible = scope.devices();
    QString sql = QStringLiteral("SELECT d.eid, p.iccid, p.imsi, o.name, p.state FROM profile p JOIN device d ON d.id = p.device_id"
                                 " JOIN operator o ON o.id = p.operator_id WHERE %1")
                      .arg(visible.sql);
    QVariantList values = visible.values;
    if (scope.isRestricted()) {
        sql += QStringLiteral(" AND p.operator_id = ?");
        values << *scope.operatorId();
    }
    if (eid) {
        sql += QStringLiteral(" AND d.eid = ?");
        values << *eid;
    } else if (fleetId) {
        sql += QStringLiteral(" AND d.fleet_id = ?");
        values << *fleetId;
    }
    sql += QStringLiteral(" ORDER BY d.eid, p.id");
    if (!q.prepare(sql))
        return fail(q.lastError().text());
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return fail(QStringLiteral("listing profiles failed: %1").arg(q.lastError().text()));
    QList<ProfileOverview> out;
    while (q.next())
        out.append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                     q.value(4).toString() });
    return out;
}

} // namespace simfleet::store
