#pragma once

#include "campaign.h"
#include "core/result.h"

#include <QList>
#include <QString>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::campaigns {

// Which devices a campaign covers: exactly one of a fleet, a file of EIDs, a filter in the
// DeviceFilter syntax, or devices picked by id (the Devices page's selection).
struct DeviceSelection
{
    QString fleet;
    QString devicesFile; // one EID per line, or a CSV with an eid column
    QString filter;
    QList<qint64> deviceIds;
};

// The one rule for choosing a campaign's devices and its operator, for the desktop and the
// command line alike. Whoever plans sees only their scope (DESIGN.md "Access"): a fleet or a
// filter covers the devices of it they may see; devices named one by one (a file, a selection)
// must all be visible, or the plan is refused, as it would be for devices that do not exist.
class CampaignPlanner
{
public:
    explicit CampaignPlanner(const store::Workspace &workspace) : m_workspace(workspace) { }

    Result<QList<qint64>> devices(const access::Session &by, const DeviceSelection &selection) const;
    // The operator a campaign moves its devices to: the one chosen (0: none); for initial
    // provisioning without a choice, their fleets' one home operator, refused when a fleet has
    // none or the fleets disagree.
    Result<qint64> targetOperator(CampaignKind kind, qint64 chosen, const QList<qint64> &devices) const;
    // Fails unless every device is visible to `by`.
    Result<void> checkVisible(const access::Session &by, const QList<qint64> &devices) const;

private:
    const store::Workspace &m_workspace;
};

} // namespace simfleet::campaigns
