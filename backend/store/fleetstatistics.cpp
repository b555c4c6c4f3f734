#include "fleetstatistics.h"

#include "core/clock.h"
#include "sqlhelpers.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace simfleet::store {

namespace {

Result<void> run(QSqlQuery &q, const QString &sql, const QVariantList &values)
{
    return execute(q, sql, values, "reading the fleet's figures");
}

} // namespace

namespace deviceConditions {

QString unseenSince()
{
    return QStringLiteral("(d.enrolled_at < ? AND NOT EXISTS (SELECT 1 FROM attestation_result ua WHERE ua.device_id = d.id"
                          " AND ua.verified_at >= ? AND ua.evidence IS NOT NULL)"
                          " AND NOT EXISTS (SELECT 1 FROM eim_device ue WHERE ue.eid = d.eid AND ue.last_seen_at >= ?))");
}

QString latestReason()
{
    return QStringLiteral("(SELECT ra.reason_code FROM attestation_result ra WHERE ra.device_id = d.id"
                          " ORDER BY ra.verified_at DESC, ra.id DESC LIMIT 1) = ?");
}

QString certificateEndsBy()
{
    return QStringLiteral("d.certificate_not_after <= ?");
}

} // namespace deviceConditions

Result<FleetFigures> FleetStatistics::figures(const Scope &scope, const QDateTime &now)
{
    FleetFigures f;
    const Scope::Condition visible = scope.devices();
    // Another operator's enabled profile counts as no operator to an account manager.
    const Scope::Condition mine = scope.profiles(QStringLiteral("p"));
    QSqlQuery q(m_db);
    q.setForwardOnly(true);

    // One pass over the devices the scope shows: operator, latest verdict, fleet.
    if (auto ok = run(q,
                      QStringLiteral("SELECT coalesce(o.name, ''), coalesce((SELECT a.verdict FROM attestation_result a"
                                     " WHERE a.device_id = d.id ORDER BY a.verified_at DESC, a.id DESC LIMIT 1), ''),"
                                     " d.fleet_id, count(*) FROM device d"
                                     " LEFT JOIN profile p ON p.device_id = d.id AND p.state = 'enabled' AND %1"
                                     " LEFT JOIN operator o ON o.id = p.operator_id WHERE %2 GROUP BY 1, 2, 3")
                          .arg(mine.sql, visible.sql),
                      mine.values + visible.values);
        !ok)
        return ok.error();
    QMap<qint64, std::pair<qint64, qint64>> perFleet; // devices, provisioned
    while (q.next()) {
        const QString op = q.value(0).toString();
        const QString verdict = q.value(1).toString();
        const qint64 n = q.value(3).toLongLong();
        f.devices += n;
        f.byOperator[op] += n;
        f.byVerdict[verdict] += n;
        auto &fleet = perFleet[q.value(2).toLongLong()];
        fleet.first += n;
        if (!op.isEmpty())
            fleet.second += n;
    }
    f.contraindicated = f.byVerdict.value(QStringLiteral("contraindicated"));
    q.finish();

    const QString cutoff = storedTime(now.addDays(-FleetFigures::unseenDays));
    if (auto ok = run(q,
                      QStringLiteral("SELECT coalesce(sum(CASE WHEN d.custody = 'stolen' THEN 1 ELSE 0 END), 0),"
                                     " coalesce(sum(CASE WHEN d.custody = 'lost' THEN 1 ELSE 0 END), 0),"
                                     " coalesce(sum(CASE WHEN d.custody = 'recovered' THEN 1 ELSE 0 END), 0),"
                                     " coalesce(sum(CASE WHEN d.quarantined_at IS NOT NULL THEN 1 ELSE 0 END), 0),"
                                     " coalesce(sum(CASE WHEN %1 THEN 1 ELSE 0 END), 0),"
                                     " coalesce(sum(CASE WHEN %2 THEN 1 ELSE 0 END), 0),"
                                     " coalesce(sum(CASE WHEN %3 THEN 1 ELSE 0 END), 0) FROM device d WHERE %4")
                          .arg(deviceConditions::unseenSince(), deviceConditions::latestReason(),
                               deviceConditions::certificateEndsBy(), visible.sql),
                      QVariantList { cutoff, cutoff, cutoff, QStringLiteral("no-reference-values"),
                                     storedTime(now.addDays(FleetFigures::certificateDays)) }
                          + visible.values);
        !ok)
        return ok.error();
    if (q.next()) {
        f.stolen = q.value(0).toLongLong();
        f.lost = q.value(1).toLongLong();
        f.recovered = q.value(2).toLongLong();
        f.quarantined = q.value(3).toLongLong();
        f.unseen = q.value(4).toLongLong();
        f.withoutReferenceValues = q.value(5).toLongLong();
        f.deviceCertificatesEnding = q.value(6).toLongLong();
    }
    q.finish();
    if (auto ok = run(q, QStringLiteral("SELECT f.id, f.name, c.name FROM fleet f JOIN customer c ON c.id = f.customer_id"
                                        " ORDER BY c.name, f.name"),
                      {});
        !ok)
        return ok.error();
    while (q.next()) {
        const auto it = perFleet.constFind(q.value(0).toLongLong());
        if (it == perFleet.cend())
            continue; // none of its devices is in view
        f.fleets.append({ q.value(1).toString(), q.value(2).toString(), it->first, it->second });
    }
    q.finish();

    const Scope::Condition items = scope.campaignItems();
    if (auto ok = run(q,
                      QStringLiteral("SELECT count(*) FROM campaign_item ci JOIN campaign c ON c.id = ci.campaign_id"
                                     " WHERE ci.state IN ('failed', 'rolled-back') AND c.created_at >= ? AND %1")
                          .arg(items.sql),
                      QVariantList { storedTime(now.addDays(-7)) } + items.values);
        !ok)
        return ok.error();
    if (q.next())
        f.failedInRecentCampaigns = q.value(0).toLongLong();
    q.finish();

    // Certificates: the issuer's, the manufacturers' and, for an account manager, their own
    // operator's profile server only.
    QString certificates = QStringLiteral("SELECT name, role, not_after FROM certificate WHERE not_after <= ?");
    QVariantList values { storedTime(now.addDays(30)) };
    if (scope.isRestricted()) {
        certificates += QStringLiteral(" AND (operator_id IS NULL OR operator_id = ?)");
        values << *scope.operatorId();
    }
    if (auto ok = run(q, certificates + QStringLiteral(" ORDER BY not_after"), values); !ok)
        return ok.error();
    while (q.next())
        f.expiringCertificates.append({ q.value(0).toString(), q.value(1).toString(),
                                        QDateTime::fromString(q.value(2).toString(), Qt::ISODateWithMs) });
    q.finish();

    // Revocation lists are the workspace's trust, the same for every user.
    if (auto ok = run(q,
                      QStringLiteral("SELECT issuer, max(next_update) AS next FROM revocation_list GROUP BY issuer"
                                     " HAVING max(next_update) <= ? ORDER BY next"),
                      QVariantList { storedTime(now.addDays(7)) });
        !ok)
        return ok.error();
    while (q.next())
        f.revocationListsRunningOut.append({ q.value(0).toString(), QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs) });
    q.finish();
    return f;
}

namespace {
// Each visible device with the id of its latest attestation result.
QString latestResults(const Scope::Condition &visible)
{
    return QStringLiteral("SELECT d.id AS device, (SELECT a.id FROM attestation_result a WHERE a.device_id = d.id"
                          " ORDER BY a.verified_at DESC, a.id DESC LIMIT 1) AS latest FROM device d WHERE %1")
        .arg(visible.sql);
}
} // namespace

Result<QList<VerdictReason>> FleetStatistics::verdictReasons(const Scope &scope)
{
    const Scope::Condition visible = scope.devices();
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (auto ok = run(q,
                      QStringLiteral("SELECT v.verdict, v.reason, count(*) FROM (%1) x JOIN attestation_result v ON v.id = x.latest"
                                     " GROUP BY v.verdict, v.reason ORDER BY CASE v.verdict WHEN 'contraindicated' THEN 0"
                                     " WHEN 'warning' THEN 1 WHEN 'none' THEN 2 ELSE 3 END, count(*) DESC")
                          .arg(latestResults(visible)),
                      visible.values);
        !ok)
        return ok.error();
    QList<VerdictReason> out;
    while (q.next())
        out.append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong() });
    return out;
}

Result<QList<qint64>> FleetStatistics::devicesWith(const Scope &scope, const QString &verdict, const QString &reason)
{
    const Scope::Condition visible = scope.devices();
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (auto ok = run(q,
                      QStringLiteral("SELECT x.device FROM (%1) x JOIN attestation_result v ON v.id = x.latest"
                                     " WHERE v.verdict = ? AND v.reason = ? ORDER BY x.device")
                          .arg(latestResults(visible)),
                      visible.values + QVariantList { verdict, reason });
        !ok)
        return ok.error();
    QList<qint64> out;
    while (q.next())
        out.append(q.value(0).toLongLong());
    return out;
}

} // namespace simfleet::store
