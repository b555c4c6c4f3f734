#include "devicerepository.h"

#include <QSet>
#include "core/clock.h"
#include "dialect.h"
#include "sqlhelpers.h"

#include <QSqlError>

namespace simfleet::store {

namespace {

constexpr qsizetype lookupBatch = 400; // below SQLite's default limit of bound parameters

const QString deviceColumns = QStringLiteral(
    "d.id, d.eid, d.imei, d.serial, d.model, d.secure_element, d.label, d.latitude, d.longitude, d.fleet_id");

DeviceRecord readDevice(const QSqlQuery &q)
{
    DeviceRecord d;
    d.id = q.value(0).toLongLong();
    d.eid = q.value(1).toString();
    d.imei = q.value(2).toString();
    d.serial = q.value(3).toString();
    d.model = q.value(4).toString();
    d.secureElement = secureElementFromName(q.value(5).toString()).value_or(SecureElementKind::IntegratedUicc);
    d.label = q.value(6).toString();
    d.latitude = optionalFrom<double>(q.value(7));
    d.longitude = optionalFrom<double>(q.value(8));
    d.fleetId = q.value(9).toLongLong();
    return d;
}

// A device with its customer, fleet, enabled profile and latest verdict, as the lists show it.
QString overviewSelect()
{
    return QStringLiteral("SELECT ") + deviceColumns
        + QStringLiteral(", c.name, f.name, o.name, p.iccid,"
                         " (SELECT a.verdict FROM attestation_result a WHERE a.device_id = d.id"
                         "  ORDER BY a.verified_at DESC, a.id DESC LIMIT 1) AS verdict");
}

// The enabled profile is joined within the scope: an account manager sees their own operator's
// ICCID beside a device, and none where another operator's profile is the enabled one. Its values
// are bound before the WHERE clause's.
QString overviewFrom(const Scope &scope, QVariantList *values)
{
    const Scope::Condition mine = scope.profiles(QStringLiteral("p"));
    *values += mine.values;
    return QStringLiteral(" FROM device d JOIN fleet f ON f.id = d.fleet_id JOIN customer c ON c.id = f.customer_id"
                          " LEFT JOIN profile p ON p.device_id = d.id AND p.state = 'enabled' AND %1"
                          " LEFT JOIN operator o ON o.id = p.operator_id")
        .arg(mine.sql);
}

DeviceOverview readOverview(const QSqlQuery &q)
{
    DeviceOverview o;
    o.device = readDevice(q);
    o.customer = q.value(10).toString();
    o.fleet = q.value(11).toString();
    o.operatorName = optionalFrom<QString>(q.value(12));
    o.iccid = optionalFrom<QString>(q.value(13));
    o.attestation = optionalFrom<QString>(q.value(14));
    return o;
}

Result<void> lookup(QSqlDatabase &db, const char *column, const QStringList &keys,
                    const std::function<void(const DeviceRecord &)> &found)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    for (qsizetype start = 0; start < keys.size(); start += lookupBatch) {
        const qsizetype n = std::min(lookupBatch, keys.size() - start);
        QString sql = QStringLiteral("SELECT ") + deviceColumns + QStringLiteral(" FROM device d WHERE d.")
            + QLatin1StringView(column) + QStringLiteral(" IN (");
        for (qsizetype i = 0; i < n; ++i)
            sql += i ? QStringLiteral(",?") : QStringLiteral("?");
        sql += u')';
        if (!q.prepare(sql))
            return fail(QStringLiteral("looking up devices failed: %1").arg(q.lastError().text()));
        for (qsizetype i = 0; i < n; ++i)
            q.addBindValue(keys.at(start + i));
        if (!q.exec())
            return fail(QStringLiteral("looking up devices failed: %1").arg(q.lastError().text()));
        while (q.next())
            found(readDevice(q));
    }
    return {};
}

} // namespace

Result<qint64> DeviceRepository::insertMany(qsizetype count, const std::function<void(qsizetype, DeviceRecord &)> &fill,
                                            const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (!q.prepare(QStringLiteral("INSERT INTO device (eid, imei, serial, model, secure_element, label, latitude,"
                                  " longitude, fleet_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
        return fail(QStringLiteral("storing devices failed: %1").arg(q.lastError().text()));
    const QString when = storedTime(at);
    DeviceRecord d;
    for (qsizetype i = 0; i < count; ++i) {
        fill(i, d);
        q.bindValue(0, d.eid);
        q.bindValue(1, d.imei);
        q.bindValue(2, d.serial);
        q.bindValue(3, d.model);
        q.bindValue(4, secureElementName(d.secureElement));
        q.bindValue(5, text(d.label));
        q.bindValue(6, optionalValue(d.latitude));
        q.bindValue(7, optionalValue(d.longitude));
        q.bindValue(8, d.fleetId);
        q.bindValue(9, when);
        if (!q.exec())
            return fail(QStringLiteral("storing device %1 failed: %2").arg(d.eid, q.lastError().text()));
    }
    return qint64(count);
}

Result<DeviceRepository::Existing> DeviceRepository::findExisting(const QStringList &eids, const QStringList &imeis)
{
    Existing existing;
    if (auto ok = lookup(m_db, "eid", eids, [&](const DeviceRecord &d) { existing.byEid.insert(d.eid, d); }); !ok)
        return ok.error();
    if (auto ok = lookup(m_db, "imei", imeis, [&](const DeviceRecord &d) { existing.byImei.insert(d.imei, d); }); !ok)
        return ok.error();
    return existing;
}

Result<QList<std::pair<qint64, QString>>> DeviceRepository::idsInFleet(qint64 fleetId)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (auto ok = execute(q, QStringLiteral("SELECT id, eid FROM device WHERE fleet_id = ? ORDER BY eid"), { fleetId },
                          "listing a fleet's devices");
        !ok)
        return ok.error();
    QList<std::pair<qint64, QString>> out;
    while (q.next())
        out.append({ q.value(0).toLongLong(), q.value(1).toString() });
    return out;
}

Result<QList<std::pair<qint64, QString>>> DeviceRepository::idsForEids(const QStringList &eids)
{
    QList<std::pair<qint64, QString>> out;
    if (auto ok = lookup(m_db, "eid", eids, [&out](const DeviceRecord &d) { out.append({ d.id, d.eid }); }); !ok)
        return ok.error();
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
    return out;
}

Result<qint64> DeviceRepository::count()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT count(*) FROM device"), {}, "counting devices"); !ok)
        return ok.error();
    return q.next() ? q.value(0).toLongLong() : 0;
}

Result<void> DeviceRepository::forEachOverview(const Scope &scope, std::optional<qint64> fleetId,
                                               const std::function<void(const DeviceOverview &)> &visit)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    const Scope::Condition visible = scope.devices();
    QVariantList values;
    const QString sql = overviewSelect() + overviewFrom(scope, &values) + QStringLiteral(" WHERE ") + visible.sql
        + (fleetId ? QStringLiteral(" AND d.fleet_id = ?") : QString()) + QStringLiteral(" ORDER BY d.eid");
    values += visible.values;
    if (!q.prepare(sql))
        return fail(QStringLiteral("listing devices failed: %1").arg(q.lastError().text()));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (fleetId)
        q.addBindValue(*fleetId);
    if (!q.exec())
        return fail(QStringLiteral("listing devices failed: %1").arg(q.lastError().text()));
    while (q.next())
        visit(readOverview(q));
    return {};
}

namespace {

QString pageWhere(Dialect dialect, const Scope &scope, const DeviceRepository::PageQuery &query, QVariantList *values)
{
    QStringList clauses;
    if (scope.isRestricted()) {
        const Scope::Condition visible = scope.devices();
        clauses << visible.sql;
        *values += visible.values;
    }
    if (!query.where.isEmpty()) {
        clauses << QStringLiteral("(%1)").arg(query.where);
        *values += query.values;
    }
    if (!query.search.trimmed().isEmpty()) {
        clauses << QStringLiteral("(d.eid %1 ? ESCAPE '\\' OR d.imei %1 ? ESCAPE '\\' OR d.label %1 ? ESCAPE '\\')")
                       .arg(caseInsensitiveLike(dialect));
        const QString like = QStringLiteral("%") + likeLiteral(query.search.trimmed()) + QStringLiteral("%");
        *values << like << like << like;
    }
    return clauses.isEmpty() ? QString() : QStringLiteral(" WHERE ") + clauses.join(QStringLiteral(" AND "));
}

QString sortExpression(DeviceRepository::Sort sort)
{
    switch (sort) {
    case DeviceRepository::Sort::Eid: return QStringLiteral("d.eid");
    case DeviceRepository::Sort::Imei: return QStringLiteral("d.imei");
    case DeviceRepository::Sort::Label: return QStringLiteral("d.label");
    case DeviceRepository::Sort::Customer: return QStringLiteral("c.name");
    case DeviceRepository::Sort::Fleet: return QStringLiteral("f.name");
    case DeviceRepository::Sort::Operator: return QStringLiteral("o.name");
    case DeviceRepository::Sort::Iccid: return QStringLiteral("p.iccid");
    case DeviceRepository::Sort::Attestation: return QStringLiteral("verdict");
    case DeviceRepository::Sort::Model: return QStringLiteral("d.model");
    }
    return QStringLiteral("d.eid");
}

} // namespace

Result<QList<DeviceOverview>> DeviceRepository::overviewPage(const Scope &scope, const PageQuery &query, qint64 offset,
                                                             int limit)
{
    QVariantList values;
    const QString from = overviewFrom(scope, &values);
    const QString where = pageWhere(dialectOf(m_db), scope, query, &values);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    const QString sql = overviewSelect() + from + where
        + QStringLiteral(" ORDER BY %1 %2, d.id LIMIT ? OFFSET ?")
              .arg(sortExpression(query.sort), query.descending ? QStringLiteral("DESC") : QStringLiteral("ASC"));
    if (!q.prepare(sql))
        return fail(QStringLiteral("listing devices failed: %1").arg(q.lastError().text()));
    for (const QVariant &v : values)
        q.addBindValue(v);
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (!q.exec())
        return fail(QStringLiteral("listing devices failed: %1").arg(q.lastError().text()));
    QList<DeviceOverview> out;
    while (q.next())
        out.append(readOverview(q));
    return out;
}

Result<qint64> DeviceRepository::countMatching(const Scope &scope, const PageQuery &query)
{
    QVariantList values;
    const QString from = overviewFrom(scope, &values);
    const QString where = pageWhere(dialectOf(m_db), scope, query, &values);
    QSqlQuery q(m_db);
    if (!q.prepare(QStringLiteral("SELECT count(*)") + from + where))
        return fail(QStringLiteral("counting devices failed: %1").arg(q.lastError().text()));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return fail(QStringLiteral("counting devices failed: %1").arg(q.lastError().text()));
    const qint64 n = q.value(0).toLongLong();
    q.finish();
    return n;
}

Result<QList<DeviceRepository::Position>> DeviceRepository::positions(const Scope &scope, const PageQuery &query)
{
    QVariantList values;
    const QString from = overviewFrom(scope, &values);
    QString where = pageWhere(dialectOf(m_db), scope, query, &values);
    where += (where.isEmpty() ? QStringLiteral(" WHERE ") : QStringLiteral(" AND "))
        + QStringLiteral("d.latitude IS NOT NULL AND d.longitude IS NOT NULL");
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT d.eid, d.label, f.name, d.latitude, d.longitude, d.custody,"
                                         " CASE WHEN d.quarantined_at IS NULL THEN 0 ELSE 1 END")
                              + from + where,
                          values, "reading where devices are");
        !ok)
        return ok.error();
    QList<Position> out;
    while (q.next())
        out.append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toDouble(),
                     q.value(4).toDouble(), q.value(5).toString(), q.value(6).toInt() != 0 });
    return out;
}

Result<void> DeviceRepository::forIdsInChunks(const QList<qint64> &ids, const QString &sql, const QVariantList &values,
                                              const char *doing, const std::function<void(const QSqlQuery &)> &visit)
{
    constexpr qsizetype chunk = 500; // well under SQLite's bound-parameter limit
    for (qsizetype at = 0; at < ids.size(); at += chunk) {
        const QList<qint64> part = ids.mid(at, chunk);
        const QString marks = QStringLiteral("?,").repeated(part.size()).chopped(1);
        QVariantList bound;
        bound.reserve(part.size() + values.size());
        for (qint64 id : part)
            bound.append(id);
        bound += values;
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (auto ok = execute(q, sql.arg(marks), bound, doing); !ok)
            return ok;
        while (q.next())
            visit(q);
    }
    return {};
}

Result<QList<qint64>> DeviceRepository::outsideScope(const Scope &scope, const QList<qint64> &ids)
{
    QList<qint64> outside;
    if (!scope.isRestricted() || ids.isEmpty())
        return outside;
    const Scope::Condition visible = scope.devices();
    QSet<qint64> seen;
    if (auto ok = forIdsInChunks(ids, QStringLiteral("SELECT d.id FROM device d WHERE d.id IN (%1) AND ") + visible.sql,
                                 visible.values, "checking devices against the user's scope",
                                 [&seen](const QSqlQuery &q) { seen.insert(q.value(0).toLongLong()); });
        !ok)
        return ok.error();
    for (qint64 id : ids) {
        if (!seen.contains(id))
            outside.append(id);
    }
    return outside;
}

Result<QList<std::pair<qint64, QString>>> DeviceRepository::withEids(const QList<qint64> &ids)
{
    QList<std::pair<qint64, QString>> out;
    if (auto ok = forIdsInChunks(ids, QStringLiteral("SELECT id, eid FROM device WHERE id IN (%1) ORDER BY id"), {},
                                 "reading the devices' EIDs",
                                 [&out](const QSqlQuery &q) { out.append({ q.value(0).toLongLong(), q.value(1).toString() }); });
        !ok)
        return ok.error();
    return out;
}

Result<QSet<qint64>> DeviceRepository::homeOperatorsOf(const QList<qint64> &ids, bool *someWithout)
{
    QSet<qint64> homes;
    *someWithout = false;
    if (auto ok = forIdsInChunks(ids,
                                 QStringLiteral("SELECT DISTINCT f.home_operator_id FROM device d JOIN fleet f ON f.id = d.fleet_id"
                                                " WHERE d.id IN (%1)"),
                                 {}, "reading the devices' fleets",
                                 [&](const QSqlQuery &q) {
                                     if (q.value(0).isNull())
                                         *someWithout = true;
                                     else
                                         homes.insert(q.value(0).toLongLong());
                                 });
        !ok)
        return ok.error();
    return homes;
}

Result<void> DeviceRepository::moveToCustomersFleet(qint64 deviceId, qint64 customerId)
{
    auto done = executeWrite(m_db,
                             QStringLiteral("UPDATE device SET fleet_id = (SELECT f2.id FROM fleet f2 JOIN fleet f1"
                                            " ON f1.name = f2.name WHERE f1.id = device.fleet_id AND f2.customer_id = ?)"
                                            " WHERE id = ? AND EXISTS (SELECT 1 FROM fleet f2 JOIN fleet f1"
                                            " ON f1.name = f2.name WHERE f1.id = device.fleet_id AND f2.customer_id = ?)"),
                             { customerId, deviceId, customerId }, "moving a device to its new owner's fleet");
    if (!done)
        return done.error();
    return {};
}

} // namespace simfleet::store
