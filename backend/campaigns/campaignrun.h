#pragma once

#include "campaign.h"
#include "campaignitem.h"
#include "core/result.h"
#include "crypto/chainverifier.h"
#include "profiles/activationcodebook.h"
#include "devicechange.h"
#include "protocol/profilepackage.h"
#include "store/campaignrepository.h"
#include "store/records.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QSet>
#include <QThreadPool>
#include <QWaitCondition>

#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <optional>

namespace simfleet::access {
class Session;
}
namespace simfleet::attestation {
class AttestationService;
}
namespace simfleet::devices {
class DeviceLinkProvider;
class ProtocolTrace;
}
namespace simfleet::net {
class RemoteProfileServer;
}
namespace simfleet::profiles {
class ProfileServer;
}
namespace simfleet::store {
class Workspace;
}

namespace simfleet::campaigns {

class StepRecorder;

// One run of a campaign (CampaignService::run): takes the devices not yet started in batches
// (screened, attested, issued their credentials) and hands each to a worker that changes it
// (DeviceChange), at the campaign's rate, canary share first; devices a crash left mid-change
// are reconciled first. Ends when every device is done, or on pause or cancel, and records how
// the campaign stands.
class CampaignRun
{
public:
    using ProgressSink = std::function<void(const CampaignProgress &)>;
    CampaignRun(store::Workspace &workspace, devices::DeviceLinkProvider &links, const access::Session &by,
                CampaignControl *control, ProgressSink progress, int progressIntervalMs);
    ~CampaignRun();
    CampaignRun(const CampaignRun &) = delete;
    CampaignRun &operator=(const CampaignRun &) = delete;

    Result<CampaignSummary> execute(qint64 campaignId);

private:
    // What issuing a batch's credentials came to (it runs beside the feeder).
    struct Issued
    {
        Result<void> outcome; // failed only when the store failed: the run stops
        QString exhaustedNote;
        QList<CampaignItem> unissued;
    };

    Result<void> prepare(qint64 campaignId);
    Result<void> loadItems();
    Result<void> feed();
    // Devices on the network (SGP.32): each device is taken up when it checks in, until every
    // device is done or the campaign's deadline passes.
    Result<void> feedAsDevicesCheckIn();
    // A device on the network checked in (called on the eIM's threads): true when the run has it
    // in session, or takes it up now.
    bool checkedIn(const QString &eid);
    // A device on the network went silent mid-change: it waits for its next check-in, when its
    // change resumes from what it reports.
    void wentAway(CampaignItem item, bool resumes);
    // Devices on the network whose part in the run ended before a worker took them (refused by
    // their attestation, no activation code, no numbers left): their session ends.
    void leaveSession(const QList<CampaignItem> &items);
    // At the deadline (reason not-reached, retryable) or when the numbers ran out: the devices
    // still waiting that were never reached end failed, and are counted; devices that went silent
    // mid-change stay where they are, unresolved.
    Result<qint64> endWaiting(const QString &reason);
    Result<QList<CampaignItem>> screen(QList<CampaignItem> &batch);
    // unanswered: when given, devices that did not answer go there instead of failing.
    Result<QList<CampaignItem>> attestGate(QList<CampaignItem> &toAttest, QList<CampaignItem> *unanswered = nullptr);
    Issued issueAndDispatch(QList<CampaignItem> cleared);
    Issued claimAndDispatch(QList<CampaignItem> cleared);
    bool settleIssuing(QList<CampaignItem> *alsoRefuse);
    // Issues a batch's credentials beside the feeder once the batch before is settled; false when
    // the run cannot go on (settleIssuing).
    bool issueBeside(QList<CampaignItem> cleared);
    // The last batch issued and every device in flight done.
    Result<void> drainAll();
    Result<bool> canaryHolds();
    Result<CampaignSummary> finish();

    void dispatch(CampaignItem item, std::optional<protocol::ProfileContent> content, bool reconcile,
                  std::optional<profiles::ClaimedCode> code = std::nullopt);
    // A device a crash (or its silence) left mid-change, with what its remaining steps need.
    void dispatchResumed(CampaignItem item);
    std::optional<protocol::ProfileContent> contentFor(qint64 profileId) const;
    std::optional<profiles::ClaimedCode> codeFor(qint64 profileId) const;
    void paceByRate(qint64 startedSoFar);
    void reportProgress(bool force);
    // Waits until at most `limit` devices are in flight, reporting progress meanwhile.
    void drainTo(qint64 limit);
    Error storeRefused() const;

    store::Workspace &m_workspace;
    devices::DeviceLinkProvider &m_links;
    // With a protocol trace, the links the run talks through (links() picks).
    std::unique_ptr<devices::DeviceLinkProvider> m_tracingLinks;
    std::shared_ptr<devices::ProtocolTrace> m_trace;
    devices::DeviceLinkProvider &links() { return m_tracingLinks ? *m_tracingLinks : m_links; }
    const access::Session &m_by;
    CampaignControl *m_control;
    ProgressSink m_progress;
    const int m_progressIntervalMs;

    qint64 m_id = 0;
    store::CampaignRecord m_record;
    CampaignSettings m_settings;
    store::OperatorRecord m_target;
    bool m_initial = false;
    std::shared_ptr<profiles::ProfileServer> m_server;        // simfleet's own, or
    std::unique_ptr<net::RemoteProfileServer> m_remote;       // the operator's, elsewhere
    crypto::ChainVerifier m_deviceTrust;
    std::unique_ptr<StepRecorder> m_steps;
    ReconcileFindings m_findings;
    std::unique_ptr<ChangeContext> m_context;
    std::unique_ptr<attestation::AttestationService> m_attestation;

    std::deque<CampaignItem> m_pending;
    QList<CampaignItem> m_resumed;
    qint64 m_total = 0;
    qint64 m_doneBefore = 0; // items already final when this run began (a resumed or retried campaign)
    qint64 m_canarySize = 0;
    qint64 m_started = 0;
    QString m_note;
    bool m_canaryHeld = false;
    bool m_exhausted = false;
    std::optional<Error> m_issueError;
    QDateTime m_rateStart;
    QElapsedTimer m_elapsed;

    QMutex m_mutex; // m_inFlight, m_lastProgressMs, and the devices on the network below
    QWaitCondition m_changed;
    qint64 m_inFlight = 0;
    qint64 m_lastProgressMs = -1000000;
    // Devices on the network: waiting for their check-in (by EID, with whether their change
    // resumes mid-way), checked in and not yet taken up, and in session (from check-in until
    // their change ends or they go silent).
    struct Waiting
    {
        CampaignItem item;
        bool resumes = false;
    };
    QHash<QString, Waiting> m_waitingFor;
    std::deque<Waiting> m_checkedIn;
    QSet<QString> m_inSession;

    // Last, so they go first: the batch being issued, then the workers, finish before anything
    // they use is gone.
    QThreadPool m_pool;
    std::future<Issued> m_issuing;
};

} // namespace simfleet::campaigns
