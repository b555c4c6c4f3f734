#include "campaignrun.h"
#include "campaignqueries.h"
#include "campaignslog.h"
#include "runlock.h"
#include "steprecorder.h"
#include "eim/esipadevicelink.h"
#include "eim/esipaservice.h"

#include "access/session.h"
#include "attestation/attestationservice.h"
#include "core/clock.h"
#include "devices/devicelink.h"
#include "devices/tracingdevicelink.h"
#include "profiles/credentialissuer.h"
#include "net/remoteprofileserver.h"
#include "profiles/activationcodebook.h"
#include "profiles/profileserver.h"
#include "store/auditlog.h"
#include "store/custodyrepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSysInfo>
#include <QJsonDocument>

namespace simfleet::campaigns {

namespace {

Result<CampaignItem> itemFrom(const store::CampaignRunItem &r)
{
    const auto state = itemStateFromName(r.state);
    if (!state)
        return fail(QStringLiteral("device %1 stands in a campaign state simfleet does not know (%2); the workspace is damaged "
                                   "or comes from a newer simfleet")
                        .arg(r.eid, r.state));
    CampaignItem it;
    it.deviceId = r.deviceId;
    it.eid = r.eid;
    it.state = *state;
    it.reason = r.reason;
    it.attempts = r.attempts;
    if (r.oldProfileId) {
        it.oldProfileId = r.oldProfileId;
        it.oldIccid = r.oldIccid;
        it.oldOperatorId = r.oldOperatorId;
    } else if (r.enabledProfileId && *state == ItemState::Pending) {
        // Not started: the change begins from the profile enabled now.
        it.oldProfileId = r.enabledProfileId;
        it.oldIccid = r.enabledIccid;
        it.oldOperatorId = r.enabledOperatorId;
        it.oldDisableAllowed = r.enabledDisableAllowed;
    }
    if (r.newProfileId) {
        it.newProfileId = r.newProfileId;
        it.newIccid = r.newIccid;
    }
    return it;
}

} // namespace

CampaignRun::CampaignRun(store::Workspace &workspace, devices::DeviceLinkProvider &links, const access::Session &by,
                         CampaignControl *control, ProgressSink progress, int progressIntervalMs)
    : m_workspace(workspace),
      m_links(links),
      m_by(by),
      m_control(control),
      m_progress(std::move(progress)),
      m_progressIntervalMs(progressIntervalMs)
{
}

CampaignRun::~CampaignRun()
{
    if (m_issuing.valid())
        m_issuing.wait();
    m_pool.waitForDone();
}

Error CampaignRun::storeRefused() const
{
    return Error { QStringLiteral("the workspace refused to record the campaign's progress") };
}

Result<CampaignSummary> CampaignRun::execute(qint64 campaignId)
{
    if (auto ok = prepare(campaignId); !ok)
        return ok.error();
    // One process runs a campaign at a time; a lock left by a killed process is recognised as
    // such (its process is gone) and taken over.
    RunLock runLock(m_workspace.info().path, campaignId);
    const QString holder = QStringLiteral("%1 on %2 (process %3)")
                               .arg(m_by.name(), QSysInfo::machineHostName())
                               .arg(QCoreApplication::applicationPid());
    if (!runLock.tryLock(holder)) {
        const QString who = RunLock::heldBy(m_workspace.info().path, campaignId).value_or(QStringLiteral("another window or command"));
        return fail(
                        QStringLiteral("campaign %1 is already running: %2 runs it; pause it there, or wait").arg(campaignId).arg(who));
    }
    if (auto ok = loadItems(); !ok)
        return ok.error();
    m_elapsed.start();
    m_note = m_resumed.isEmpty() ? QString() : QStringLiteral("resumed %1 devices mid-change").arg(m_resumed.size());
    const QDateTime startedAt = m_workspace.clock().now();
    auto started = m_workspace.writer().run(
        [&](QSqlDatabase &db) { return store::CampaignRepository(db).markStarted(campaignId, startedAt, m_note); });
    if (!started)
        return started.error();
    qCInfo(lcCampaigns) << "campaign" << campaignId << "runs with" << m_pending.size() << "devices to start and"
                        << m_resumed.size() << "to resume";

    if (m_context->network) {
        if (auto ok = feedAsDevicesCheckIn(); !ok)
            return ok.error();
        return finish();
    }
    // Devices a crash left mid-change go first, reconciled with what they report.
    for (CampaignItem &item : m_resumed)
        dispatchResumed(std::move(item));
    m_resumed.clear();
    if (auto ok = feed(); !ok)
        return ok.error();
    return finish();
}

void CampaignRun::dispatchResumed(CampaignItem item)
{
    std::optional<protocol::ProfileContent> content;
    std::optional<profiles::ClaimedCode> code;
    const bool needsCredentials = item.state == ItemState::Downloading || item.state == ItemState::Enabling
        || item.state == ItemState::Confirming;
    if (item.newProfileId && needsCredentials && m_remote)
        code = codeFor(*item.newProfileId);
    else if (item.newProfileId && needsCredentials)
        content = contentFor(*item.newProfileId);
    dispatch(std::move(item), std::move(content), true, std::move(code));
}

Result<void> CampaignRun::prepare(qint64 campaignId)
{
    QSqlDatabase db = m_workspace.database();
    auto found = store::CampaignRepository(db).find(campaignId);
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
    m_id = campaignId;
    m_record = *found.value();
    const auto kind = kindFromName(m_record.kind);
    if (!kind)
        return fail(QStringLiteral("campaign %1 is of a kind simfleet does not know (%2)").arg(campaignId).arg(m_record.kind));
    m_initial = *kind == CampaignKind::InitialProvisioning;
    const auto permission = m_initial ? access::Permission::Provision : access::Permission::ChangeSubscription;
    if (auto ok = m_by.require(permission, m_workspace.clock()); !ok)
        return ok;
    m_settings = CampaignSettings::fromJson(QJsonDocument::fromJson(m_record.settings.toUtf8()).object());
    m_pool.setMaxThreadCount(m_settings.concurrency);
    if (!m_settings.traceDirectory.isEmpty()) {
        auto trace = devices::ProtocolTrace::open(m_settings.traceDirectory, campaignId);
        if (!trace)
            return trace.error();
        m_trace = trace.value();
        m_tracingLinks = std::make_unique<devices::TracingLinkProvider>(m_links, m_trace);
    }
    auto target = store::OperatorRepository(db).find(m_record.targetOperatorId);
    if (!target || !target.value())
        return fail(QStringLiteral("the campaign's operator is gone"));
    m_target = *target.value();
    if (!m_target.profileServerAddress.isEmpty()) {
        // The operator's own profile server: downloads are relayed to it with imported codes.
        // A server is given as long to answer each function as a device each step.
        auto remote = net::RemoteProfileServer::ofOperator(m_workspace, m_target, std::chrono::milliseconds(m_settings.answerTimeoutMs));
        if (!remote)
            return remote.error();
        m_remote = std::make_unique<net::RemoteProfileServer>(std::move(remote).value());
        auto trust = profiles::deviceTrustOf(m_workspace);
        if (!trust)
            return trust.error();
        m_deviceTrust = std::move(trust).value();
    } else {
        auto server = profiles::ProfileServer::ofOperator(m_workspace, m_target);
        if (!server)
            return server.error();
        m_server = std::move(server).value();
        m_deviceTrust = m_server->deviceTrust();
    }
    // Devices on the network download through simfleet's eIM, which relays to the operator's
    // server that runs elsewhere as it does to simfleet's own.
    eim::EsipaService *network = nullptr;
    auto *onNetwork = dynamic_cast<eim::EsipaDeviceLinks *>(&m_links);
    if (m_settings.network && !onNetwork)
        return fail(QStringLiteral("campaign %1 is for devices on the network: simfleet's eIM runs it (simfleet-cli serve), "
                                   "and this command follows it")
                        .arg(campaignId));
    if (!m_settings.network && onNetwork)
        return fail(QStringLiteral("campaign %1 is for the simulated field's devices, not devices on the network").arg(campaignId));
    if (onNetwork) {
        network = &onNetwork->service();
        if (m_remote)
            network->relayTo(m_remote->address(), m_remote->functions());
    }
    m_steps = std::make_unique<StepRecorder>(m_workspace,
                                             StepRecorder::Campaign { m_id, m_by.author(), m_record.newCustomerId, m_record.kind,
                                                                                     m_target.name },
                                             m_workspace.clock());
    m_context = std::make_unique<ChangeContext>(
        ChangeContext { m_settings, m_target, m_server, m_remote.get(), network, m_deviceTrust, m_workspace.clock(), *m_steps, m_findings });
    attestation::AttestationOptions attestOptions;
    attestOptions.answerTimeout = std::chrono::milliseconds(m_settings.answerTimeoutMs);
    m_attestation = std::make_unique<attestation::AttestationService>(m_workspace, links(), attestOptions);
    return {};
}

Result<void> CampaignRun::loadItems()
{
    auto items = store::CampaignRepository(m_workspace.database()).runItems(m_id);
    if (!items)
        return items.error();
    for (const store::CampaignRunItem &r : items.value()) {
        auto found = itemFrom(r);
        if (!found)
            return found.error();
        CampaignItem it = std::move(found).value();
        m_steps->countFound(it.state);
        ++m_total;
        if (it.state == ItemState::Pending || it.state == ItemState::Attesting)
            m_pending.push_back(std::move(it));
        else if (!isFinal(it.state))
            m_resumed.append(std::move(it));
        else
            ++m_doneBefore;
    }
    m_canarySize = m_settings.canaryPercent > 0 && !m_record.settings.contains(QStringLiteral("canary_passed"))
        ? std::max<qint64>(1, (qint64(m_pending.size()) * m_settings.canaryPercent + 99) / 100)
        : 0;
    return {};
}

std::optional<protocol::ProfileContent> CampaignRun::contentFor(qint64 profileId) const
{
    QSqlDatabase db = m_workspace.database();
    auto content = profiles::CredentialIssuer::reopen(db, m_workspace.vault(), profileId);
    if (!content) {
        qCWarning(lcCampaigns) << "campaign" << m_id << "cannot reopen profile" << profileId << ":" << content.errorMessage();
        return std::nullopt;
    }
    return std::move(content).value();
}

std::optional<profiles::ClaimedCode> CampaignRun::codeFor(qint64 profileId) const
{
    QSqlDatabase db = m_workspace.database();
    auto code = profiles::ActivationCodeBook::forProfile(db, m_workspace.vault(), profileId);
    if (!code) {
        qCWarning(lcCampaigns) << "campaign" << m_id << "cannot reopen the activation code of profile" << profileId << ":"
                               << code.errorMessage();
        return std::nullopt;
    }
    return code.value();
}

void CampaignRun::dispatch(CampaignItem item, std::optional<protocol::ProfileContent> content, bool reconcile,
                           std::optional<profiles::ClaimedCode> code)
{
    {
        QMutexLocker lock(&m_mutex);
        ++m_inFlight;
    }
    m_pool.start([this, item = std::move(item), content = std::move(content), reconcile, code = std::move(code)]() mutable {
        std::unique_ptr<devices::DeviceLink> link = links().linkTo(item.eid);
        DeviceChange change(*m_context, std::move(item), std::move(content), *link, std::move(code));
        change.run(reconcile);
        if (change.wentAway())
            wentAway(change.item(), true);
        else if (m_context->network)
            m_context->network->endSession(change.item().eid); // its check-in held for more goes
        QMutexLocker lock(&m_mutex);
        if (!change.wentAway())
            m_inSession.remove(change.item().eid);
        --m_inFlight;
        m_changed.wakeAll();
    });
}

void CampaignRun::paceByRate(qint64 startedSoFar)
{
    if (m_settings.ratePerSecond <= 0)
        return;
    const double due = double(startedSoFar) / m_settings.ratePerSecond;
    const double spent = double(m_rateStart.msecsTo(m_workspace.clock().now())) / 1000.0;
    if (due > spent)
        m_workspace.clock().wait(qint64((due - spent) * 1000.0));
}

Result<void> CampaignRun::feed()
{
    m_rateStart = m_workspace.clock().now();
    while (!m_pending.empty()) {
        if (m_control && m_control->stopRequested())
            break;
        qint64 take = std::min<qint64>(m_settings.batchSize, qint64(m_pending.size()));
        if (m_canarySize > 0 && m_started < m_canarySize)
            take = std::min(take, m_canarySize - m_started);
        // Rate limit: devices started per second since the run began.
        if (m_settings.ratePerSecond > 0)
            take = std::min<qint64>(take, std::max<qint64>(1, qint64(m_settings.ratePerSecond)));
        paceByRate(m_started);
        // Keep the workers fed without running far ahead of them.
        drainTo(qint64(m_settings.concurrency) + m_settings.batchSize);

        QList<CampaignItem> batch;
        for (qint64 i = 0; i < take; ++i) {
            batch.append(std::move(m_pending.front()));
            m_pending.pop_front();
        }
        m_started += take;

        auto toAttest = screen(batch);
        if (!toAttest)
            return toAttest.error();
        auto cleared = attestGate(toAttest.value());
        if (!cleared)
            return cleared.error();
        if (!cleared->isEmpty()) {
            if (!issueBeside(std::move(cleared).value()))
                break;
            reportProgress(false);
        }
        // Staged rollout: the canary share finishes first; the rest follows only if it went well.
        if (m_canarySize > 0 && m_started == m_canarySize) {
            auto held = canaryHolds();
            if (!held)
                return held.error();
            if (held.value())
                break;
        }
    }
    if (auto ok = drainAll(); !ok)
        return ok;
    reportProgress(true);
    return {};
}

Result<void> CampaignRun::feedAsDevicesCheckIn()
{
    eim::EsipaService &eim = *m_context->network;
    // What needs no device is decided at once: skipped and refused devices end now; the others
    // wait for their check-in, and so do the devices a crash left mid-change.
    std::vector<Waiting> waiting;
    while (!m_pending.empty()) {
        QList<CampaignItem> batch;
        while (batch.size() < m_settings.batchSize && !m_pending.empty()) {
            batch.append(std::move(m_pending.front()));
            m_pending.pop_front();
        }
        auto toAttest = screen(batch);
        if (!toAttest)
            return toAttest.error();
        for (CampaignItem &item : toAttest.value())
            waiting.push_back({ std::move(item), false });
    }
    for (CampaignItem &item : m_resumed)
        waiting.push_back({ std::move(item), true });
    m_resumed.clear();
    QList<qint64> ids;
    for (const Waiting &w : waiting)
        ids.append(w.item.deviceId);
    const QDateTime now = m_workspace.clock().now();
    if (auto marked = m_workspace.writer().run([&](QSqlDatabase &db) { return store::CampaignRepository(db).markWaiting(m_id, ids, now); });
        !marked)
        return marked.error();
    {
        QMutexLocker lock(&m_mutex);
        for (Waiting &w : waiting) {
            const QString eid = w.item.eid;
            m_waitingFor.insert(eid, std::move(w));
        }
    }
    waiting.clear();
    const QDateTime deadline = m_settings.deadline.isValid() ? m_settings.deadline : now.addSecs(m_settings.deadlineSeconds);
    const quint64 watch = eim.watchCheckIns([this](const QString &eid) { return checkedIn(eid); });
    const auto unwatch = qScopeGuard([&] { eim.unwatch(watch); });
    m_rateStart = now;
    bool deadlinePassed = false;
    bool canaryChecked = m_canarySize == 0;
    for (;;) {
        if (m_control && m_control->stopRequested())
            break;
        if (m_workspace.clock().now() >= deadline) {
            deadlinePassed = true;
            break;
        }
        qint64 take = m_settings.batchSize;
        if (!canaryChecked)
            take = std::min(take, m_canarySize - m_started);
        if (m_settings.ratePerSecond > 0)
            take = std::min<qint64>(take, std::max<qint64>(1, qint64(m_settings.ratePerSecond)));
        // A batch issued meanwhile is settled first: its devices are not in flight until it is.
        if (m_issuing.valid() && m_issuing.wait_for(std::chrono::seconds(0)) == std::future_status::ready && !settleIssuing(nullptr))
            break;
        QList<Waiting> arrived;
        {
            QMutexLocker lock(&m_mutex);
            if (m_checkedIn.empty()) {
                if (m_waitingFor.isEmpty() && m_inFlight == 0 && !m_issuing.valid())
                    break;
                m_changed.wait(&m_mutex, 200);
            }
            while (!m_checkedIn.empty() && arrived.size() < take) {
                arrived.append(std::move(m_checkedIn.front()));
                m_checkedIn.pop_front();
            }
        }
        reportProgress(false);
        if (arrived.isEmpty())
            continue;
        QList<qint64> present;
        for (const Waiting &w : std::as_const(arrived))
            present.append(w.item.deviceId);
        if (auto ok = m_workspace.writer().run(
                [&](QSqlDatabase &db) { return store::CampaignRepository(db).markWaiting(m_id, present, std::nullopt); });
            !ok)
            return ok.error();
        QList<CampaignItem> fresh;
        for (Waiting &w : arrived) {
            if (w.resumes)
                dispatchResumed(std::move(w.item));
            else
                fresh.append(std::move(w.item));
        }
        if (fresh.isEmpty())
            continue;
        paceByRate(m_started);
        QList<CampaignItem> unanswered;
        auto cleared = attestGate(fresh, &unanswered);
        if (!cleared)
            return cleared.error();
        // Refused by its attestation: its session ends here.
        QSet<QString> goOn;
        for (const QList<CampaignItem> *kept : { &cleared.value(), &unanswered })
            for (const CampaignItem &item : *kept)
                goOn.insert(item.eid);
        QList<CampaignItem> refused;
        for (const CampaignItem &item : std::as_const(fresh))
            if (!goOn.contains(item.eid))
                refused.append(item);
        leaveSession(refused);
        // Silent since it checked in: it waits for the next one, and is not counted started.
        for (CampaignItem &item : unanswered)
            wentAway(std::move(item), false);
        m_started += fresh.size() - unanswered.size();
        if (!cleared->isEmpty() && !issueBeside(std::move(cleared).value()))
            break;
        if (!canaryChecked && m_started >= m_canarySize) {
            canaryChecked = true;
            auto held = canaryHolds();
            if (!held)
                return held.error();
            if (held.value())
                break;
        }
    }
    if (auto ok = drainAll(); !ok)
        return ok;
    if (deadlinePassed || m_exhausted) {
        // Past the deadline, or out of numbers: the devices still waiting end here.
        auto ended = endWaiting(m_exhausted ? QStringLiteral("range-exhausted") : QStringLiteral("not-reached"));
        if (!ended)
            return ended.error();
        if (!m_exhausted && ended.value() > 0)
            m_note = QStringLiteral("the deadline passed with %1 devices never reached (not-reached); retry them to give them as long again")
                         .arg(ended.value());
    }
    reportProgress(true);
    return {};
}

bool CampaignRun::checkedIn(const QString &eid)
{
    QMutexLocker lock(&m_mutex);
    if (m_inSession.contains(eid))
        return true;
    const auto it = m_waitingFor.find(eid);
    // Busy with as many devices as the campaign runs at once: this one comes again.
    if (it == m_waitingFor.end() || m_inSession.size() >= m_settings.concurrency || (m_control && m_control->stopRequested()))
        return false;
    m_inSession.insert(eid);
    m_checkedIn.push_back(std::move(it.value()));
    m_waitingFor.erase(it);
    m_changed.wakeAll();
    return true;
}

void CampaignRun::leaveSession(const QList<CampaignItem> &items)
{
    {
        QMutexLocker lock(&m_mutex);
        for (const CampaignItem &item : items)
            m_inSession.remove(item.eid);
    }
    if (m_context && m_context->network) {
        for (const CampaignItem &item : items)
            m_context->network->endSession(item.eid);
    }
}

void CampaignRun::wentAway(CampaignItem item, bool resumes)
{
    // What was queued for it is withdrawn: its change asks it what it holds when it comes back.
    m_context->network->withdraw(item.eid);
    const QDateTime now = m_workspace.clock().now();
    auto marked = m_workspace.writer().run(
        [&](QSqlDatabase &db) { return store::CampaignRepository(db).markWaiting(m_id, { item.deviceId }, now); });
    if (!marked)
        qCWarning(lcCampaigns) << "campaign" << m_id << "could not record that it waits for" << item.eid << ":" << marked.errorMessage();
    qCInfo(lcCampaigns) << "campaign" << m_id << ": device" << item.eid << "went silent at" << itemStateName(item.state)
                        << "; it goes on when the device checks in again";
    QMutexLocker lock(&m_mutex);
    m_inSession.remove(item.eid);
    const QString eid = item.eid;
    m_waitingFor.insert(eid, Waiting { std::move(item), resumes });
}

Result<qint64> CampaignRun::endWaiting(const QString &reason)
{
    std::vector<Waiting> left;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_waitingFor.begin(); it != m_waitingFor.end(); ++it)
            left.push_back(std::move(it.value()));
        m_waitingFor.clear();
        for (Waiting &w : m_checkedIn)
            left.push_back(std::move(w));
        m_checkedIn.clear();
    }
    QList<std::pair<CampaignItem *, ItemStep>> notReached;
    for (Waiting &w : left) {
        if (w.resumes)
            m_findings.unresolved(); // it holds what it holds: resumed, it is asked
        else
            notReached.append({ &w.item, m_steps->failure(w.item, reason) });
    }
    if (!m_steps->advanceAll(notReached))
        return storeRefused();
    return qint64(notReached.size());
}

bool CampaignRun::issueBeside(QList<CampaignItem> cleared)
{
    if (!settleIssuing(&cleared))
        return false;
    m_issuing = std::async(std::launch::async, &CampaignRun::issueAndDispatch, this, std::move(cleared));
    return true;
}

Result<void> CampaignRun::drainAll()
{
    settleIssuing(nullptr);
    if (m_issueError)
        return *m_issueError;
    drainTo(0);
    m_pool.waitForDone();
    return {};
}

// Decides what each device needs before anything is sent to it: skipped, refused, or attested.
Result<QList<CampaignItem>> CampaignRun::screen(QList<CampaignItem> &batch)
{
    QList<CampaignItem> toAttest;
    QList<std::pair<CampaignItem *, ItemStep>> decided;
    // Read now, not when the run began: a device reported stolen or lost, quarantined, or
    // recovered and not yet attested gets no profile (CustodyService).
    QList<qint64> ids;
    for (const CampaignItem &item : batch)
        ids.append(item.deviceId);
    auto held = store::CustodyRepository(m_workspace.database()).heldBack(ids);
    if (!held)
        return held.error();
    for (CampaignItem &item : batch) {
        QString skip, refuse;
        if (const QString why = held->value(item.deviceId); !why.isEmpty()) {
            skip = why;
        } else if (m_initial) {
            if (item.oldProfileId)
                skip = item.oldOperatorId == m_target.id ? QStringLiteral("already-on-target") : QStringLiteral("already-provisioned");
        } else if (!item.oldProfileId) {
            refuse = QStringLiteral("not-provisioned");
        } else if (item.oldOperatorId == m_target.id) {
            skip = QStringLiteral("already-on-target");
        } else if (!item.oldDisableAllowed) {
            refuse = QStringLiteral("policy-disable-not-allowed");
        }
        if (!skip.isEmpty())
            decided.append({ &item, ItemStep(ItemState::Skipped, skip) });
        else if (!refuse.isEmpty())
            decided.append({ &item, m_steps->failure(item, refuse) });
        else
            toAttest.append(item);
    }
    if (!m_steps->advanceAll(decided))
        return storeRefused();
    return toAttest;
}

// Attestation gates every download (TR 33.812: verify before provisioning): a fresh enough
// Affirming verdict passes; otherwise the device is attested now, and anything but Affirming
// stops it before any credential leaves the backend.
Result<QList<CampaignItem>> CampaignRun::attestGate(QList<CampaignItem> &toAttest, QList<CampaignItem> *unanswered)
{
    if (toAttest.isEmpty())
        return toAttest;
    QList<qint64> ids;
    for (const CampaignItem &item : toAttest)
        ids.append(item.deviceId);
    // A stored verdict counts only when its evidence verifies again: the row itself proves nothing.
    auto fresh = m_attestation->stillAffirming(m_by, ids, m_target.attestationMaxAgeSeconds);
    if (!fresh)
        return fresh.error();
    QList<std::pair<qint64, QString>> attestNow;
    QList<std::pair<CampaignItem *, ItemStep>> intents;
    for (CampaignItem &item : toAttest) {
        if (!fresh->contains(item.deviceId)) {
            intents.append({ &item, ItemStep(ItemState::Attesting) });
            attestNow.append({ item.deviceId, item.eid });
        }
    }
    if (!m_steps->advanceAll(intents))
        return storeRefused();
    QHash<qint64, attestation::AttestationVerdict> verdicts;
    if (!attestNow.isEmpty()) {
        auto attested = m_attestation->attest(m_by, attestNow);
        if (!attested)
            return attested.error();
        for (const auto &a : attested.value())
            verdicts.insert(a.deviceId, a.verdict);
    }
    QList<CampaignItem> cleared;
    QList<std::pair<CampaignItem *, ItemStep>> refused;
    for (CampaignItem &item : toAttest) {
        const auto verdict = verdicts.constFind(item.deviceId);
        if (unanswered && verdict != verdicts.cend() && verdict->reasonCode == QLatin1StringView("no-answer"))
            unanswered->append(item);
        else if (verdict != verdicts.cend() && verdict->tier != attestation::TrustTier::Affirming)
            refused.append({ &item, m_steps->failure(item, QStringLiteral("attestation-") + verdict->reasonCode) });
        else
            cleared.append(item);
    }
    if (!m_steps->advanceAll(refused))
        return storeRefused();
    return cleared;
}

// Credentials for a batch's cleared devices, allocated and recorded with their steps at once,
// then the devices handed to the workers. It runs beside the feeder, which meanwhile attests the
// next batch: done in line, it left a core idle each batch while the writer issued (the workers
// have often finished the batch before by then). A batch that finds the range exhausted comes
// back unissued; the feeder refuses it with everything not started.
CampaignRun::Issued CampaignRun::issueAndDispatch(QList<CampaignItem> cleared)
{
    if (m_remote)
        return claimAndDispatch(std::move(cleared));
    QList<qint64> deviceIds;
    for (const CampaignItem &item : cleared)
        deviceIds.append(item.deviceId);
    QList<profiles::IssuedProfile> issued;
    const QDateTime now = m_workspace.clock().now();
    const store::SecretVault &vault = m_workspace.vault();
    auto allocated = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto made = profiles::CredentialIssuer::issue(db, vault, m_target.id, deviceIds, now);
        if (!made)
            return made.error();
        issued = std::move(made).value();
        store::CampaignRepository campaigns(db);
        for (qsizetype i = 0; i < cleared.size(); ++i) {
            const CampaignItem &item = cleared.at(i);
            const store::CampaignItemStep step { item.deviceId, itemStateName(ItemState::Downloading), {}, item.attempts,
                                                 item.oldProfileId, issued.at(i).profileId };
            if (auto ok = campaigns.recordStep(m_id, step, now); !ok)
                return ok;
        }
        return {};
    });
    if (!allocated) {
        if (allocated.error().code != ErrorCode::RangeExhausted)
            return { allocated.error(), {}, {} };
        return { {}, allocated.errorMessage(), std::move(cleared) };
    }
    for (qsizetype i = 0; i < cleared.size(); ++i) {
        CampaignItem item = cleared.at(i);
        m_steps->moved(item.state, ItemState::Downloading);
        item.state = ItemState::Downloading;
        item.newProfileId = issued.at(i).profileId;
        item.newIccid = issued.at(i).content.iccid;
        dispatch(std::move(item), std::move(issued[i].content), false);
    }
    return {}; // progress is reported by the feeder (reportProgress is not for two threads)
}

// For an operator's own profile server: each device takes an imported activation code (its
// own, else one of the pool) and the profile row it names, in one transaction with its step.
// A device without a code fails alone (no-activation-code, retryable once more are imported);
// the others go on.
CampaignRun::Issued CampaignRun::claimAndDispatch(QList<CampaignItem> cleared)
{
    QList<std::pair<qint64, QString>> devices;
    for (const CampaignItem &item : cleared)
        devices.append({ item.deviceId, item.eid });
    QList<std::optional<profiles::ClaimedCode>> claimed;
    const QDateTime now = m_workspace.clock().now();
    const store::SecretVault &vault = m_workspace.vault();
    auto recorded = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto taken = profiles::ActivationCodeBook::claim(db, vault, m_target.id, devices, now);
        if (!taken)
            return taken.error();
        claimed = std::move(taken).value();
        store::CampaignRepository campaigns(db);
        for (qsizetype i = 0; i < cleared.size(); ++i) {
            if (!claimed.at(i))
                continue;
            const CampaignItem &item = cleared.at(i);
            const store::CampaignItemStep step { item.deviceId, itemStateName(ItemState::Downloading), {}, item.attempts,
                                                 item.oldProfileId, claimed.at(i)->profileId };
            if (auto ok = campaigns.recordStep(m_id, step, now); !ok)
                return ok;
        }
        return {};
    });
    if (!recorded)
        return { recorded.error(), {}, {} };
    QList<std::pair<CampaignItem *, ItemStep>> without;
    for (qsizetype i = 0; i < cleared.size(); ++i) {
        CampaignItem &item = cleared[i];
        if (!claimed.at(i)) {
            without.append({ &item, m_steps->failure(item, errorCodeName(ErrorCode::NoActivationCode)) });
            leaveSession({ item });
            continue;
        }
        m_steps->moved(item.state, ItemState::Downloading);
        item.state = ItemState::Downloading;
        item.newProfileId = claimed.at(i)->profileId;
        item.newIccid = claimed.at(i)->iccid;
        dispatch(item, std::nullopt, false, std::move(claimed[i]));
    }
    if (!without.isEmpty()) {
        qCWarning(lcCampaigns) << "campaign" << m_id << ":" << without.size() << "devices have no activation code of"
                               << m_target.name << "left; import more with operators activation-codes";
        if (!m_steps->advanceAll(without))
            return { storeRefused(), {}, {} };
    }
    return {};
}

// Waits for the batch before to be issued; false when the run cannot go on (the store failed, or
// the range is exhausted: then that batch, `alsoRefuse` and every device not started are refused).
bool CampaignRun::settleIssuing(QList<CampaignItem> *alsoRefuse)
{
    if (!m_issuing.valid())
        return true;
    Issued done = m_issuing.get();
    if (!done.outcome) {
        m_issueError = done.outcome.error();
        return false;
    }
    if (done.exhaustedNote.isEmpty())
        return true;
    QList<std::pair<CampaignItem *, ItemStep>> refusedAll;
    const auto refuse = [&](auto &items) {
        for (CampaignItem &item : items)
            refusedAll.append({ &item, m_steps->failure(item, QStringLiteral("range-exhausted")) });
    };
    refuse(done.unissued);
    leaveSession(done.unissued);
    if (alsoRefuse) {
        refuse(*alsoRefuse);
        leaveSession(*alsoRefuse);
    }
    refuse(m_pending);
    const bool recorded = m_steps->advanceAll(refusedAll); // before the items it points to go
    m_pending.clear();
    if (!recorded)
        m_issueError = storeRefused();
    m_note = done.exhaustedNote;
    m_exhausted = true;
    return false;
}

// After the canary share: true when it went badly and the campaign pauses.
Result<bool> CampaignRun::canaryHolds()
{
    if (!settleIssuing(nullptr))
        return m_issueError ? Result<bool>(*m_issueError) : Result<bool>(false);
    drainTo(0);
    auto counts = store::CampaignRepository(m_workspace.database()).countByState(m_id);
    if (!counts)
        return counts.error();
    const qint64 ok = counts->value(itemStateName(ItemState::Succeeded)) + counts->value(itemStateName(ItemState::Skipped));
    const double rate = 100.0 * double(ok) / double(m_canarySize);
    if (rate < m_settings.minSuccessPercent) {
        m_note = QStringLiteral("canary: %1% of the first %2 devices succeeded, below the %3% required; the campaign is "
                                "paused. Read the failures, then resume or cancel it.")
                     .arg(rate, 0, 'f', 1)
                     .arg(m_canarySize)
                     .arg(m_settings.minSuccessPercent);
        m_canaryHeld = true;
        return true;
    }
    QJsonObject settings = QJsonDocument::fromJson(m_record.settings.toUtf8()).object();
    settings.insert(QStringLiteral("canary_passed"), true);
    const QString text = QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact));
    auto saved = m_workspace.writer().run([&](QSqlDatabase &db) { return store::CampaignRepository(db).setSettings(m_id, text); });
    if (!saved)
        return saved.error();
    m_record.settings = text;
    return false;
}

Result<CampaignSummary> CampaignRun::finish()
{
    CampaignState state = CampaignState::Finished;
    const QDateTime now = m_workspace.clock().now();
    if (m_control && m_control->cancelRequested()) {
        state = CampaignState::Cancelled;
        auto cancelled = m_workspace.writer().run([&](QSqlDatabase &db) { return store::CampaignRepository(db).cancelUnstarted(m_id, now); });
        if (!cancelled)
            return cancelled.error();
    } else if (m_canaryHeld || (m_control && m_control->pauseRequested())) {
        state = CampaignState::Paused;
    } else if (const qint64 unresolved = m_findings.unresolvedCount(); unresolved > 0) {
        state = CampaignState::Interrupted;
        m_note = QStringLiteral("%1 devices did not answer while their change was reconciled; resume the campaign to finish them")
                     .arg(unresolved);
    }
    if (m_exhausted)
        state = CampaignState::Finished;
    if (m_trace && m_trace->incomplete())
        m_note += QStringLiteral("%1the protocol trace in %2 is incomplete: a message could not be written there")
                      .arg(m_note.isEmpty() ? QString() : QStringLiteral("; "), m_trace->directory());
    const CampaignQueries queries(m_workspace);
    const QStringList findings = m_findings.findings();
    auto summaryNow = queries.summaryOf(m_by, m_id);
    QJsonObject details = summaryNow ? summaryNow->toJson() : QJsonObject();
    details.insert(QStringLiteral("state"), campaignStateName(state));
    if (!findings.isEmpty()) {
        details.insert(QStringLiteral("reconciled"), qint64(findings.size()));
        details.insert(QStringLiteral("reconciled_first"), QJsonArray::fromStringList(findings.mid(0, 20)));
    }
    const store::AuditAuthor author = m_by.author();
    auto closed = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        if (auto ok = store::CampaignRepository(db).markEnded(m_id, campaignStateName(state), now, m_note); !ok)
            return ok;
        return store::AuditLog::record(db, now, author, QStringLiteral("campaign.run"), QStringLiteral("campaign:%1").arg(m_id), details);
    });
    if (!closed)
        return closed.error();
    auto out = queries.summaryOf(m_by, m_id);
    if (out)
        out.value().seconds = double(m_elapsed.elapsed()) / 1000.0;
    return out;
}

void CampaignRun::reportProgress(bool force)
{
    const qint64 nowMs = m_elapsed.elapsed();
    {
        QMutexLocker lock(&m_mutex);
        if (!force && nowMs - m_lastProgressMs < m_progressIntervalMs)
            return;
        m_lastProgressMs = nowMs;
    }
    CampaignProgress p;
    p.campaignId = m_id;
    p.total = m_total;
    p.byState = m_steps->byState();
    for (auto it = p.byState.cbegin(); it != p.byState.cend(); ++it) {
        if (isFinal(it.key()))
            p.done += it.value();
    }
    p.elapsedSeconds = double(nowMs) / 1000.0;
    {
        QMutexLocker lock(&m_mutex);
        p.waiting = m_waitingFor.size();
    }
    // This run's pace: items a resumed or retried campaign had finished before do not count.
    p.devicesPerSecond = nowMs > 0 ? double(std::max<qint64>(0, p.done - m_doneBefore)) * 1000.0 / double(nowMs) : 0;
    if (m_progress)
        m_progress(p);
}

void CampaignRun::drainTo(qint64 limit)
{
    for (;;) {
        {
            QMutexLocker lock(&m_mutex);
            if (m_inFlight <= limit)
                return;
            // A device leaving the workers wakes the feeder; progress between is reported on
            // the timeout (waking it on every step cost a thread switch per step).
            m_changed.wait(&m_mutex, 100);
        }
        reportProgress(false);
    }
}

} // namespace simfleet::campaigns
