#include "custodyrepository.h"
#include "auditlog.h"
#include "core/clock.h"
#include "sqlhelpers.h"

#include <QJsonObject>
#include <QStringList>

namespace simfleet::store {

namespace {

// The events that disable a subscription until the device is recovered or released.
const char *const holdEvents = "('reported-stolen', 'reported-lost', 'quarantined')";

QString placeholders(qsizetype n)
{
    QStringList marks;
    marks.reserve(n);
    for (qsizetype i = 0; i < n; ++i)
        marks << QStringLiteral("?");
    return marks.join(QStringLiteral(", "));
}

QDateTime instant(const QVariant &v)
{
    return v.isNull() ? QDateTime() : QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

// Runs `sql` (with "%1" where the ids' placeholders go) over ids in slices a statement takes.
template<typename Visit>
Result<void> overIds(QSqlDatabase db, const QString &sql, const QList<qint64> &ids, const char *doing, Visit visit)
{
    constexpr qsizetype slice = 500;
    for (qsizetype start = 0; start < ids.size(); start += slice) {
        const QList<qint64> part = ids.mid(start, slice);
        QVariantList values;
        for (qint64 id : part)
            values << id;
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (auto ok = execute(q, sql.arg(placeholders(part.size())), values, doing); !ok)
            return ok;
        while (q.next())
            visit(q);
    }
    return {};
}

} // namespace

QString custodyName(Custody custody)
{
    switch (custody) {
    case Custody::InService: return QStringLiteral("in-service");
    case Custody::Stolen: return QStringLiteral("stolen");
    case Custody::Lost: return QStringLiteral("lost");
    case Custody::Recovered: return QStringLiteral("recovered");
    }
    return {};
}

std::optional<Custody> custodyFromName(QStringView name)
{
    for (Custody c : { Custody::InService, Custody::Stolen, Custody::Lost, Custody::Recovered }) {
        if (name == custodyName(c))
            return c;
    }
    return std::nullopt;
}

QString CustodyState::disableEvent() const
{
    if (custody == Custody::Stolen)
        return QStringLiteral("reported-stolen");
    if (custody == Custody::Lost)
        return QStringLiteral("reported-lost");
    return QStringLiteral("quarantined");
}

Result<void> CustodyRepository::setCustody(qint64 deviceId, Custody custody, const QString &note, const QDateTime &at)
{
    auto done = executeWrite(m_db, QStringLiteral("UPDATE device SET custody = ?, custody_since = ?, custody_note = ? WHERE id = ?"),
                             { custodyName(custody), storedTime(at), text(note), deviceId }, "recording a device's custody");
    if (!done)
        return done.error();
    if (done->rowsAffected != 1)
        return fail(QStringLiteral("there is no device %1").arg(deviceId));
    return {};
}

Result<bool> CustodyRepository::quarantineIfHolding(qint64 deviceId, const QString &reason, const QDateTime &at)
{
    auto done = executeWrite(m_db,
                             QStringLiteral("UPDATE device SET quarantined_at = ?, quarantine_reason = ? WHERE id = ?"
                                            " AND quarantined_at IS NULL AND EXISTS (SELECT 1 FROM profile p"
                                            " WHERE p.device_id = device.id AND p.state = 'enabled')"),
                             { storedTime(at), text(reason), deviceId }, "quarantining a device");
    if (!done)
        return done.error();
    return done->rowsAffected == 1;
}

Result<void> CustodyRepository::release(qint64 deviceId)
{
    auto done = executeWrite(m_db, QStringLiteral("UPDATE device SET quarantined_at = NULL, quarantine_reason = '' WHERE id = ?"),
                             { deviceId }, "releasing a device from quarantine");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<void> CustodyRepository::raise(qint64 deviceId, const QString &kind, const QDateTime &at, const QString &detail,
                                      std::optional<double> latitude, std::optional<double> longitude)
{
    auto done = executeWrite(m_db,
                             QStringLiteral("INSERT INTO device_alert (device_id, kind, raised_at, detail, latitude, longitude)"
                                            " VALUES (?, ?, ?, ?, ?, ?)"),
                             { deviceId, kind, storedTime(at), text(detail), optionalValue(latitude), optionalValue(longitude) },
                             "raising a device alert");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<void> CustodyRepository::recordSighting(const CustodyState &s, const QString &contact, const QDateTime &at,
                                               const AuditAuthor &author)
{
    QString detail = QStringLiteral("reported %1 on %2; %3")
                         .arg(custodyName(s.custody), s.custodySince.toString(Qt::ISODate), contact);
    // Where: the position the device last reported, and when, or where it was enrolled.
    if (s.latitude && s.longitude)
        detail += s.positionAt.isValid()
            ? QStringLiteral("; position as the device reported it at %1").arg(s.positionAt.toString(Qt::ISODate))
            : QStringLiteral("; position as enrolled");
    if (auto raised = raise(s.deviceId, QStringLiteral("sighting"), at, detail, s.latitude, s.longitude); !raised)
        return raised;
    QJsonObject details { { QStringLiteral("custody"), custodyName(s.custody) }, { QStringLiteral("contact"), contact } };
    if (s.latitude && s.longitude) {
        details.insert(QStringLiteral("latitude"), *s.latitude);
        details.insert(QStringLiteral("longitude"), *s.longitude);
        if (s.positionAt.isValid())
            details.insert(QStringLiteral("position_at"), s.positionAt.toString(Qt::ISODateWithMs));
    }
    return AuditLog::record(m_db, at, author, QStringLiteral("device.sighted"), QStringLiteral("device:") + s.eid, details);
}

Result<void> CustodyRepository::setPosition(qint64 deviceId, double latitude, double longitude, const QDateTime &at)
{
    // A fix older than the one recorded (evidence answered late, a device's clock) changes nothing.
    const QString when = storedTime(at);
    auto done = executeWrite(m_db,
                             QStringLiteral("UPDATE device SET latitude = ?, longitude = ?, position_at = ? WHERE id = ?"
                                            " AND (position_at IS NULL OR position_at <= ?)"),
                             { latitude, longitude, when, deviceId, when }, "recording a device's position");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<QList<CustodyState>> CustodyRepository::states(const QList<qint64> &deviceIds)
{
    const QString sql = QStringLiteral(
        "SELECT d.id, d.eid, d.custody, d.custody_since, d.quarantined_at, d.latitude, d.longitude,"
        " cur.id, cur.iccid, op.disable_allowed, r.id, r.iccid, d.position_at"
        " FROM device d LEFT JOIN profile cur ON cur.device_id = d.id AND cur.state = 'enabled'"
        " LEFT JOIN operator op ON op.id = cur.operator_id"
        " LEFT JOIN profile r ON r.id = (SELECT sp.profile_id FROM subscription_period sp JOIN profile rp ON rp.id = sp.profile_id"
        "  WHERE sp.device_id = d.id AND rp.state = 'disabled' AND sp.ended_by_event IN %2"
        "  ORDER BY sp.ended_at DESC, sp.id DESC LIMIT 1)"
        " WHERE d.id IN (%1) ORDER BY d.id").arg(QStringLiteral("%1"), QLatin1StringView(holdEvents));
    QList<CustodyState> out;
    auto ok = overIds(m_db, sql, deviceIds, "reading devices' custody", [&out](const QSqlQuery &q) {
        CustodyState s;
        s.deviceId = q.value(0).toLongLong();
        s.eid = q.value(1).toString();
        s.custody = custodyFromName(q.value(2).toString()).value_or(Custody::InService);
        s.custodySince = instant(q.value(3));
        s.quarantinedAt = instant(q.value(4));
        s.latitude = optionalFrom<double>(q.value(5));
        s.longitude = optionalFrom<double>(q.value(6));
        s.enabledProfileId = optionalFrom<qint64>(q.value(7));
        s.enabledIccid = q.value(8).toString();
        s.disableAllowed = q.value(9).isNull() || q.value(9).toBool();
        s.restorableProfileId = optionalFrom<qint64>(q.value(10));
        s.restorableIccid = q.value(11).toString();
        s.positionAt = instant(q.value(12));
        out.append(std::move(s));
    });
    if (!ok)
        return ok.error();
    return out;
}

Result<QHash<qint64, QString>> CustodyRepository::heldBack(const QList<qint64> &deviceIds)
{
    QHash<qint64, QString> out;
    auto ok = overIds(m_db,
                      QStringLiteral("SELECT id, custody, quarantined_at FROM device WHERE id IN (%1)"
                                     " AND (custody <> 'in-service' OR quarantined_at IS NOT NULL)"),
                      deviceIds, "reading which devices are held back", [&out](const QSqlQuery &q) {
                          const QString custody = q.value(1).toString();
                          QString why;
                          if (custody == u"stolen" || custody == u"lost")
                              why = QStringLiteral("reported-") + custody;
                          else if (custody == u"recovered")
                              why = QStringLiteral("awaiting-attestation");
                          else
                              why = QStringLiteral("quarantined");
                          out.insert(q.value(0).toLongLong(), why);
                      });
    if (!ok)
        return ok.error();
    return out;
}

Result<QList<std::pair<qint64, QString>>> CustodyRepository::devicesOwed(const Scope &scope)
{
    const Scope::Condition visible = scope.devices();
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    const QString sql = QStringLiteral(
        "SELECT d.id, d.eid FROM device d WHERE (d.custody <> 'in-service' OR d.quarantined_at IS NOT NULL"
        " OR d.id IN (SELECT sp.device_id FROM subscription_period sp WHERE sp.ended_by_event IN %1"
        "  AND NOT EXISTS (SELECT 1 FROM profile p WHERE p.device_id = sp.device_id AND p.state = 'enabled')))"
        " AND %2 ORDER BY d.id").arg(QLatin1StringView(holdEvents), visible.sql);
    if (auto ok = execute(q, sql, visible.values, "listing the devices owed a contact"); !ok)
        return ok.error();
    QList<std::pair<qint64, QString>> out;
    while (q.next())
        out.append({ q.value(0).toLongLong(), q.value(1).toString() });
    return out;
}

Result<QList<DeviceAlert>> CustodyRepository::openAlerts(const Scope &scope, int limit)
{
    const Scope::Condition visible = scope.devices();
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    QVariantList values = visible.values;
    values << limit;
    if (auto ok = execute(q,
                          QStringLiteral("SELECT a.id, d.eid, a.kind, a.raised_at, a.detail, a.latitude, a.longitude"
                                         " FROM device_alert a JOIN device d ON d.id = a.device_id"
                                         " WHERE a.acknowledged_at IS NULL AND %1 ORDER BY a.raised_at DESC, a.id DESC LIMIT ?")
                              .arg(visible.sql),
                          values, "listing device alerts");
        !ok)
        return ok.error();
    QList<DeviceAlert> out;
    while (q.next())
        out.append({ q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), instant(q.value(3)),
                     q.value(4).toString(), optionalFrom<double>(q.value(5)), optionalFrom<double>(q.value(6)) });
    return out;
}

} // namespace simfleet::store
