#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <chrono>

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

struct DeviceSelection;

// One way the workspace and a device disagree, and what reconciling did about it.
struct ReconcileDifference
{
    QString eid;
    QString iccid;         // the profile it concerns; empty: the device as a whole
    QString workspaceSays; // a profile state, "not known" or, for the whole device, its enabled profile
    QString deviceSays;    // a profile state, "not held" or "did not answer"
    QString action;        // what was done, or why nothing was
    bool repaired = false; // the workspace now says what the device says
    bool recorded = false; // in the audit log (repairs and drift found; not silence or a campaign's own)

    QJsonObject toJson() const;
};

struct ReconcileReport
{
    qint64 devices = 0;    // asked
    qint64 agreeing = 0;   // held exactly what the workspace says
    qint64 unanswered = 0;
    qint64 repaired = 0;   // differences
    qint64 unrepaired = 0; // differences, including devices that did not answer
    QList<ReconcileDifference> differences;

    QJsonObject summaryJson() const;
};

// Finds and mends drift between the workspace and the devices (security issue 17: a simulated
// field that lost part of its flash, a crash between a device's change and the store's record of
// it, equipment changed by hand). Every device chosen is asked which profiles it holds and which
// runs; each difference from the workspace's profile rows is reported, and mended where the
// device is the one authority on the fact: a profile the device no longer holds is recorded as
// deleted (so a new provisioning campaign provisions the device again), a profile the device runs
// or has disabled is recorded so. What the workspace cannot decide alone (a profile it deleted or
// never issued that the device still holds) is recorded in the audit log and reported, not
// changed; a device that does not answer is reported and left as it stood. A device a campaign
// is changing right now is left to that campaign, which reconciles it itself when resumed
// (DeviceChange). Every repair goes through the store's writer with an audit entry naming the user.
//
// Call it on the thread that opened the workspace; the devices are asked on threads of its own.
class Reconciliation
{
public:
    Reconciliation(store::Workspace &workspace, devices::DeviceLinkProvider &links);

    void setAnswerTimeout(std::chrono::milliseconds timeout) { m_answerTimeout = timeout; }

    // Needs the right to provision (Operations, Administrators); the devices are chosen as a
    // campaign's are (CampaignPlanner), so devices outside the user's scope look like absent ones.
    Result<ReconcileReport> run(const access::Session &by, const DeviceSelection &selection);

private:
    store::Workspace &m_workspace;
    devices::DeviceLinkProvider &m_links;
    std::chrono::milliseconds m_answerTimeout { 10000 };
};

} // namespace simfleet::campaigns

Q_DECLARE_METATYPE(simfleet::campaigns::ReconcileReport)
