#pragma once

#include "campaign.h"
#include "core/result.h"

#include <QObject>

#include <functional>
#include <memory>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::devices {
class DeviceLinkProvider;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::campaigns {

// Initial provisioning and subscription change, for one device or a fleet (DESIGN.md
// "Subscription change"): per device, attest, download the new profile disabled, enable it with
// the old one as fallback, confirm the device attached (AKA with the new credentials), delete
// the old one; if it does not attach, fall back and report why. Each step's intent is stored
// before the step is sent and every step is idempotent, so a campaign killed at any instant
// resumes where it stood, reconciling with what each device reports. Call it on the thread that
// opened the workspace; the devices are served by a pool of worker threads (CampaignRun, and
// DeviceChange for each device).
class CampaignService : public QObject
{
    Q_OBJECT

public:
    CampaignService(store::Workspace &workspace, devices::DeviceLinkProvider &links, QObject *parent = nullptr);
    ~CampaignService() override;

    // Every call names the acting user, whose role and scope it checks first (DESIGN.md
    // "Access"): provisioning and changes take Operations or an Administrator; an operator
    // account manager sees only the campaigns, and the devices in them, that involve their
    // operator.
    Result<qint64> create(const access::Session &by, const CampaignRequest &request);
    // Runs (or resumes) a campaign until every device is done, or it is paused or cancelled.
    Result<CampaignSummary> run(const access::Session &by, qint64 campaignId, CampaignControl *control = nullptr);
    // Failed and rolled-back devices go back to pending; run() again to retry them.
    Result<qint64> retryFailed(const access::Session &by, qint64 campaignId);
    // A paused or interrupted campaign for devices on the network handed back to simfleet's eIM,
    // which runs it (simfleet-cli serve); its deadline renewed if it has passed. Audited.
    Result<void> resumeOnNetwork(const access::Session &by, qint64 campaignId);
    // Keeps a protocol trace of the campaign's runs from now on in this directory
    // (devices::ProtocolTrace), e.g. for a resumed campaign started without one.
    Result<void> traceTo(const access::Session &by, qint64 campaignId, const QString &directory);
    // Reading campaigns needs no devices: CampaignQueries.

    // Throttles the progress signal (and the callback) to at most one per interval.
    void setProgressInterval(int milliseconds) { m_progressIntervalMs = milliseconds; }
    void setProgressCallback(std::function<void(const CampaignProgress &)> callback) { m_progressCallback = std::move(callback); }

signals:
    void progressed(const simfleet::campaigns::CampaignProgress &progress);

private:
    store::Workspace &m_workspace;
    devices::DeviceLinkProvider &m_links;
    int m_progressIntervalMs = 200;
    std::function<void(const CampaignProgress &)> m_progressCallback;
};

} // namespace simfleet::campaigns
