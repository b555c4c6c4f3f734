#pragma once

#include "campaignitem.h"
#include "core/result.h"
#include "store/auditauthor.h"

#include <QDateTime>
#include <QMap>
#include <QMutex>

namespace simfleet {
class Clock;
}
namespace simfleet::store {
class Workspace;
}

namespace simfleet::campaigns {

// Records a run's steps (DESIGN.md "Subscription change": each step's intent is stored before
// the step is sent, each outcome before the next step starts) and counts the devices in each
// state for progress. Thread-safe: the run's workers record their devices' steps through it.
class StepRecorder
{
public:
    struct Campaign
    {
        qint64 id = 0;
        store::AuditAuthor actor;            // whoever runs it answers for what it does
        std::optional<qint64> newCustomerId; // a change that also moves the devices to a new owner
        QString kind;                        // initial-provisioning or subscription-change: the ledger's event
        QString targetOperator;              // for the audit entries
    };
    StepRecorder(store::Workspace &workspace, Campaign campaign, const Clock &clock);

    // Counts a device found in this state when the run began.
    void countFound(ItemState state);
    // Applies steps to their items and the store together; false when the store refused, which
    // ends these devices' work for this run (they are taken up again on resume).
    bool advanceAll(QList<std::pair<CampaignItem *, ItemStep>> steps);
    bool advance(CampaignItem &item, ItemStep step) { return advanceAll({ { &item, std::move(step) } }); }
    // Counts a device that moved between states outside advanceAll (its step stored otherwise).
    void moved(ItemState from, ItemState to);

    // A device that ends failed, audited as a profile change.
    ItemStep failure(const CampaignItem &item, const QString &reason, const ItemStep::ProfileStates &profiles = {}) const;
    // The audit details of a device's change.
    QJsonObject change(const CampaignItem &item, const QString &outcome, const QString &reason) const;

    QMap<ItemState, qint64> byState() const;
    const Campaign &campaign() const { return m_campaign; }

private:
    Result<void> persist(const QList<std::pair<CampaignItem, ItemStep>> &steps);

    store::Workspace &m_workspace;
    const Campaign m_campaign;
    const Clock &m_clock;
    mutable QMutex m_mutex;
    QMap<ItemState, qint64> m_byState;
};

} // namespace simfleet::campaigns
