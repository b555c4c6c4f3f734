#pragma once

#include "campaign.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace simfleet::campaigns {

// One device's place in a campaign, as a run and its workers see it.
struct CampaignItem
{
    qint64 deviceId = 0;
    QString eid;
    ItemState state = ItemState::Pending;
    QString reason;
    int attempts = 0;
    std::optional<qint64> oldProfileId; // the profile enabled when the change began
    QString oldIccid;
    qint64 oldOperatorId = 0;
    bool oldDisableAllowed = true;
    std::optional<qint64> newProfileId;
    QString newIccid;
};

// What one step of one device leaves in the store, recorded in one transaction with the steps
// recorded beside it (StepRecorder).
struct ItemStep
{
    using ProfileStates = QList<std::pair<qint64, QString>>; // profile id -> state

    ItemStep(ItemState state_, QString reason_ = {}) : state(state_), reason(std::move(reason_)) { }
    ItemStep &withProfiles(ProfileStates profiles)
    {
        profileStates = std::move(profiles);
        return *this;
    }
    ItemStep &withAttempts(int n)
    {
        attempts = n;
        return *this;
    }
    // Audited as `action` on the device, with details; movesDevice: to the campaign's new owner.
    ItemStep &audited(QString action, QJsonObject details, bool movesDevice = false)
    {
        auditAction = std::move(action);
        auditDetails = std::move(details);
        moveDevice = movesDevice;
        return *this;
    }

    ItemState state;
    QString reason;
    std::optional<qint64> oldProfileId;
    std::optional<qint64> newProfileId;
    int attempts = 0;            // 0: the item's own count
    ProfileStates profileStates;
    bool moveDevice = false;     // to the new customer (on success)
    QString auditAction;         // empty: no audit entry
    QJsonObject auditDetails;
};

} // namespace simfleet::campaigns
