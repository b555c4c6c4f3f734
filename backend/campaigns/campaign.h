#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include <atomic>
#include <optional>

namespace simfleet::campaigns {

// Text only at the store, JSON and display boundaries; everything else switches on the enums,
// so -Wswitch checks every state machine.
enum class CampaignKind { InitialProvisioning, SubscriptionChange };
QString kindName(CampaignKind kind);
std::optional<CampaignKind> kindFromName(QStringView name);

enum class CampaignState { Created, Running, Paused, Interrupted, Finished, Cancelled };
QString campaignStateName(CampaignState state);
std::optional<CampaignState> campaignStateFromName(QStringView name);

// How a campaign runs; stored with it as JSON so a resumed run behaves the same.
struct CampaignSettings
{
    int batchSize = 256;       // devices attested and issued credentials together
    int concurrency = 32;      // devices in flight at once
    double ratePerSecond = 0;  // devices started per second; 0: as fast as the devices answer
    int canaryPercent = 0;     // staged rollout: this share first...
    int minSuccessPercent = 90; // ...and the rest only if at least this share of it succeeded
    int answerTimeoutMs = 10000;
    int attempts = 3;          // per step, for devices that do not answer or restart
    int backoffMs = 2000;      // before the second attempt; doubled each time
    QString traceDirectory;    // where the protocol trace goes (devices::ProtocolTrace); empty: none
    // The devices are on the network (SGP.32: they poll simfleet's eIM, which runs the campaign,
    // `simfleet-cli serve`), not in the simulated field beside the workspace.
    bool network = false;
    // Devices on the network come and go: the run waits for each to check in, until the deadline
    // (set when the campaign is created, renewed when its failures are retried); a device that
    // has not checked in by then ends failed, not-reached (retryable).
    qint64 deadlineSeconds = 7 * 24 * 3600;
    QDateTime deadline;

    QJsonObject toJson() const;
    // Reads a duration as `90s`, `45m`, `2h` or `7d` (a bare number is seconds); nothing for
    // anything else, or for one not above zero.
    static std::optional<qint64> parseDuration(QStringView text);
    static CampaignSettings fromJson(const QJsonObject &json);
};

// What to change: devices, the operator they move to and, optionally, the customer that owns
// them afterwards (a meter fleet moving to a new power supplier).
struct CampaignRequest
{
    CampaignKind kind = CampaignKind::SubscriptionChange;
    QString name;
    qint64 targetOperatorId = 0;
    std::optional<qint64> newCustomerId;
    QList<qint64> deviceIds;
    CampaignSettings settings;
};

// Per-device states (persisted before each step is sent, DESIGN.md "Subscription change").
enum class ItemState {
    Pending,
    Attesting,
    Downloading,
    Enabling,
    Confirming,
    DeletingOld,
    RollingBack,
    // final
    Succeeded,
    Failed,
    RolledBack,
    Skipped,
    Cancelled,
};
QString itemStateName(ItemState state);
std::optional<ItemState> itemStateFromName(QStringView name);
bool isFinal(ItemState state);

struct CampaignProgress
{
    qint64 campaignId = 0;
    qint64 total = 0;
    qint64 done = 0; // items in a final state
    QMap<ItemState, qint64> byState;
    double elapsedSeconds = 0;
    double devicesPerSecond = 0;
    qint64 waiting = 0; // devices on the network the run waits for to check in
};

struct CampaignSummary
{
    qint64 campaignId = 0;
    QString name;
    CampaignKind kind = CampaignKind::SubscriptionChange;
    CampaignState state = CampaignState::Created; // Running but nobody runs it: Interrupted
    QString note;
    qint64 total = 0;
    qint64 succeeded = 0;
    qint64 failed = 0;
    qint64 rolledBack = 0;
    qint64 skipped = 0;
    qint64 cancelled = 0;
    qint64 unfinished = 0;
    qint64 waiting = 0; // of the unfinished, devices on the network the campaign waits for to check in
    QMap<QString, qint64> byReason;
    double seconds = 0;
    QJsonObject toJson() const;
};

// Pause or cancel a running campaign from another thread. Devices in flight finish the step
// they are in (never left mid-step); nothing new starts.
class CampaignControl
{
public:
    void pause() { m_request.store(Pause); }
    void cancel() { m_request.store(Cancel); }
    bool pauseRequested() const { return m_request.load() == Pause; }
    bool cancelRequested() const { return m_request.load() == Cancel; }
    bool stopRequested() const { return m_request.load() != None; }

private:
    enum Request { None, Pause, Cancel };
    std::atomic<int> m_request { None };
};

} // namespace simfleet::campaigns

Q_DECLARE_METATYPE(simfleet::campaigns::CampaignProgress)
