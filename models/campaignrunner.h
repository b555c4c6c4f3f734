#pragma once

#include "campaigns/campaign.h"
#include "campaigns/reconciliation.h"
#include "devices/devicelink.h"

#include <QObject>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

class QThread;
class QTimer;

namespace simfleet::models {
class AccessController;

// What the campaign wizard asks for: devices by fleet or by filter (DeviceFilter syntax), the
// operator they move to, optionally a new owning customer, and how to roll it out.
struct CampaignPlan
{
    campaigns::CampaignKind kind = campaigns::CampaignKind::SubscriptionChange;
    QString name;
    QString fleet;  // one of fleet, filter, devicesFile and deviceIds
    QString filter;
    QString devicesFile; // one EID per line, or a CSV with an eid column
    QList<qint64> deviceIds; // devices picked on the Devices page
    QDateTime startAt;       // invalid: now; else created now and started then by this window
    qint64 targetOperatorId = 0;
    std::optional<qint64> newCustomerId;
    campaigns::CampaignSettings settings;
};

// What a new campaign can choose from, as the user may see it.
struct CampaignChoices
{
    QList<std::pair<qint64, QString>> operators;
    QStringList fleets;
    QList<std::pair<qint64, QString>> customers;
};

// Runs one campaign at a time for the GUI on a thread of its own, with its own connection to
// the workspace (a campaign takes minutes; the store thread keeps answering the pages). Devices
// are chosen in the backend within the user's scope; the backend checks the user's role.
// Progress arrives as signals on the GUI thread; pause and cancel leave no device mid-step.
class CampaignRunner : public QObject
{
    Q_OBJECT
public:
    CampaignRunner(AccessController *access, devices::DeviceLinksOpener openDevices, QObject *parent = nullptr);
    ~CampaignRunner() override; // pauses a running campaign and waits for the devices in flight

    bool isRunning() const { return m_thread != nullptr; }
    qint64 campaignId() const { return m_campaignId; }

    void start(const CampaignPlan &plan);
    // Attests the devices given now, off the GUI thread (Devices page: "Attest").
    void attest(const QList<qint64> &deviceIds);
    // Asks the devices given (or, without any, those the filter matches) what they hold and
    // mends the workspace where it can, off the GUI thread (Devices page: "Reconcile").
    void reconcile(const QList<qint64> &deviceIds, const QString &filter);
    void resume(qint64 campaignId, bool retryFailed);
    // Reports devices stolen, lost or recovered, or releases them from quarantine ("release"),
    // and reaches those in the simulated field at once (CustodyService), off the GUI thread.
    void custody(const QList<qint64> &deviceIds, const QString &custody, const QString &note);
    void pause();
    void cancel();

    // How many devices a plan would take, counted in the user's scope.
    void countDevices(const CampaignPlan &plan);
    void loadChoices();

Q_SIGNALS:
    void started(qint64 campaignId, const QString &name);
    void progressed(const simfleet::campaigns::CampaignProgress &progress);
    void finished(const simfleet::campaigns::CampaignSummary &summary);
    void failed(const QString &message);
    void counted(qint64 devices, const QString &problem);
    void attested(const QMap<QString, qint64> &verdicts);
    void reconciled(const simfleet::campaigns::ReconcileReport &report);
    void custodyDone(const QString &summary);
    void choicesLoaded(const simfleet::models::CampaignChoices &choices);
    // The runner's thread is done: another campaign may start.
    void idle();
    // A campaign created to start later; this window starts it then (or resume it earlier).
    void scheduled(qint64 campaignId, const QString &name, const QDateTime &at);

private:
    struct Job;
    void launch(std::shared_ptr<Job> job);

    void startDue();

    AccessController *m_access;
    devices::DeviceLinksOpener m_openDevices;
    QThread *m_thread = nullptr;
    QList<std::pair<qint64, QDateTime>> m_scheduled;
    QTimer *m_schedule;
    std::shared_ptr<campaigns::CampaignControl> m_control;
    qint64 m_campaignId = 0;
};

} // namespace simfleet::models
