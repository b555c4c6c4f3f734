#pragma once

#include "campaign.h"
#include "core/result.h"

#include <QList>

class QIODevice;

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::campaigns {

// What can be read about campaigns without reaching a device: summaries, the list, per-device
// reports. Every call names the reader and answers within their scope (DESIGN.md "Access"): an
// operator account manager sees only the campaigns, and the devices in them, that involve their
// operator; another operator's campaign is reported as absent, not as forbidden.
class CampaignQueries
{
public:
    explicit CampaignQueries(const store::Workspace &workspace) : m_workspace(workspace) { }

    Result<CampaignSummary> summary(const access::Session &by, qint64 campaignId) const;
    Result<QList<CampaignSummary>> list(const access::Session &by) const;
    // Per-device outcomes as CSV: EID, state, reason, profiles before and after. No secrets.
    Result<void> writeReport(const access::Session &by, qint64 campaignId, QIODevice &out) const;
    // Fails, as if the campaign did not exist, unless `by` may see it.
    Result<void> checkVisible(const access::Session &by, qint64 campaignId) const;
    // The summary without the visibility check, for a run that checked already.
    Result<CampaignSummary> summaryOf(const access::Session &by, qint64 campaignId) const;

private:
    const store::Workspace &m_workspace;
};

} // namespace simfleet::campaigns
