#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace simfleet::store {

struct CampaignRecord
{
    qint64 id = 0;
    QString name;
    QString kind; // initial-provisioning or subscription-change
    qint64 targetOperatorId = 0;
    std::optional<qint64> newCustomerId;
    QString state;    // e.g. draft, running, paused, cancelled, finished
    QString settings; // JSON: batch size, rate, canary share, schedule
    QString createdBy;
};

struct CampaignItemRecord
{
    qint64 deviceId = 0;
    QString state; // the per-device step (persisted before the step is sent)
    QString reason;
};

// Campaigns and their per-device items: the persisted intent a campaign resumes from.
class CampaignRepository
{
public:
    explicit CampaignRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<qint64> create(const CampaignRecord &campaign, const QDateTime &at);
    Result<void> setState(qint64 campaignId, const QString &state);
    Result<qint64> addItems(qint64 campaignId, const QList<qint64> &deviceIds, const QString &state, const QDateTime &at);
    Result<void> setItemState(qint64 campaignId, qint64 deviceId, const QString &state, const QString &reason,
                              const QDateTime &at);
    Result<QList<CampaignItemRecord>> items(qint64 campaignId, std::optional<QString> state = std::nullopt);
    Result<QHash<QString, qint64>> countByState(qint64 campaignId);
    Result<std::optional<CampaignRecord>> find(qint64 campaignId);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
