#include "campaignrepository.h"
#include "core/clock.h"
#include "sqlhelpers.h"

#include <QSqlError>

namespace simfleet::store {

Result<qint64> CampaignRepository::create(const CampaignRecord &c, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO campaign (name, kind, target_operator_id, new_customer_id, state,"
                                         " settings, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                          { c.name, c.kind, c.targetOperatorId, optionalValue(c.newCustomerId), c.state,
                            c.settings.isEmpty() ? QStringLiteral("{}") : c.settings, c.createdBy, storedTime(at) },
                          "creating a campaign");
        !ok)
        return ok.error();
    return q.lastInsertId().toLongLong();
}

Result<void> CampaignRepository::setState(qint64 campaignId, const QString &state)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE campaign SET state = ? WHERE id = ?"), { state, campaignId },
                   "changing a campaign's state");
}

Result<qint64> CampaignRepository::addItems(qint64 campaignId, const QList<qint64> &deviceIds, const QString &state,
                                            const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (!q.prepare(QStringLiteral("INSERT INTO campaign_item (campaign_id, device_id, state, updated_at) VALUES (?, ?, ?, ?)")))
        return fail(q.lastError().text());
    const QString when = storedTime(at);
    for (qint64 deviceId : deviceIds) {
        q.bindValue(0, campaignId);
        q.bindValue(1, deviceId);
        q.bindValue(2, state);
        q.bindValue(3, when);
        if (!q.exec())
            return fail(QStringLiteral("adding device %1 to the campaign failed: %2").arg(deviceId).arg(q.lastError().text()));
    }
    return qint64(deviceIds.size());
}

Result<void> CampaignRepository::setItemState(qint64 campaignId, qint64 deviceId, const QString &state,
                                              const QString &reason, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("UPDATE campaign_item SET state = ?, reason = ?, updated_at = ?"
                                         " WHERE campaign_id = ? AND device_id = ?"),
                          { state, text(reason), storedTime(at), campaignId, deviceId }, "recording a campaign step");
        !ok)
        return ok;
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("device %1 is not part of campaign %2").arg(deviceId).arg(campaignId));
    return {};
}

Result<QList<CampaignItemRecord>> CampaignRepository::items(qint64 campaignId, std::optional<QString> state)
{
    QSqlQuery q(m_db);
    const QString sql = QStringLiteral("SELECT device_id, state, reason FROM campaign_item WHERE campaign_id = ?")
        + (state ? QStringLiteral(" AND state = ?") : QString()) + QStringLiteral(" ORDER BY id");
    if (auto ok = state ? execute(q, sql, { campaignId, *state }, "listing campaign items")
                        : execute(q, sql, { campaignId }, "listing campaign items");
        !ok)
        return ok.error();
    QList<CampaignItemRecord> out;
    while (q.next())
        out.append({ q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString() });
    return out;
}

Result<QHash<QString, qint64>> CampaignRepository::countByState(qint64 campaignId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT state, count(*) FROM campaign_item WHERE campaign_id = ? GROUP BY state"),
                          { campaignId }, "counting campaign items");
        !ok)
        return ok.error();
    QHash<QString, qint64> out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toLongLong());
    return out;
}

Result<std::optional<CampaignRecord>> CampaignRepository::find(qint64 campaignId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT id, name, kind, target_operator_id, new_customer_id, state, settings,"
                                         " created_by FROM campaign WHERE id = ?"),
                          { campaignId }, "reading a campaign");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<CampaignRecord>();
    return std::optional<CampaignRecord>(CampaignRecord { q.value(0).toLongLong(), q.value(1).toString(),
                                                          q.value(2).toString(), q.value(3).toLongLong(),
                                                          optionalFrom<qint64>(q.value(4)), q.value(5).toString(),
                                                          q.value(6).toString(), q.value(7).toString() });
}

} // namespace simfleet::store
