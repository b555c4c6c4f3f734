#include "reconciliation.h"
#include "campaignplanner.h"
#include "campaignslog.h"

#include "access/permission.h"
#include "access/session.h"
#include "core/clock.h"
#include "devices/devicelink.h"
#include "devices/euiccprofiles.h"
#include "store/auditlog.h"
#include "store/campaignrepository.h"
#include "store/devicerepository.h"
#include "store/profilerepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QHash>
#include <QJsonArray>
#include <QMutex>
#include <QThread>
#include <QThreadPool>

#include <algorithm>
#include <optional>

namespace simfleet::campaigns {

namespace {

const QString enabledState = QStringLiteral("enabled");
const QString disabledState = QStringLiteral("disabled");
const QString deletedState = QStringLiteral("deleted");
const QString notHeld = QStringLiteral("not held");
const QString noAnswer = QStringLiteral("did not answer");

// The states in which the workspace says the device holds the profile.
bool heldState(const QString &state)
{
    return state == u"installed" || state == enabledState || state == disabledState;
}

bool runs(const QString &state)
{
    return state == enabledState;
}

// What one device holds, as the workspace and the device each say.
struct DeviceCheck
{
    qint64 deviceId = 0;
    QString eid;
    QList<store::ProfileRecord> recorded;
    std::optional<qint64> midChangeCampaign;
    std::optional<QList<devices::InstalledProfile>> held; // nothing: did not answer
};

// A change of one profile's recorded state, and the difference it mends.
struct Repair
{
    qint64 profileId = 0;
    QString state;
};

QString enabledIn(const QList<store::ProfileRecord> &recorded)
{
    for (const auto &p : recorded) {
        if (runs(p.state))
            return QStringLiteral("%1 enabled").arg(p.iccid);
    }
    return QStringLiteral("no profile enabled");
}

// The differences of one device, and the repairs that mend those the workspace can mend alone.
void compare(const DeviceCheck &check, QList<ReconcileDifference> &differences, QList<Repair> &repairs)
{
    const auto differ = [&](const QString &iccid, const QString &workspace, const QString &device, const QString &action,
                            bool repaired, bool recorded = true) {
        differences.append({ check.eid, iccid, workspace, device, action, repaired, recorded });
    };
    if (!check.held) {
        differ({}, enabledIn(check.recorded), noAnswer, QStringLiteral("none; reconcile again when the device answers"), false,
               false);
        return;
    }
    // A campaign changing the device reconciles it on resume, from its own record of the step.
    const QString leftToCampaign = check.midChangeCampaign
        ? QStringLiteral("none; campaign %1 is changing this device and reconciles it when resumed").arg(*check.midChangeCampaign)
        : QString();
    QHash<QString, QString> onDevice;
    for (const auto &p : *check.held)
        onDevice.insert(p.iccid, p.state);
    QList<Repair> disables, enables; // disables first: a device never has two enabled profiles recorded
    for (const auto &p : check.recorded) {
        const bool recordedHeld = heldState(p.state);
        const auto device = onDevice.constFind(p.iccid);
        if (device == onDevice.cend()) {
            if (!recordedHeld)
                continue;
            if (!leftToCampaign.isEmpty()) {
                differ(p.iccid, p.state, notHeld, leftToCampaign, false, false);
                continue;
            }
            differ(p.iccid, p.state, notHeld,
                   runs(p.state) ? QStringLiteral("recorded as deleted (lost on the device); a new provisioning campaign "
                                                  "provisions the device again")
                                 : QStringLiteral("recorded as deleted"),
                   true);
            disables.append({ p.id, deletedState });
            continue;
        }
        if (!recordedHeld) {
            // Deleted (or never sent) in the workspace, yet on the device: only its owner can say
            // whether it should stay, so it is recorded for them.
            differ(p.iccid, p.state, device.value(),
                   leftToCampaign.isEmpty() ? QStringLiteral("none; recorded in the audit log: the device holds a profile the "
                                                             "workspace records as %1")
                                                  .arg(p.state)
                                            : leftToCampaign,
                   false, leftToCampaign.isEmpty());
            continue;
        }
        if (runs(p.state) == runs(device.value()))
            continue;
        if (!leftToCampaign.isEmpty()) {
            differ(p.iccid, p.state, device.value(), leftToCampaign, false, false);
            continue;
        }
        differ(p.iccid, p.state, device.value(), QStringLiteral("recorded as %1, as the device runs it").arg(device.value()), true);
        (runs(device.value()) ? enables : disables).append({ p.id, device.value() });
    }
    for (const auto &p : *check.held) {
        const bool known = std::any_of(check.recorded.cbegin(), check.recorded.cend(),
                                       [&p](const store::ProfileRecord &r) { return r.iccid == p.iccid; });
        if (!known)
            differ(p.iccid, QStringLiteral("not known"), p.state,
                   QStringLiteral("none; recorded in the audit log: a profile this workspace never issued to the device"), false);
    }
    repairs += disables;
    repairs += enables;
}

} // namespace

QJsonObject ReconcileDifference::toJson() const
{
    return { { QStringLiteral("device"), eid },
             { QStringLiteral("iccid"), iccid },
             { QStringLiteral("workspace_says"), workspaceSays },
             { QStringLiteral("device_says"), deviceSays },
             { QStringLiteral("action"), action },
             { QStringLiteral("repaired"), repaired } };
}

QJsonObject ReconcileReport::summaryJson() const
{
    return { { QStringLiteral("devices"), devices },
             { QStringLiteral("agreeing"), agreeing },
             { QStringLiteral("did_not_answer"), unanswered },
             { QStringLiteral("differences"), qint64(differences.size()) },
             { QStringLiteral("repaired"), repaired },
             { QStringLiteral("unrepaired"), unrepaired } };
}

Reconciliation::Reconciliation(store::Workspace &workspace, devices::DeviceLinkProvider &links)
    : m_workspace(workspace), m_links(links)
{
}

Result<ReconcileReport> Reconciliation::run(const access::Session &by, const DeviceSelection &selection)
{
    if (auto ok = by.require(access::Permission::Provision, m_workspace.clock()); !ok)
        return ok.error();
    auto ids = CampaignPlanner(m_workspace).devices(by, selection);
    if (!ids)
        return ids.error();

    // What the workspace says, read on this thread (the workspace's connection is its own).
    const QSqlDatabase db = m_workspace.database();
    auto eids = store::DeviceRepository(db).withEids(ids.value());
    if (!eids)
        return eids.error();
    auto midChange = store::CampaignRepository(db).midChange(ids.value());
    if (!midChange)
        return midChange.error();
    std::vector<DeviceCheck> checks;
    checks.reserve(std::size_t(eids->size()));
    store::ProfileRepository profiles(db);
    for (const auto &[id, eid] : eids.value()) {
        DeviceCheck check;
        check.deviceId = id;
        check.eid = eid;
        auto recorded = profiles.forDevice(id);
        if (!recorded)
            return recorded.error();
        check.recorded = std::move(recorded).value();
        if (midChange->contains(id))
            check.midChangeCampaign = midChange->value(id);
        checks.push_back(std::move(check));
    }

    // What the devices say, asked many at a time: a simulated device computes its answer on
    // the thread that collects it, a remote one keeps a thread waiting.
    QThreadPool askers;
    askers.setMaxThreadCount(std::clamp(QThread::idealThreadCount() * 4, 4, 32));
    const std::chrono::milliseconds timeout = m_answerTimeout;
    for (DeviceCheck &check : checks) {
        askers.start([this, &check, timeout] {
            std::unique_ptr<devices::DeviceLink> link = m_links.linkTo(check.eid);
            if (!link)
                return;
            // One more try for a device that was slow once, as a campaign's steps allow.
            for (int attempt = 0; attempt < 2; ++attempt) {
                auto listed = devices::awaitAnswer(devices::listProfiles(*link), timeout, check.eid);
                if (listed) {
                    check.held = std::move(listed).value();
                    return;
                }
                if (listed.error().code != ErrorCode::Timeout) {
                    qCInfo(lcCampaigns) << "device" << check.eid << "did not list its profiles:" << listed.errorMessage();
                    return;
                }
            }
        });
    }
    askers.waitForDone();

    ReconcileReport report;
    report.devices = qint64(checks.size());
    QList<Repair> repairs;
    for (const DeviceCheck &check : checks) {
        const qsizetype before = report.differences.size();
        compare(check, report.differences, repairs);
        if (!check.held)
            ++report.unanswered;
        else if (report.differences.size() == before)
            ++report.agreeing;
    }
    for (const auto &d : report.differences)
        ++(d.repaired ? report.repaired : report.unrepaired);

    // The repairs and a record of the drift found, in one transaction: the workspace changes
    // exactly when its audit log says it did.
    if (!report.differences.isEmpty()) {
        const QDateTime now = m_workspace.clock().now();
        const store::AuditAuthor author = by.author();
        const QList<ReconcileDifference> &differences = report.differences;
        // One signature covers the batch (the last entry's), as for a campaign's steps.
        qsizetype lastRecorded = -1;
        for (qsizetype i = 0; i < differences.size(); ++i) {
            if (differences.at(i).recorded)
                lastRecorded = i;
        }
        auto written = m_workspace.writer().run([&](QSqlDatabase &writerDb) -> Result<void> {
            store::ProfileRepository writes(writerDb);
            // The ledger follows what the device was found to hold, from the instant it was found.
            const auto cause = store::LedgerCause::ofEvent(QStringLiteral("reconciliation"));
            for (const Repair &r : repairs) {
                if (auto ok = writes.setState(r.profileId, r.state, now, cause); !ok)
                    return ok;
            }
            for (qsizetype i = 0; i < differences.size(); ++i) {
                const ReconcileDifference &d = differences.at(i);
                if (!d.recorded)
                    continue;
                if (auto ok = store::AuditLog::record(writerDb, now, author, QStringLiteral("device.reconcile"),
                                                      QStringLiteral("device:") + d.eid, d.toJson(),
                                                      i == lastRecorded ? store::AuditSigning::Now
                                                                        : store::AuditSigning::ByNextEntry);
                    !ok)
                    return ok;
            }
            return {};
        });
        if (!written)
            return fail(QStringLiteral("the differences were found but could not be recorded: %1").arg(written.errorMessage()));
    }
    qCInfo(lcCampaigns) << "reconciled" << report.devices << "devices:" << report.repaired << "differences repaired,"
                        << report.unrepaired << "not";
    return report;
}

} // namespace simfleet::campaigns
