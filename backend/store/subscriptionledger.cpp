#include "subscriptionledger.h"
#include "core/clock.h"
#include "sqlhelpers.h"

#include <QSqlError>

namespace simfleet::store {

Result<void> SubscriptionLedger::open(qint64 profileId, const QDateTime &at, const LedgerCause &cause)
{
    // Runs for every profile a campaign enables: kept prepared in the writer. Casts give
    // PostgreSQL the types of values that may be NULL in a SELECT list.
    auto done = executeWrite(m_db,
                             QStringLiteral("INSERT INTO subscription_period (device_id, profile_id, operator_id, customer_id,"
                                            " iccid, started_at, started_by_campaign, started_by_event)"
                                            " SELECT p.device_id, p.id, p.operator_id, coalesce(CAST(? AS BIGINT), f.customer_id),"
                                            " p.iccid, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT)"
                                            " FROM profile p JOIN device d ON d.id = p.device_id JOIN fleet f ON f.id = d.fleet_id"
                                            " WHERE p.id = ? AND NOT EXISTS (SELECT 1 FROM subscription_period sp"
                                            " WHERE sp.profile_id = p.id AND sp.ended_at IS NULL)"),
                             { optionalValue(cause.customerId), storedTime(at), optionalValue(cause.campaignId), text(cause.event),
                               profileId },
                             "opening a subscription period");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<void> SubscriptionLedger::close(qint64 profileId, const QDateTime &at, const LedgerCause &cause)
{
    auto done = executeWrite(m_db,
                             QStringLiteral("UPDATE subscription_period SET ended_at = ?, ended_by_campaign = ?, ended_by_event = ?"
                                            " WHERE profile_id = ? AND ended_at IS NULL"),
                             { storedTime(at), optionalValue(cause.campaignId), text(cause.event), profileId },
                             "closing a subscription period");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<QList<SubscriptionPeriod>> SubscriptionLedger::periods(const Scope &scope, const LedgerFilter &filter)
{
    QString sql = QStringLiteral(
        "SELECT sp.id, d.eid, sp.iccid, o.name, c.name, sp.started_at, sp.ended_at, sp.started_by_campaign,"
        " sp.started_by_event, sp.ended_by_campaign, sp.ended_by_event"
        " FROM subscription_period sp JOIN device d ON d.id = sp.device_id JOIN operator o ON o.id = sp.operator_id"
        " JOIN customer c ON c.id = sp.customer_id"
        " WHERE sp.started_at < ? AND (sp.ended_at IS NULL OR sp.ended_at > ?)");
    QVariantList values { storedTime(filter.to), storedTime(filter.from) };
    // The operator's own periods: the condition Scope gives profiles, over the same column.
    const Scope::Condition own = scope.profiles(QStringLiteral("sp"));
    sql += QStringLiteral(" AND ") + own.sql;
    values += own.values;
    if (filter.customerId) {
        sql += QStringLiteral(" AND sp.customer_id = ?");
        values << *filter.customerId;
    }
    if (filter.operatorId) {
        sql += QStringLiteral(" AND sp.operator_id = ?");
        values << *filter.operatorId;
    }
    if (filter.fleetId) {
        sql += QStringLiteral(" AND d.fleet_id = ?");
        values << *filter.fleetId;
    }
    sql += QStringLiteral(" ORDER BY d.eid, sp.started_at, sp.id");
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (auto ok = execute(q, sql, values, "listing the subscription ledger"); !ok)
        return ok.error();
    QList<SubscriptionPeriod> out;
    while (q.next()) {
        SubscriptionPeriod p;
        p.id = q.value(0).toLongLong();
        p.eid = q.value(1).toString();
        p.iccid = q.value(2).toString();
        p.operatorName = q.value(3).toString();
        p.customerName = q.value(4).toString();
        p.from = QDateTime::fromString(q.value(5).toString(), Qt::ISODateWithMs);
        if (!q.value(6).isNull())
            p.to = QDateTime::fromString(q.value(6).toString(), Qt::ISODateWithMs);
        p.startedByCampaign = optionalFrom<qint64>(q.value(7));
        p.startedByEvent = q.value(8).toString();
        p.endedByCampaign = optionalFrom<qint64>(q.value(9));
        p.endedByEvent = q.value(10).toString();
        out.append(std::move(p));
    }
    return out;
}

} // namespace simfleet::store
