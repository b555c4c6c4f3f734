#include "devicechange.h"
#include "campaignslog.h"
#include "steprecorder.h"

#include "core/clock.h"
#include "crypto/milenage.h"
#include "crypto/random.h"
#include "devices/devicelink.h"
#include "eim/esipaservice.h"
#include "devices/euiccprofiles.h"
#include "net/remoteprofileserver.h"
#include "profiles/activationcodebook.h"
#include "profiles/profileserver.h"
#include "store/records.h"

namespace simfleet::campaigns {

namespace {

QString reasonCode(const Error &error, const char *fallback)
{
    return error.code == ErrorCode::None ? QString::fromLatin1(fallback) : errorCodeName(error.code);
}

const QString installedState = QStringLiteral("installed");
const QString enabledState = QStringLiteral("enabled");
const QString disabledState = QStringLiteral("disabled");
const QString deletedState = QStringLiteral("deleted");
const QString allocatedState = QStringLiteral("allocated");

} // namespace

void ReconcileFindings::unresolved()
{
    QMutexLocker lock(&m_mutex);
    ++m_unresolved;
}

void ReconcileFindings::found(const QString &finding)
{
    QMutexLocker lock(&m_mutex);
    m_findings.append(finding);
}

qint64 ReconcileFindings::unresolvedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_unresolved;
}

QStringList ReconcileFindings::findings() const
{
    QMutexLocker lock(&m_mutex);
    return m_findings;
}

DeviceChange::DeviceChange(const ChangeContext &context, CampaignItem item, std::optional<protocol::ProfileContent> content,
                           devices::DeviceLink &link, std::optional<profiles::ClaimedCode> code)
    : m_context(context),
      m_item(std::move(item)),
      m_content(std::move(content)),
      m_code(std::move(code)),
      m_link(link),
      m_notifications(link, context.deviceTrust, std::chrono::milliseconds(context.settings.answerTimeoutMs))
{
}


void DeviceChange::run(bool reconcile)
{
    if (reconcile && !reconcileWithDevice())
        return;
    while (!isFinal(m_item.state)) {
        bool advanced = false;
        switch (m_item.state) {
        case ItemState::Downloading:
            advanced = download();
            break;
        case ItemState::Enabling:
            // The enable's intent covers confirming the attach that follows it: a crash in
            // between is found by reconciliation (the device reports the new profile enabled).
            advanced = enable() && confirm();
            break;
        case ItemState::Confirming:
            advanced = confirm();
            break;
        case ItemState::DeletingOld:
            advanced = deleteOld();
            break;
        case ItemState::RollingBack:
            advanced = rollBack();
            break;
        case ItemState::Pending:
        case ItemState::Attesting:
        case ItemState::Succeeded:
        case ItemState::Failed:
        case ItemState::RolledBack:
        case ItemState::Skipped:
        case ItemState::Cancelled:
            // The run attests and issues before a device reaches a worker; a final one is done.
            qCWarning(lcCampaigns) << "device" << m_item.eid << "reached a worker in state" << itemStateName(m_item.state);
            break;
        }
        if (!advanced)
            return;
    }
}

template<typename T, typename Call>
Result<T> DeviceChange::ask(Call call)
{
    const CampaignSettings &settings = m_context.settings;
    const std::chrono::milliseconds timeout(settings.answerTimeoutMs);
    Result<T> answer = simfleet::fail({});
    // A device on the network answers within a round trip while it is in session; silence means
    // it went away, and asking again before it checks in only queues the same package twice.
    const int attempts = m_context.network ? 1 : settings.attempts;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0)
            m_context.clock.wait(qint64(settings.backoffMs) << (attempt - 1));
        auto future = call();
        answer = devices::awaitAnswer(future, timeout, m_item.eid);
        if (answer || answer.error().code != ErrorCode::Timeout)
            return answer;
    }
    return answer;
}

template<typename Call>
bool DeviceChange::tidy(const char *what, Call call)
{
    if (auto ok = ask<void>(call); !ok) {
        qCInfo(lcCampaigns) << "device" << m_item.eid << "did not" << what << ":" << ok.errorMessage();
        return false;
    }
    return true;
}

void DeviceChange::collectNotifications()
{
    auto collected = m_notifications.collect(m_context.clock.now());
    if (!collected) {
        qCInfo(lcCampaigns) << "device" << m_item.eid << "keeps its notifications for now:" << collected.errorMessage();
        return;
    }
    for (const QString &refused : std::as_const(collected->refused))
        qCWarning(lcCampaigns) << "device" << m_item.eid << ":" << refused;
}

bool DeviceChange::away(const Error &error)
{
    if (!m_context.network || error.code != ErrorCode::Timeout)
        return false;
    m_away = true;
    return true;
}

void DeviceChange::fail(const QString &reason, const ItemStep::ProfileStates &profiles)
{
    m_context.steps.advance(m_item, m_context.steps.failure(m_item, reason, profiles));
}

Result<QString> DeviceChange::retried(int &attempts, const std::function<Result<QString>()> &once)
{
    const CampaignSettings &settings = m_context.settings;
    Result<QString> installed = simfleet::fail({});
    for (int attempt = 0; attempt < settings.attempts; ++attempt) {
        if (attempt > 0)
            m_context.clock.wait(qint64(settings.backoffMs) << (attempt - 1));
        ++attempts;
        installed = once();
        if (installed || installed.error().code == ErrorCode::AlreadyInstalled)
            break;
        const ErrorCode code = installed.error().code;
        if (code == ErrorCode::Timeout && m_context.network)
            break; // gone: it downloads again from where it stands when it comes back
        if (code != ErrorCode::Timeout && code != ErrorCode::DeviceRestarted && code != ErrorCode::ProfileServerUnreachable)
            break;
    }
    return installed;
}

bool DeviceChange::download()
{
    if (m_context.remote)
        return downloadThroughOperator();
    if (!m_content) {
        fail(QStringLiteral("credentials-unavailable"), { { *m_item.newProfileId, deletedState } });
        return false;
    }
    const store::OperatorRecord &target = m_context.target;
    profiles::DownloadOrder order;
    order.eid = m_item.eid;
    order.profile = *m_content;
    order.metadata.serviceProviderName = target.name;
    order.metadata.plmn = target.mcc + target.mnc;
    order.metadata.fallbackAllowed = target.fallbackAllowed;
    const CampaignSettings &settings = m_context.settings;
    int attempts = m_item.attempts;
    Result<QString> installed = retried(attempts, [&] {
        if (m_context.network)
            return m_context.network->download(m_context.server, order, std::chrono::milliseconds(settings.answerTimeoutMs));
        profiles::DownloadSession session;
        auto once = m_context.server->download(m_link, order, std::chrono::milliseconds(settings.answerTimeoutMs),
                                               m_context.clock.now(), &session);
        // The certificate AuthenticateClient verified: the device's notifications are checked against it.
        m_notifications.trust(session.euiccCertificate);
        return once;
    });
    if (!installed && away(installed.error()))
        return false;
    if (!installed && installed.error().code != ErrorCode::AlreadyInstalled) {
        // A late answer may still have installed it: remove it, so the device keeps only what
        // the workspace records (a device that has nothing answers no-such-profile).
        if (installed.error().code == ErrorCode::Timeout
            && tidy("remove a profile it may have installed late", [&] { return devices::deleteProfile(m_link, m_item.newIccid); }))
            collectNotifications();
        // The numbers stay burnt: an issued IMSI or ICCID is never handed out again.
        fail(reasonCode(installed.error(), "download-failed"), { { *m_item.newProfileId, deletedState } });
        return false;
    }
    return m_context.steps.advance(m_item, ItemStep(ItemState::Enabling)
                                               .withAttempts(attempts)
                                               .withProfiles({ { *m_item.newProfileId, installedState } }));
}

bool DeviceChange::enable()
{
    auto enabled = ask<void>([&] { return devices::enableProfile(m_link, m_item.newIccid); });
    if (!enabled && away(enabled.error()))
        return false;
    if (!enabled) {
        const QString reason = reasonCode(enabled.error(), "enable-failed");
        // Nothing changed on the device: remove the new profile so it holds what it held.
        if (tidy("remove the profile it would not enable", [&] { return devices::deleteProfile(m_link, m_item.newIccid); }))
            collectNotifications();
        fail(reason, { { *m_item.newProfileId, deletedState } });
        return false;
    }
    collectNotifications();
    return true;
}

bool DeviceChange::confirm()
{
    // The new operator's network authenticates the device (3GPP TS 33.102 section 6.3): RAND and
    // AUTN from the profile's own Ki and OPc; only the right RES proves it attached. A profile
    // from the operator's own profile server is authenticated by the operator's network alone
    // (simfleet never held its Ki): the device reports which profile it attached with.
    QByteArray rand, autn, expectedRes;
    if (!m_context.remote) {
        if (!m_content) {
            fail(QStringLiteral("credentials-unavailable"));
            return false;
        }
        auto milenage = crypto::Milenage::withOpc(m_content->ki, m_content->opc);
        if (!milenage) {
            fail(QStringLiteral("credentials-unavailable"));
            return false;
        }
        rand = crypto::randomBytes(16);
        const QByteArray sqn = QByteArray::fromHex("000000000021");
        const QByteArray amf = QByteArray::fromHex("8000");
        auto vector = milenage->compute(rand, sqn, amf);
        if (!vector) {
            fail(QStringLiteral("credentials-unavailable"));
            return false;
        }
        autn = vector->autn;
        expectedRes = vector->res;
    }
    auto report = ask<devices::AttachReport>([&] { return m_link.attach(rand, autn); });
    if (!report && away(report.error()))
        return false;
    const bool initial = !m_item.oldProfileId;
    StepRecorder &steps = m_context.steps;
    const bool newOwner = steps.campaign().newCustomerId.has_value();
    if (report && report->iccid == m_item.newIccid && !report->fellBack && report->res == expectedRes) {
        if (initial)
            return steps.advance(m_item, ItemStep(ItemState::Succeeded)
                                             .withProfiles({ { *m_item.newProfileId, enabledState } })
                                             .audited(QStringLiteral("profile.provision"),
                                                      steps.change(m_item, QStringLiteral("succeeded"), {}), newOwner));
        return steps.advance(m_item, ItemStep(ItemState::DeletingOld)
                                         .withProfiles({ { *m_item.newProfileId, enabledState }, { *m_item.oldProfileId, disabledState } }));
    }
    if (initial) {
        // Nothing to fall back to: the profile stays enabled, the device is reported.
        const QString reason = report ? QStringLiteral("attach-failed") : reasonCode(report.error(), "attach-failed");
        fail(reason, { { *m_item.newProfileId, enabledState } });
        return false;
    }
    QString reason = QStringLiteral("attach-failed");
    if (report && report->fellBack)
        reason = QStringLiteral("no-coverage");
    else if (!report)
        reason = reasonCode(report.error(), "attach-failed");
    return steps.advance(m_item, ItemStep(ItemState::RollingBack, reason));
}

// SGP.32's indirect download (the eIM relays for the device) to the operator's own profile
// server, with the activation code claimed for this device: ES9+ on one side, ES10b on the
// other (SGP.22 section 3.1.3).
bool DeviceChange::downloadThroughOperator()
{
    if (!m_code) {
        fail(errorCodeName(ErrorCode::NoActivationCode), { { *m_item.newProfileId, deletedState } });
        return false;
    }
    const std::chrono::milliseconds deviceTimeout(m_context.settings.answerTimeoutMs);
    int attempts = m_item.attempts;
    Result<QString> installed = retried(attempts, [&] {
        if (m_context.network)
            return m_context.network->download(m_item.eid, m_code->smdpAddress, m_code->matchingId, deviceTimeout);
        return m_context.remote->download(m_link, m_code->smdpAddress, m_code->matchingId, deviceTimeout);
    });
    if (!installed && away(installed.error()))
        return false;
    if (installed && installed.value() != m_item.newIccid) {
        // The server bound another profile to the code than the operator said: the device keeps
        // only what the workspace records.
        qCWarning(lcCampaigns) << "device" << m_item.eid << "got profile" << installed.value() << "from"
                               << m_context.remote->address() << "instead of" << m_item.newIccid;
        const QString unexpected = installed.value();
        if (tidy("remove the profile it was not meant to get", [&] { return devices::deleteProfile(m_link, unexpected); }))
            collectNotifications();
        fail(errorCodeName(ErrorCode::WrongProfile), { { *m_item.newProfileId, deletedState } });
        return false;
    }
    if (!installed && installed.error().code != ErrorCode::AlreadyInstalled) {
        const ErrorCode code = installed.error().code;
        qCWarning(lcCampaigns) << "device" << m_item.eid << "download through" << m_context.remote->address()
                               << "failed:" << installed.errorMessage();
        if (code == ErrorCode::Timeout
            && tidy("remove a profile it may have installed late", [&] { return devices::deleteProfile(m_link, m_item.newIccid); }))
            collectNotifications();
        // A server that was down, slow or not the one recorded never used the code: the device
        // keeps it for a retry. One that refused it, or a download that failed on the device's
        // side, spent it: a retry takes another.
        const bool codeUnused = code == ErrorCode::ProfileServerUnreachable || code == ErrorCode::ProfileServerUntrusted;
        fail(reasonCode(installed.error(), "download-failed"),
             { { *m_item.newProfileId, codeUnused ? allocatedState : deletedState } });
        return false;
    }
    return m_context.steps.advance(m_item, ItemStep(ItemState::Enabling)
                                               .withAttempts(attempts)
                                               .withProfiles({ { *m_item.newProfileId, installedState } }));
}

bool DeviceChange::deleteOld()
{
    auto deleted = ask<void>([&] { return devices::deleteProfile(m_link, m_item.oldIccid); });
    if (!deleted && away(deleted.error()))
        return false;
    if (deleted)
        collectNotifications();
    const bool gone = deleted || deleted.error().code == ErrorCode::NoSuchProfile;
    // The change itself succeeded; an old profile the device would not delete stays disabled.
    const QString reason = gone ? QString() : QStringLiteral("old-profile-kept");
    StepRecorder &steps = m_context.steps;
    return steps.advance(m_item, ItemStep(ItemState::Succeeded, reason)
                                     .withProfiles({ { *m_item.oldProfileId, gone ? deletedState : disabledState } })
                                     .audited(QStringLiteral("profile.change"), steps.change(m_item, QStringLiteral("succeeded"), reason),
                                              steps.campaign().newCustomerId.has_value()));
}

std::optional<DeviceChange::Holdings> DeviceChange::holdings()
{
    auto listed = ask<QList<devices::InstalledProfile>>([&] { return devices::listProfiles(m_link); });
    if (!listed) {
        if (!away(listed.error()))
            m_context.findings.unresolved();
        return std::nullopt;
    }
    Holdings h;
    for (const auto &p : listed.value()) {
        const bool enabled = p.state == enabledState;
        if (p.iccid == m_item.newIccid) {
            h.hasNew = true;
            h.newEnabled = enabled;
        }
        if (!m_item.oldIccid.isEmpty() && p.iccid == m_item.oldIccid) {
            h.hasOld = true;
            h.oldEnabled = enabled;
        }
    }
    return h;
}

bool DeviceChange::rollBack()
{
    // Make sure the old profile runs, then remove the new one.
    const auto held = holdings();
    if (!held)
        return false;
    if (!held->oldEnabled) {
        if (auto ok = ask<void>([&] { return devices::enableProfile(m_link, m_item.oldIccid); }); !ok) {
            if (!away(ok.error()))
                m_context.findings.unresolved();
            return false;
        }
    }
    if (held->hasNew)
        tidy("remove the profile it rolled back from", [&] { return devices::deleteProfile(m_link, m_item.newIccid); });
    // What the device did (the enable, the delete, or its own fall-back), in one retrieve.
    collectNotifications();
    StepRecorder &steps = m_context.steps;
    return steps.advance(m_item, ItemStep(ItemState::RolledBack, m_item.reason)
                                     .withProfiles({ { *m_item.newProfileId, deletedState }, { *m_item.oldProfileId, enabledState } })
                                     .audited(QStringLiteral("profile.change"),
                                              steps.change(m_item, QStringLiteral("rolled-back"), m_item.reason)));
}

// After a crash the store and the device may disagree: ask the device what it holds and continue
// from there (DESIGN.md "Subscription change", recovery).
bool DeviceChange::reconcileWithDevice()
{
    const auto held = holdings();
    if (!held)
        return false;
    const ItemState state = m_item.state;
    ItemState next = state;
    ItemStep::ProfileStates profiles;
    switch (state) {
    case ItemState::Downloading:
        if (held->hasNew) {
            next = ItemState::Enabling;
            profiles.append({ *m_item.newProfileId, installedState });
        }
        break;
    case ItemState::Enabling:
    case ItemState::Confirming:
        next = !held->hasNew ? ItemState::Downloading : (held->newEnabled ? ItemState::Confirming : ItemState::Enabling);
        break;
    case ItemState::DeletingOld:
        if (!held->hasOld) {
            next = ItemState::Succeeded;
            profiles.append({ *m_item.oldProfileId, deletedState });
        }
        break;
    case ItemState::Pending:
    case ItemState::Attesting:
    case ItemState::RollingBack: // rolls back from wherever the device stands
    case ItemState::Succeeded:
    case ItemState::Failed:
    case ItemState::RolledBack:
    case ItemState::Skipped:
    case ItemState::Cancelled:
        break;
    }
    m_context.findings.found(QStringLiteral("%1: store at %2, device holds new profile %3%4, old profile %5; continues at %6")
                                 .arg(m_item.eid, itemStateName(state), held->hasNew ? QStringLiteral("yes") : QStringLiteral("no"),
                                      held->newEnabled ? QStringLiteral(" (enabled)") : QString(),
                                      m_item.oldIccid.isEmpty() ? QStringLiteral("none")
                                                                : (held->hasOld ? QStringLiteral("yes") : QStringLiteral("no")),
                                      itemStateName(next)));
    if (next == state && profiles.isEmpty())
        return true;
    StepRecorder &steps = m_context.steps;
    ItemStep step = ItemStep(next, m_item.reason).withProfiles(profiles);
    if (next == ItemState::Succeeded)
        step.audited(QStringLiteral("profile.change"), steps.change(m_item, QStringLiteral("succeeded"), {}),
                     steps.campaign().newCustomerId.has_value());
    return steps.advance(m_item, std::move(step));
}

} // namespace simfleet::campaigns
