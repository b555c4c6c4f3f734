#include "steprecorder.h"
#include "campaign.h"
#include "campaignslog.h"

#include "core/clock.h"
#include "store/auditlog.h"
#include "store/campaignrepository.h"
#include "store/devicerepository.h"
#include "store/profilerepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

namespace simfleet::campaigns {

StepRecorder::StepRecorder(store::Workspace &workspace, Campaign campaign, const Clock &clock)
    : m_workspace(workspace), m_campaign(std::move(campaign)), m_clock(clock)
{
}

void StepRecorder::countFound(ItemState state)
{
    QMutexLocker lock(&m_mutex);
    ++m_byState[state];
}

void StepRecorder::moved(ItemState from, ItemState to)
{
    QMutexLocker lock(&m_mutex);
    if (from == to)
        return;
    if (--m_byState[from] <= 0)
        m_byState.remove(from);
    ++m_byState[to];
}

QMap<ItemState, qint64> StepRecorder::byState() const
{
    QMutexLocker lock(&m_mutex);
    return m_byState;
}

Result<void> StepRecorder::persist(const QList<std::pair<CampaignItem, ItemStep>> &steps)
{
    const QDateTime now = m_clock.now();
    const Campaign campaign = m_campaign;
    // One writer job: a batch's steps reach the disk in one transaction, and the caller waits
    // until they have.
    return m_workspace.writer().run([&steps, &campaign, now](QSqlDatabase &db) -> Result<void> {
        store::ProfileRepository profiles(db);
        store::CampaignRepository items(db);
        store::DeviceRepository devices(db);
        // One signature for the batch: the last audited step's covers the others through the
        // chain (AuditSigning::ByNextEntry), so a batch costs one ECDSA signature, not hundreds.
        qsizetype lastAudited = -1;
        for (qsizetype i = 0; i < steps.size(); ++i) {
            if (!steps.at(i).second.auditAction.isEmpty())
                lastAudited = i;
        }
        // The periods a step opens are the new owner's from their first instant.
        const store::LedgerCause cause { campaign.id, campaign.kind, campaign.newCustomerId };
        qsizetype index = -1;
        for (const auto &[item, step] : steps) {
            ++index;
            for (const auto &[profileId, state] : step.profileStates) {
                if (auto ok = profiles.setState(profileId, state, now, cause); !ok)
                    return ok;
            }
            const store::CampaignItemStep recorded { item.deviceId, itemStateName(step.state), step.reason, step.attempts,
                                                     step.oldProfileId, step.newProfileId };
            if (auto ok = items.recordStep(campaign.id, recorded, now); !ok)
                return ok;
            if (step.moveDevice && campaign.newCustomerId) {
                if (auto ok = devices.moveToCustomersFleet(item.deviceId, *campaign.newCustomerId); !ok)
                    return ok;
            }
            if (!step.auditAction.isEmpty()) {
                QJsonObject details = step.auditDetails;
                details.insert(QStringLiteral("campaign"), campaign.id);
                if (auto ok = store::AuditLog::record(db, now, campaign.actor, step.auditAction, QStringLiteral("device:") + item.eid,
                                                      details,
                                                      index == lastAudited ? store::AuditSigning::Now
                                                                           : store::AuditSigning::ByNextEntry);
                    !ok)
                    return ok;
            }
        }
        return {};
    });
}

bool StepRecorder::advanceAll(QList<std::pair<CampaignItem *, ItemStep>> steps)
{
    if (steps.isEmpty())
        return true;
    QList<std::pair<CampaignItem, ItemStep>> writes;
    writes.reserve(steps.size());
    for (auto &[item, step] : steps) {
        step.attempts = step.attempts ? step.attempts : item->attempts;
        if (!step.oldProfileId)
            step.oldProfileId = item->oldProfileId;
        if (!step.newProfileId)
            step.newProfileId = item->newProfileId;
        writes.append({ *item, step });
    }
    if (auto ok = persist(writes); !ok) {
        qCWarning(lcCampaigns) << "campaign" << m_campaign.id << "could not record" << writes.size() << "steps:" << ok.errorMessage();
        return false;
    }
    for (auto &[item, step] : steps) {
        moved(item->state, step.state);
        item->state = step.state;
        item->reason = step.reason;
        item->attempts = step.attempts;
        item->oldProfileId = step.oldProfileId;
        item->newProfileId = step.newProfileId;
    }
    return true;
}

ItemStep StepRecorder::failure(const CampaignItem &item, const QString &reason, const ItemStep::ProfileStates &profiles) const
{
    return ItemStep(ItemState::Failed, reason)
        .withProfiles(profiles)
        .audited(QStringLiteral("profile.change"), change(item, QStringLiteral("failed"), reason));
}

QJsonObject StepRecorder::change(const CampaignItem &item, const QString &outcome, const QString &reason) const
{
    return { { QStringLiteral("outcome"), outcome },
             { QStringLiteral("from_iccid"), item.oldIccid },
             { QStringLiteral("to_iccid"), item.newIccid },
             { QStringLiteral("operator"), m_campaign.targetOperator },
             { QStringLiteral("reason"), reason } };
}

} // namespace simfleet::campaigns
