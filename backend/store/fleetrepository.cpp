#include "fleetrepository.h"
#include "core/clock.h"
#include "sqlhelpers.h"

namespace simfleet::store {

namespace {
const QString columns = QStringLiteral("SELECT id, customer_id, name, home_operator_id FROM fleet");

FleetRecord read(const QSqlQuery &q)
{
    return { q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(),
             optionalFrom<qint64>(q.value(3)) };
}

Result<QList<FleetRecord>> readAll(QSqlQuery &q)
{
    QList<FleetRecord> out;
    while (q.next())
        out.append(read(q));
    return out;
}
} // namespace

Result<qint64> FleetRepository::insert(const FleetRecord &fleet, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO fleet (customer_id, name, home_operator_id, created_at)"
                                         " VALUES (?, ?, ?, ?) RETURNING id"),
                          { fleet.customerId, fleet.name, optionalValue(fleet.homeOperatorId), storedTime(at) },
                          "adding a fleet");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<std::optional<FleetRecord>> FleetRepository::find(qint64 customerId, const QString &name)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" WHERE customer_id = ? AND name = ?"), { customerId, name },
                          "looking up a fleet");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<FleetRecord>();
    return std::optional<FleetRecord>(read(q));
}

Result<QList<FleetRecord>> FleetRepository::findByName(const QString &name)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" WHERE name = ? ORDER BY id"), { name }, "looking up a fleet");
        !ok)
        return ok.error();
    return readAll(q);
}

namespace {
Result<FleetRecord> theOne(const Result<QList<FleetRecord>> &fleets, const QString &name)
{
    if (!fleets)
        return fleets.error();
    if (fleets->isEmpty())
        return fail(QStringLiteral("there is no fleet named \"%1\"").arg(name));
    if (fleets->size() > 1)
        return fail(QStringLiteral("several customers have a fleet named \"%1\"; name the customer too").arg(name));
    return fleets->first();
}
} // namespace

Result<FleetRecord> FleetRepository::findUnique(const QString &name)
{
    return theOne(findByName(name), name);
}

Result<FleetRecord> FleetRepository::findUnique(const QString &name, const Scope &scope)
{
    const Scope::Condition visible = scope.fleets(QStringLiteral("fleet"));
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" WHERE name = ? AND %1 ORDER BY id").arg(visible.sql),
                          QVariantList { name } + visible.values, "looking up a fleet");
        !ok)
        return ok.error();
    return theOne(readAll(q), name);
}

Result<QList<FleetRecord>> FleetRepository::list(const Scope &scope)
{
    const Scope::Condition visible = scope.fleets(QStringLiteral("fleet"));
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" WHERE %1 ORDER BY name").arg(visible.sql), visible.values,
                          "listing fleets");
        !ok)
        return ok.error();
    return readAll(q);
}

Result<QList<FleetRecord>> FleetRepository::list()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" ORDER BY name"), {}, "listing fleets"); !ok)
        return ok.error();
    return readAll(q);
}

Result<void> FleetRepository::addFleetsForNewOwner(qint64 campaignId, qint64 customerId, qint64 operatorId, const QDateTime &at)
{
    // ON CONFLICT DO NOTHING is understood by SQLite and PostgreSQL alike; the casts tell
    // PostgreSQL what the selected values are, which it cannot infer in a SELECT list.
    QSqlQuery q(m_db);
    return execute(q,
                   QStringLiteral("INSERT INTO fleet (customer_id, name, home_operator_id, created_at)"
                                  " SELECT DISTINCT CAST(? AS BIGINT), f.name, CAST(? AS BIGINT), CAST(? AS TEXT) FROM campaign_item ci JOIN device d ON d.id = ci.device_id"
                                  " JOIN fleet f ON f.id = d.fleet_id WHERE ci.campaign_id = ?"
                                  " ON CONFLICT (customer_id, name) DO NOTHING"),
                   { customerId, operatorId, storedTime(at), campaignId }, "giving the new owner its fleets");
}

} // namespace simfleet::store
