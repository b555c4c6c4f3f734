#include "campaignrepository.h"
#include "core/clock.h"
#include "dialect.h"
#include "sqlhelpers.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace simfleet::store {

Result<qint64> CampaignRepository::create(const CampaignRecord &c, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO campaign (name, kind, target_operator_id, new_customer_id, state,"
                                         " settings, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                          { c.name, c.kind, c.targetOperatorId, optionalValue(c.newCustomerId), c.state,
                            c.settings.isEmpty() ? QStringLiteral("{}") : c.settings, c.createdBy, storedTime(at) },
                          "creating a campaign");
        !ok)
        return ok.error();
    return insertedId(q);
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
                                         " created_by, note, started_at, finished_at FROM campaign WHERE id = ?"),
                          { campaignId }, "reading a campaign");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<CampaignRecord>();
    CampaignRecord c;
    c.id = q.value(u"id"_s).toLongLong();
    c.name = q.value(u"name"_s).toString();
    c.kind = q.value(u"kind"_s).toString();
    c.targetOperatorId = q.value(u"target_operator_id"_s).toLongLong();
    c.newCustomerId = optionalFrom<qint64>(q.value(u"new_customer_id"_s));
    c.state = q.value(u"state"_s).toString();
    c.settings = q.value(u"settings"_s).toString();
    c.createdBy = q.value(u"created_by"_s).toString();
    c.note = q.value(u"note"_s).toString();
    c.startedAt = QDateTime::fromString(q.value(u"started_at"_s).toString(), Qt::ISODateWithMs);
    c.finishedAt = QDateTime::fromString(q.value(u"finished_at"_s).toString(), Qt::ISODateWithMs);
    return std::optional<CampaignRecord>(std::move(c));
}

Result<QList<CampaignRunItem>> CampaignRepository::runItems(qint64 campaignId)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (auto ok = execute(q,
                          QStringLiteral(
                              "SELECT ci.device_id, d.eid, ci.state, ci.reason, ci.attempts,"
                              " ci.old_profile_id, old.iccid AS old_iccid, old.operator_id AS old_operator_id,"
                              " ci.new_profile_id, nw.iccid AS new_iccid,"
                              " cur.id AS enabled_id, cur.iccid AS enabled_iccid, cur.operator_id AS enabled_operator_id,"
                              " op.disable_allowed AS enabled_disable_allowed"
                              " FROM campaign_item ci JOIN device d ON d.id = ci.device_id"
                              " LEFT JOIN profile cur ON cur.device_id = ci.device_id AND cur.state = 'enabled'"
                              " LEFT JOIN operator op ON op.id = cur.operator_id"
                              " LEFT JOIN profile old ON old.id = ci.old_profile_id"
                              " LEFT JOIN profile nw ON nw.id = ci.new_profile_id"
                              " WHERE ci.campaign_id = ? ORDER BY ci.id"),
                          { campaignId }, "reading the campaign's devices");
        !ok)
        return ok.error();
    const ColumnIndex col(q);
    const int deviceId = col("device_id"), eid = col("eid"), state = col("state"), reason = col("reason"),
              attempts = col("attempts"), oldId = col("old_profile_id"), oldIccid = col("old_iccid"),
              oldOperator = col("old_operator_id"), newId = col("new_profile_id"), newIccid = col("new_iccid"),
              enabledId = col("enabled_id"), enabledIccid = col("enabled_iccid"), enabledOperator = col("enabled_operator_id"),
              enabledDisableAllowed = col("enabled_disable_allowed");
    QList<CampaignRunItem> out;
    while (q.next()) {
        CampaignRunItem it;
        it.deviceId = q.value(deviceId).toLongLong();
        it.eid = q.value(eid).toString();
        it.state = q.value(state).toString();
        it.reason = q.value(reason).toString();
        it.attempts = q.value(attempts).toInt();
        it.oldProfileId = optionalFrom<qint64>(q.value(oldId));
        it.oldIccid = q.value(oldIccid).toString();
        it.oldOperatorId = q.value(oldOperator).toLongLong();
        it.newProfileId = optionalFrom<qint64>(q.value(newId));
        it.newIccid = q.value(newIccid).toString();
        it.enabledProfileId = optionalFrom<qint64>(q.value(enabledId));
        it.enabledIccid = q.value(enabledIccid).toString();
        it.enabledOperatorId = q.value(enabledOperator).toLongLong();
        it.enabledDisableAllowed = q.value(enabledDisableAllowed).isNull() || q.value(enabledDisableAllowed).toBool();
        out.append(std::move(it));
    }
    return out;
}

Result<void> CampaignRepository::recordStep(qint64 campaignId, const CampaignItemStep &step, const QDateTime &at)
{
    auto done = executeWrite(m_db,
                             QStringLiteral("UPDATE campaign_item SET state = ?, reason = ?, updated_at = ?, attempts = ?,"
                                            " old_profile_id = ?, new_profile_id = ?, waiting_since = NULL"
                                            " WHERE campaign_id = ? AND device_id = ?"),
                             { step.state, text(step.reason), storedTime(at), step.attempts, optionalValue(step.oldProfileId),
                               optionalValue(step.newProfileId), campaignId, step.deviceId },
                             "recording a campaign step");
    if (!done)
        return done.error();
    if (done->rowsAffected != 1)
        return fail(QStringLiteral("device %1 is not part of campaign %2").arg(step.deviceId).arg(campaignId));
    return {};
}

Result<void> CampaignRepository::markStarted(qint64 campaignId, const QDateTime &at, const QString &note)
{
    QSqlQuery q(m_db);
    return execute(q,
                   QStringLiteral("UPDATE campaign SET state = 'running', started_at = coalesce(started_at, ?),"
                                  " finished_at = NULL, note = ? WHERE id = ?"),
                   { storedTime(at), text(note), campaignId }, "starting the campaign");
}

Result<void> CampaignRepository::markEnded(qint64 campaignId, const QString &state, const QDateTime &at, const QString &note)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE campaign SET state = ?, finished_at = ?, note = ? WHERE id = ?"),
                   { state, storedTime(at), text(note), campaignId }, "recording how the campaign ended");
}

Result<void> CampaignRepository::setSettings(qint64 campaignId, const QString &settings)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE campaign SET settings = ? WHERE id = ?"), { settings, campaignId },
                   "recording the campaign's settings");
}

Result<void> CampaignRepository::cancelUnstarted(qint64 campaignId, const QDateTime &at)
{
    QSqlQuery q(m_db);
    return execute(q,
                   QStringLiteral("UPDATE campaign_item SET state = 'cancelled', reason = 'cancelled', updated_at = ?,"
                                  " waiting_since = NULL WHERE campaign_id = ? AND state IN ('pending', 'attesting')"),
                   { storedTime(at), campaignId }, "cancelling the devices not started");
}

Result<QHash<qint64, qint64>> CampaignRepository::midChange(const QList<qint64> &deviceIds)
{
    QHash<qint64, qint64> out;
    constexpr qsizetype chunk = 500;
    for (qsizetype from = 0; from < deviceIds.size(); from += chunk) {
        const QList<qint64> ids = deviceIds.mid(from, chunk);
        QStringList marks;
        QVariantList values;
        for (qint64 id : ids) {
            marks.append(QStringLiteral("?"));
            values.append(id);
        }
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (auto ok = execute(q,
                              QStringLiteral("SELECT device_id, campaign_id FROM campaign_item WHERE device_id IN (%1)"
                                             " AND state NOT IN ('pending', 'attesting', 'succeeded', 'failed', 'rolled-back',"
                                             " 'skipped', 'cancelled')")
                                  .arg(marks.join(u',')),
                              values, "finding devices in the middle of a change");
            !ok)
            return ok.error();
        while (q.next())
            out.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
    }
    return out;
}

Result<void> CampaignRepository::markWaiting(qint64 campaignId, const QList<qint64> &deviceIds, const std::optional<QDateTime> &since)
{
    constexpr qsizetype chunk = 500;
    for (qsizetype from = 0; from < deviceIds.size(); from += chunk) {
        const QList<qint64> ids = deviceIds.mid(from, chunk);
        QStringList marks;
        QVariantList values { since ? QVariant(storedTime(*since)) : QVariant(), campaignId };
        for (qint64 id : ids) {
            marks.append(QStringLiteral("?"));
            values.append(id);
        }
        QSqlQuery q(m_db);
        // The first time a device began waiting is kept: the monitor says since when.
        if (auto ok = execute(q,
                              QStringLiteral("UPDATE campaign_item SET waiting_since = %1 WHERE campaign_id = ? AND device_id IN (%2)")
                                  .arg(since ? QStringLiteral("coalesce(waiting_since, ?)") : QStringLiteral("?"), marks.join(u',')),
                              values, "recording which devices a campaign waits for");
            !ok)
            return ok;
    }
    return {};
}

Result<qint64> CampaignRepository::resetForRetry(qint64 campaignId, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("UPDATE campaign_item SET state = 'pending', reason = '', old_profile_id = NULL,"
                                         " new_profile_id = NULL, attempts = 0, updated_at = ?, waiting_since = NULL"
                                         " WHERE campaign_id = ? AND state IN ('failed', 'rolled-back', 'cancelled')"),
                          { storedTime(at), campaignId }, "returning failed devices to the campaign");
        !ok)
        return ok.error();
    return qint64(q.numRowsAffected());
}

Result<bool> CampaignRepository::isVisible(qint64 campaignId, const Scope::Condition &visible)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT 1 FROM campaign c WHERE c.id = ? AND %1").arg(visible.sql),
                          QVariantList { campaignId } + visible.values, "looking up a campaign");
        !ok)
        return ok.error();
    return q.next();
}

Result<QList<qint64>> CampaignRepository::visibleIds(const Scope::Condition &visible)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT c.id FROM campaign c WHERE %1 ORDER BY c.id").arg(visible.sql), visible.values,
                          "listing campaigns");
        !ok)
        return ok.error();
    QList<qint64> ids;
    while (q.next())
        ids.append(q.value(0).toLongLong());
    return ids;
}

Result<QList<CampaignRepository::OutcomeCount>> CampaignRepository::outcomes(qint64 campaignId, const Scope::Condition &items)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT ci.state, ci.reason, ci.waiting_since IS NOT NULL AS waiting, count(*) AS n"
                                         " FROM campaign_item ci WHERE ci.campaign_id = ? AND %1 GROUP BY 1, 2, 3")
                              .arg(items.sql),
                          QVariantList { campaignId } + items.values, "counting the campaign's outcomes");
        !ok)
        return ok.error();
    QList<OutcomeCount> out;
    while (q.next())
        out.append({ q.value(u"state"_s).toString(), q.value(u"reason"_s).toString(), q.value(u"n"_s).toLongLong(),
                     q.value(u"waiting"_s).toBool() });
    return out;
}

Result<void> CampaignRepository::forEachReportRow(qint64 campaignId, const Scope::Condition &items, const Scope &profiles,
                                                  const std::function<Result<void>(const CampaignReportRow &)> &visit)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    // An account manager sees the numbers of their own operator's profiles only: the other side
    // of a change (the profile it left or the one it moved to) shows empty cells.
    const Scope::Condition oldMine = profiles.profiles(QStringLiteral("old"));
    const Scope::Condition newMine = profiles.profiles(QStringLiteral("nw"));
    if (auto ok = execute(q,
                          QStringLiteral("SELECT d.eid, ci.state, ci.reason, ci.attempts, old.iccid AS old_iccid,"
                                         " nw.iccid AS new_iccid, nw.imsi AS new_imsi, ci.updated_at, ci.waiting_since, e.last_seen_at"
                                         " FROM campaign_item ci JOIN device d ON d.id = ci.device_id"
                                         " LEFT JOIN eim_device e ON e.eid = d.eid"
                                         " LEFT JOIN profile old ON old.id = ci.old_profile_id AND %2"
                                         " LEFT JOIN profile nw ON nw.id = ci.new_profile_id AND %3"
                                         " WHERE ci.campaign_id = ? AND %1 ORDER BY ci.id")
                              .arg(items.sql, oldMine.sql, newMine.sql),
                          oldMine.values + newMine.values + QVariantList { campaignId } + items.values,
                          "reading the campaign's report");
        !ok)
        return ok;
    const ColumnIndex col(q);
    const int eid = col("eid"), state = col("state"), reason = col("reason"), attempts = col("attempts"),
              oldIccid = col("old_iccid"), newIccid = col("new_iccid"), newImsi = col("new_imsi"), updatedAt = col("updated_at"),
              waitingSince = col("waiting_since"), lastSeenAt = col("last_seen_at");
    while (q.next()) {
        const CampaignReportRow row { q.value(eid).toString(),      q.value(state).toString(),    q.value(reason).toString(),
                                      q.value(attempts).toInt(),    q.value(oldIccid).toString(), q.value(newIccid).toString(),
                                      q.value(newImsi).toString(),  q.value(updatedAt).toString(),
                                      q.value(waitingSince).toString(), q.value(lastSeenAt).toString() };
        if (auto ok = visit(row); !ok)
            return ok;
    }
    return {};
}

Result<QList<qint64>> CampaignRepository::networkCampaignsToRun()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT id FROM campaign WHERE state IN ('created', 'running')"
                                            " AND %1 = 'network' ORDER BY id")
                                 .arg(jsonText(dialectOf(m_db), QStringLiteral("settings"), QStringLiteral("devices"))),
                          {}, "finding the campaigns for devices on the network");
        !ok)
        return ok.error();
    QList<qint64> out;
    while (q.next())
        out.append(q.value(0).toLongLong());
    return out;
}

} // namespace simfleet::store
