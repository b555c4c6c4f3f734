#pragma once

#include "campaign.h"
#include "campaignitem.h"
#include "core/result.h"
#include "devices/notificationcollector.h"
#include "profiles/activationcodebook.h"
#include "protocol/profilepackage.h"

#include <QMutex>
#include <QStringList>

#include <functional>
#include <optional>

namespace simfleet {
class Clock;
}
namespace simfleet::devices {
class DeviceLink;
}
namespace simfleet::crypto {
class ChainVerifier;
}
namespace simfleet::net {
class RemoteProfileServer;
}
namespace simfleet::eim {
class EsipaService;
}
namespace simfleet::profiles {
class ProfileServer;
}
namespace simfleet::store {
struct OperatorRecord;
}

namespace simfleet::campaigns {

class StepRecorder;

// What a run learns while reconciling its devices: the ones that did not answer (the campaign
// stays interrupted) and what each reconciled device reported. Thread-safe.
class ReconcileFindings
{
public:
    void unresolved();
    void found(const QString &finding);
    qint64 unresolvedCount() const;
    QStringList findings() const;

private:
    mutable QMutex m_mutex;
    qint64 m_unresolved = 0;
    QStringList m_findings;
};

// What every device's change in one run shares.
struct ChangeContext
{
    const CampaignSettings &settings;
    const store::OperatorRecord &target;
    // Where the new profile comes from: simfleet's own profile server (it issued the
    // credentials), or the operator's own one elsewhere (remote: the device's download relayed
    // with an activation code; the credentials stay with the operator). Exactly one is set.
    std::shared_ptr<const profiles::ProfileServer> server;
    const net::RemoteProfileServer *remote;
    // Set when the devices are on the network behind simfleet's eIM (SGP.32): their IPA drives
    // the download itself, with an activation code, through the eIM's relay.
    eim::EsipaService *network;
    const crypto::ChainVerifier &deviceTrust; // the certificate issuers devices chain to
    const Clock &clock;
    StepRecorder &steps;
    ReconcileFindings &findings;
};

// One device's subscription change from wherever it stands to a final state (DESIGN.md
// "Subscription change"): download the new profile disabled, enable it with the old one as
// fallback, confirm the device attached with the new credentials, delete the old one; if it does
// not attach, roll back to the old one. Each step's intent is recorded before it is sent. After a
// crash the device is first asked what it holds (reconcile). Runs on one of the run's workers.
class DeviceChange
{
public:
    // content: the new profile's credentials, for the steps that need them (download, confirm).
    // code: for a remote profile server, the activation code claimed for the new profile.
    DeviceChange(const ChangeContext &context, CampaignItem item, std::optional<protocol::ProfileContent> content,
                 devices::DeviceLink &link, std::optional<profiles::ClaimedCode> code = std::nullopt);

    void run(bool reconcile);
    // A device on the network that went silent mid-change (SGP.32: it checks in when it will):
    // its item stays where it stood, to resume when it comes back. Never for a device in process.
    bool wentAway() const { return m_away; }
    const CampaignItem &item() const { return m_item; }

private:
    bool download();
    bool downloadThroughOperator();
    // A download tried up to the campaign's attempts, with backoff, while it fails for a reason
    // that may pass: the device or the server did not answer, or the device restarted.
    Result<QString> retried(int &attempts, const std::function<Result<QString>()> &once);
    bool enable();
    bool confirm();
    bool deleteOld();
    bool rollBack();
    bool reconcileWithDevice();

    // Which of the item's two profiles the device reports holding; nothing when it does not
    // answer (the device stays where it stood, to be taken up on the next resume).
    struct Holdings
    {
        bool hasNew = false;
        bool newEnabled = false;
        bool hasOld = false;
        bool oldEnabled = false;
    };
    std::optional<Holdings> holdings();
    // Asks the device, retrying with backoff while it does not answer.
    template<typename T, typename Call>
    Result<T> ask(Call call);
    // Asks for a clean-up whose failure changes nothing the workspace records (a profile the
    // device may or may not hold is removed); logged, not recorded. True when it was done.
    template<typename Call>
    bool tidy(const char *what, Call call);
    // After a profile operation the device did: its notifications retrieved, checked and removed
    // (SGP.22 section 3.5), in one retrieve; what goes wrong is logged and changes no step.
    void collectNotifications();
    void fail(const QString &reason, const ItemStep::ProfileStates &profiles = {});
    // True, and the device counted gone, when it is on the network and did not answer.
    bool away(const Error &error);

    const ChangeContext &m_context;
    CampaignItem m_item;
    std::optional<protocol::ProfileContent> m_content;
    std::optional<profiles::ClaimedCode> m_code;
    devices::DeviceLink &m_link;
    devices::NotificationCollector m_notifications;
    bool m_away = false;
};

} // namespace simfleet::campaigns
