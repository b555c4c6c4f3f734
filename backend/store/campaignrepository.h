#pragma once

#include "core/result.h"
#include "scope.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>
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
    QString note;        // read only: what the last run said
    QDateTime startedAt; // read only; invalid until it first ran
    QDateTime finishedAt;
};

// One device of a campaign as a run takes it up: where it stands, the profiles the change
// involves, and the profile enabled on it now (with its operator's policy).
struct CampaignRunItem
{
    qint64 deviceId = 0;
    QString eid;
    QString state;
    QString reason;
    int attempts = 0;
    std::optional<qint64> oldProfileId;
    QString oldIccid;
    qint64 oldOperatorId = 0;
    std::optional<qint64> newProfileId;
    QString newIccid;
    std::optional<qint64> enabledProfileId;
    QString enabledIccid;
    qint64 enabledOperatorId = 0;
    bool enabledDisableAllowed = true;
};

// What one step of one device leaves in its campaign item.
struct CampaignItemStep
{
    qint64 deviceId = 0;
    QString state;
    QString reason;
    int attempts = 0;
    std::optional<qint64> oldProfileId;
    std::optional<qint64> newProfileId;
};

// A line of a campaign's report: one device's outcome. No secrets.
struct CampaignReportRow
{
    QString eid;
    QString state;
    QString reason;
    int attempts = 0;
    QString oldIccid;
    QString newIccid;
    QString newImsi;
    QString updatedAt;
    QString waitingSince; // a device on the network the campaign waits for: since when (empty: not waiting)
    QString lastSeenAt;   // a device on the network: when its IPA last checked in (to the minute; empty: never)
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
    // Campaigns for devices on the network that simfleet's eIM is to run: created, or left
    // running by a run that ended (settings "devices": "network"), oldest first.
    Result<QList<qint64>> networkCampaignsToRun();

    // A run's bookkeeping; the per-device writes keep their statements prepared in the writer.
    Result<QList<CampaignRunItem>> runItems(qint64 campaignId);
    Result<void> recordStep(qint64 campaignId, const CampaignItemStep &step, const QDateTime &at);
    Result<void> markStarted(qint64 campaignId, const QDateTime &at, const QString &note);
    Result<void> markEnded(qint64 campaignId, const QString &state, const QDateTime &at, const QString &note);
    Result<void> setSettings(qint64 campaignId, const QString &settings);
    // Devices not yet started are cancelled with the campaign.
    Result<void> cancelUnstarted(qint64 campaignId, const QDateTime &at);
    // Failed, rolled-back and cancelled devices go back to pending; returns how many.
    Result<qint64> resetForRetry(qint64 campaignId, const QDateTime &at);
    // Of the devices given, those standing between two steps of a campaign's change (its run
    // reconciles them itself on resume), each with that campaign.
    Result<QHash<qint64, qint64>> midChange(const QList<qint64> &deviceIds);
    // Devices of a campaign for devices on the network that it now waits for to check in (since:
    // when they began waiting; a device already waiting keeps its time), or no longer (nullopt).
    // Recording a step clears it too: a step is recorded while the device is in session.
    Result<void> markWaiting(qint64 campaignId, const QList<qint64> &deviceIds, const std::optional<QDateTime> &since);

    // Reading, within what the reader may see (Scope conditions on campaign c and item ci).
    Result<bool> isVisible(qint64 campaignId, const Scope::Condition &visible);
    Result<QList<qint64>> visibleIds(const Scope::Condition &visible);
    struct OutcomeCount
    {
        QString state;
        QString reason;
        qint64 count = 0;
        bool waiting = false; // waiting for their devices' check-in
    };
    Result<QList<OutcomeCount>> outcomes(qint64 campaignId, const Scope::Condition &items);
    // profiles limits which profiles' ICCIDs and IMSIs the rows show (Scope::profiles over "p");
    // the others' cells are empty.
    Result<void> forEachReportRow(qint64 campaignId, const Scope::Condition &items, const Scope &profiles,
                                  const std::function<Result<void>(const CampaignReportRow &)> &visit);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
