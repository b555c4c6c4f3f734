#include "campaignrunner.h"
#include "fleet/fleetqueries.h"
#include "access/session.h"
#include "accesscontroller.h"

#include "attestation/attestationservice.h"
#include "campaigns/campaignplanner.h"
#include "campaigns/campaignqueries.h"
#include "campaigns/campaignservice.h"
#include "campaigns/custodyservice.h"
#include "fleet/devicefilter.h"
#include "fleet/devicelist.h"
#include "store/campaignrepository.h"
#include "store/secretvault.h"
#include "store/workspace.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSet>
#include <QThread>
#include <QTimer>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace simfleet::models {

namespace {

// The devices a plan names, within what the user may see.
campaigns::DeviceSelection selectionOf(const CampaignPlan &plan)
{
    return { plan.fleet, plan.devicesFile, plan.filter, plan.deviceIds };
}

void lowerPriorityOfThisThread()
{
#ifdef Q_OS_LINUX
    // Per-thread niceness; threads this one starts inherit it.
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
}

// Whether a campaign is for devices on the network, as it was created.
bool isForNetwork(store::Workspace &ws, qint64 campaignId)
{
    auto record = store::CampaignRepository(ws.database()).find(campaignId);
    return record && record.value()
        && campaigns::CampaignSettings::fromJson(QJsonDocument::fromJson(record.value()->settings.toUtf8()).object()).network;
}

// A campaign simfleet's eIM runs, followed from the workspace until it ends, or until the window
// stops following it (pause or cancel here: the campaign goes on in simfleet-cli serve).
Result<campaigns::CampaignSummary> follow(store::Workspace &ws, const access::Session &session, qint64 id,
                                          const campaigns::CampaignControl &control,
                                          const std::function<void(const campaigns::CampaignProgress &)> &progressed)
{
    const campaigns::CampaignQueries queries(ws);
    using campaigns::CampaignState;
    using campaigns::ItemState;
    for (;;) {
        auto summary = queries.summary(session, id);
        if (!summary)
            return summary;
        campaigns::CampaignProgress p;
        p.campaignId = id;
        p.total = summary->total;
        p.done = summary->total - summary->unfinished;
        p.byState = { { ItemState::Succeeded, summary->succeeded }, { ItemState::Failed, summary->failed },
                      { ItemState::RolledBack, summary->rolledBack }, { ItemState::Skipped, summary->skipped },
                      { ItemState::Cancelled, summary->cancelled } };
        p.waiting = summary->waiting;
        p.elapsedSeconds = summary->seconds;
        p.devicesPerSecond = summary->seconds > 0 ? double(p.done) / summary->seconds : 0;
        progressed(p);
        const CampaignState state = summary->state;
        if (state == CampaignState::Finished || state == CampaignState::Cancelled || state == CampaignState::Paused
            || control.stopRequested()) {
            campaigns::CampaignSummary out = summary.value();
            if (control.stopRequested() && state != CampaignState::Finished)
                out.note = QCoreApplication::translate("simfleet::models::CampaignRunner",
                                                            "This window stopped following it; simfleet's eIM (simfleet-cli serve) "
                                                            "goes on with it. Resume it to follow it again.");
            return out;
        }
        for (int slept = 0; slept < 1000 && !control.stopRequested(); slept += 50)
            QThread::msleep(50);
    }
}

} // namespace

struct CampaignRunner::Job
{
    QString path;
    std::optional<access::Session> session;
    std::optional<store::SecretVault> vault;
    std::optional<CampaignPlan> plan; // a new campaign, or:
    qint64 resumeId = 0;
    bool retryFailed = false;
    QList<qint64> attestIds; // an attestation, not a campaign
    std::optional<campaigns::DeviceSelection> reconcile; // a reconciliation, not a campaign
    QList<qint64> custodyIds; // a custody report or release, not a campaign
    QString custody, note;
};

CampaignRunner::CampaignRunner(AccessController *access, devices::DeviceLinksOpener openDevices, QObject *parent)
    : QObject(parent), m_access(access), m_openDevices(std::move(openDevices)), m_schedule(new QTimer(this))
{
    qRegisterMetaType<campaigns::CampaignSummary>();
    m_schedule->setInterval(1000);
    connect(m_schedule, &QTimer::timeout, this, &CampaignRunner::startDue);
    connect(this, &CampaignRunner::idle, this, &CampaignRunner::startDue);
    // A schedule belongs to the user who set it: another login drops it (the campaign stays,
    // created, to be resumed).
    connect(m_access, &AccessController::sessionChanged, this, [this] {
        m_scheduled.clear();
        m_schedule->stop();
    });
}

void CampaignRunner::startDue()
{
    if (m_thread || m_scheduled.isEmpty())
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (qsizetype i = 0; i < m_scheduled.size(); ++i) {
        if (m_scheduled.at(i).second <= now) {
            const qint64 id = m_scheduled.takeAt(i).first;
            if (m_scheduled.isEmpty())
                m_schedule->stop();
            resume(id, false);
            return;
        }
    }
}

CampaignRunner::~CampaignRunner()
{
    if (m_thread) {
        m_control->pause();
        m_thread->wait();
        delete m_thread;
    }
}

void CampaignRunner::countDevices(const CampaignPlan &plan)
{
    m_access->request<qint64>(
        this,
        [plan](store::Workspace &ws, const access::Session &session) -> Result<qint64> {
            auto ids = campaigns::CampaignPlanner(ws).devices(session, selectionOf(plan));
            if (!ids)
                return ids.error();
            return qint64(ids->size());
        },
        [this](const Result<qint64> &n) { Q_EMIT counted(n ? n.value() : 0, n ? QString() : n.errorMessage()); });
}

void CampaignRunner::loadChoices()
{
    m_access->request<CampaignChoices>(
        this,
        [](store::Workspace &ws, const access::Session &session) -> Result<CampaignChoices> {
            // The choices are for planning a campaign: only those who may start one get them, and
            // then only the fleets and customers their scope shows.
            if (!session.allows(access::Permission::Provision)) {
                if (auto ok = session.require(access::Permission::ChangeSubscription, ws.clock()); !ok)
                    return ok.error();
            } else if (auto ok = session.require(access::Permission::Provision, ws.clock()); !ok) {
                return ok.error();
            }
            CampaignChoices c;
            const fleet::FleetQueries queries(ws);
            auto operators = queries.operators(session);
            auto fleets = queries.fleets(session);
            auto customers = queries.customers(session);
            for (const Error *e : { operators ? nullptr : &operators.error(), fleets ? nullptr : &fleets.error(),
                                    customers ? nullptr : &customers.error() }) {
                if (e)
                    return *e;
            }
            for (const auto &op : operators.value())
                c.operators.append({ op.id, op.name });
            for (const auto &f : fleets.value()) {
                if (!c.fleets.contains(f.name))
                    c.fleets.append(f.name);
            }
            for (const auto &cu : customers.value())
                c.customers.append({ cu.id, cu.name });
            return c;
        },
        [this](const Result<CampaignChoices> &c) {
            if (c)
                Q_EMIT choicesLoaded(c.value());
            else
                Q_EMIT failed(c.errorMessage());
        });
}

void CampaignRunner::start(const CampaignPlan &plan)
{
    auto job = std::make_shared<Job>();
    job->plan = plan;
    launch(job);
}

void CampaignRunner::attest(const QList<qint64> &deviceIds)
{
    auto job = std::make_shared<Job>();
    job->attestIds = deviceIds;
    launch(job);
}

void CampaignRunner::reconcile(const QList<qint64> &deviceIds, const QString &filter)
{
    auto job = std::make_shared<Job>();
    campaigns::DeviceSelection selection;
    if (deviceIds.isEmpty())
        selection.filter = filter;
    else
        selection.deviceIds = deviceIds;
    job->reconcile = selection;
    launch(job);
}

void CampaignRunner::custody(const QList<qint64> &deviceIds, const QString &custody, const QString &note)
{
    auto job = std::make_shared<Job>();
    job->custodyIds = deviceIds;
    job->custody = custody;
    job->note = note;
    launch(job);
}

void CampaignRunner::resume(qint64 campaignId, bool retryFailed)
{
    auto job = std::make_shared<Job>();
    job->resumeId = campaignId;
    job->retryFailed = retryFailed;
    launch(job);
}

void CampaignRunner::pause()
{
    if (m_control)
        m_control->pause();
}

void CampaignRunner::cancel()
{
    if (m_control)
        m_control->cancel();
}

void CampaignRunner::launch(std::shared_ptr<Job> job)
{
    if (m_thread) {
        Q_EMIT failed(tr("a campaign is already running in this window; pause it or wait for it to finish"));
        return;
    }
    // The secrets come from the workspace as the logged-in user unlocked it; a user whose role
    // holds none gets the backend's "not permitted" before this matters.
    m_access->request<std::pair<QString, std::optional<store::SecretVault>>>(
        this,
        [](store::Workspace &ws, const access::Session &) -> Result<std::pair<QString, std::optional<store::SecretVault>>> {
            return std::pair { ws.info().path,
                               ws.isUnlocked() ? std::optional<store::SecretVault>(ws.vault()) : std::nullopt };
        },
        [this, job](const Result<std::pair<QString, std::optional<store::SecretVault>>> &opened) {
            if (!opened) {
                Q_EMIT failed(opened.errorMessage());
                return;
            }
            if (m_thread || !m_access->session()) {
                Q_EMIT failed(m_thread ? tr("a campaign is already running in this window") : tr("log in first"));
                return;
            }
            job->path = opened->first;
            job->vault = opened->second;
            job->session = *m_access->session();
            m_control = std::make_shared<campaigns::CampaignControl>();
            auto control = m_control;
            QPointer<CampaignRunner> self(this);
            const auto post = [self](auto &&deliver) {
                QMetaObject::invokeMethod(
                    self.data(), [self, deliver = std::forward<decltype(deliver)>(deliver)] {
                        if (self)
                            deliver(*self);
                    },
                    Qt::QueuedConnection);
            };
            m_thread = QThread::create([job, control, post, openDevices = m_openDevices] {
                // The campaign's threads (this one, its workers and its writer inherit it) yield to
                // the GUI thread: on two cores, fifty busy workers would otherwise delay every
                // repaint by a scheduler slice or more.
                lowerPriorityOfThisThread();
                const auto failWith = [&](const QString &message) {
                    post([message](CampaignRunner &r) { Q_EMIT r.failed(message); });
                };
                auto ws = store::Workspace::open(job->path);
                if (!ws)
                    return failWith(ws.errorMessage());
                if (job->vault)
                    ws.value()->unlockWith(*job->vault);
                // Devices on the network are the eIM's to reach (simfleet-cli serve): this window
                // only creates or hands back their campaign, and follows it.
                const bool network = job->plan ? job->plan->settings.network : isForNetwork(*ws.value(), job->resumeId);
                Result<std::unique_ptr<devices::DeviceLinkProvider>> field = std::unique_ptr<devices::DeviceLinkProvider>(
                    std::make_unique<devices::NoDeviceLinks>());
                if (!network)
                    field = openDevices(job->path);
                if (!field)
                    return failWith(field.errorMessage());
                const access::Session &session = *job->session;
                if (job->reconcile) {
                    campaigns::Reconciliation reconciliation(*ws.value(), *field.value());
                    reconciliation.setAnswerTimeout(std::chrono::milliseconds(5000));
                    auto report = reconciliation.run(session, *job->reconcile);
                    if (!report)
                        return failWith(report.errorMessage());
                    post([report = std::move(report).value()](CampaignRunner &r) { Q_EMIT r.reconciled(report); });
                    return;
                }
                if (!job->custodyIds.isEmpty()) {
                    auto devices = fleet::FleetQueries(*ws.value()).devicesWithIds(session, job->custodyIds);
                    if (!devices)
                        return failWith(devices.errorMessage());
                    QStringList eids;
                    for (const auto &d : devices.value())
                        eids << d.second;
                    campaigns::CustodyService custody(*ws.value(), *field.value(), std::chrono::milliseconds(5000));
                    const auto kind = store::custodyFromName(job->custody);
                    auto done = job->custody == u"release" ? custody.release(session, eids)
                                                           : custody.report(session, eids, kind.value_or(store::Custody::Stolen), job->note);
                    if (!done)
                        return failWith(done.errorMessage());
                    // The simulated field is in reach now; devices on the network wait for their check-in.
                    qint64 reached = 0;
                    if (!network) {
                        auto contacted = custody.contact(session, devices.value(), campaigns::CustodyService::Contact::Reached);
                        if (!contacted)
                            return failWith(contacted.errorMessage());
                        for (const auto &c : contacted.value())
                            reached += c.failure.isEmpty() && !c.done.isEmpty() ? 1 : 0;
                    }
                    const QString summary = tr("%n device(s) %1; %2 reached now.", nullptr, int(devices->size()))
                                                .arg(job->custody == u"release" ? tr("released") : tr("reported %1").arg(job->custody))
                                                .arg(reached);
                    post([summary](CampaignRunner &r) { Q_EMIT r.custodyDone(summary); });
                    return;
                }
                if (!job->attestIds.isEmpty()) {
                    auto devices = fleet::FleetQueries(*ws.value()).devicesWithIds(session, job->attestIds);
                    if (!devices)
                        return failWith(devices.errorMessage());
                    attestation::AttestationOptions options;
                    options.answerTimeout = std::chrono::milliseconds(5000);
                    attestation::AttestationService attestations(*ws.value(), *field.value(), options);
                    auto outcomes = attestations.attest(session, devices.value());
                    if (!outcomes)
                        return failWith(outcomes.errorMessage());
                    QMap<QString, qint64> verdicts;
                    for (const auto &o : outcomes.value())
                        ++verdicts[attestation::tierName(o.verdict.tier)];
                    // What a verdict owes a device (a quarantine's disable, a recovery's restore) is
                    // done while it is in reach.
                    if (session.allows(access::Permission::ReportCustody)) {
                        campaigns::CustodyService custody(*ws.value(), *field.value(), std::chrono::milliseconds(5000));
                        (void)custody.contact(session, devices.value(), campaigns::CustodyService::Contact::AfterAttestation);
                    }
                    post([verdicts](CampaignRunner &r) { Q_EMIT r.attested(verdicts); });
                    return;
                }
                campaigns::CampaignService service(*ws.value(), *field.value());
                qint64 id = job->resumeId;
                QString name;
                if (job->plan) {
                    const campaigns::CampaignPlanner planner(*ws.value());
                    auto devices = planner.devices(session, selectionOf(*job->plan));
                    if (!devices)
                        return failWith(devices.errorMessage());
                    CampaignPlan plan = *job->plan;
                    auto target = planner.targetOperator(plan.kind, plan.targetOperatorId, devices.value());
                    if (!target)
                        return failWith(target.errorMessage());
                    plan.targetOperatorId = target.value();
                    if (plan.kind == campaigns::CampaignKind::InitialProvisioning)
                        plan.newCustomerId.reset();
                    auto created = service.create(session, { plan.kind, plan.name, plan.targetOperatorId, plan.newCustomerId,
                                                             devices.value(), plan.settings });
                    if (!created)
                        return failWith(created.errorMessage());
                    id = created.value();
                } else if (job->retryFailed) {
                    if (auto reset = service.retryFailed(session, id); !reset)
                        return failWith(reset.errorMessage());
                }
                if (network && !job->plan) {
                    if (auto handed = service.resumeOnNetwork(session, id); !handed)
                        return failWith(handed.errorMessage());
                }
                if (auto summary = campaigns::CampaignQueries(*ws.value()).summary(session, id))
                    name = summary->name;
                if (job->plan && job->plan->startAt.isValid() && job->plan->startAt > QDateTime::currentDateTimeUtc()) {
                    post([id, name, at = job->plan->startAt](CampaignRunner &r) {
                        r.m_scheduled.append({ id, at });
                        r.m_schedule->start();
                        Q_EMIT r.scheduled(id, name, at);
                    });
                    return;
                }
                post([id, name](CampaignRunner &r) {
                    r.m_campaignId = id;
                    Q_EMIT r.started(id, name);
                });
                const auto progressed = [post](const campaigns::CampaignProgress &p) {
                    post([p](CampaignRunner &r) { Q_EMIT r.progressed(p); });
                };
                service.setProgressInterval(250);
                service.setProgressCallback(progressed);
                auto summary = network ? follow(*ws.value(), session, id, *control, progressed) : service.run(session, id, control.get());
                if (!summary)
                    return failWith(summary.errorMessage());
                post([s = summary.value()](CampaignRunner &r) { Q_EMIT r.finished(s); });
            });
            m_thread->setObjectName(QStringLiteral("simfleet-campaign"));
            connect(m_thread, &QThread::finished, this, [this] {
                m_thread->deleteLater();
                m_thread = nullptr;
                Q_EMIT idle();
            });
            m_thread->start();
        });
}

} // namespace simfleet::models
