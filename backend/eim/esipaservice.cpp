#include "esipaservice.h"

#include "eimlog.h"
#include "core/clock.h"
#include "crypto/certificate.h"
#include "crypto/random.h"
#include "net/locales9plus.h"
#include "profiles/es9plusservice.h"
#include "profiles/profileserver.h"
#include "protocol/activationcode.h"
#include "protocol/esiparelay.h"
#include "protocol/notifications.h"
#include "protocol/profileinstallationresult.h"
#include "store/eimrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QDeadlineTimer>

namespace simfleet::eim {

namespace esipa = protocol::esipa;
using Kind = store::EimPackageRecord::Kind;
using State = store::EimPackageRecord::State;

namespace {

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
// Spelt out for compilers without C++20's deduction for aggregates (clang before 17).
template<class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

QByteArray newTransactionId()
{
    return crypto::randomBytes(16);
}

QByteArray answerWith(esipa::GetEimPackageResponse response)
{
    return esipa::encode(esipa::MessageFromEim(std::move(response)));
}

// An IpaEuiccDataRequest for these data objects (SGP.32 section 2.11.1.2). The request carries
// no transaction ID: the row's own identifies the row only.
store::EimPackageRecord euiccDataRecord(const QString &eid, const QByteArray &tagList, const QDateTime &at)
{
    store::EimPackageRecord record;
    record.eid = eid;
    record.kind = Kind::EuiccData;
    record.transactionId = newTransactionId();
    record.queuedAt = at;
    protocol::IpaEuiccDataRequest request;
    request.tagList = tagList;
    record.request = answerWith({ std::move(request) });
    return record;
}

} // namespace

EsipaService::EsipaService(store::Workspace &workspace, EimIdentity identity, crypto::ChainVerifier deviceTrust)
    : m_workspace(workspace), m_packages(std::move(identity)), m_deviceTrust(std::move(deviceTrust))
{
    const QDateTime now = m_workspace.clock().now();
    auto withdrawn = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto count = store::EimRepository(db).cancelWaiting(QStringLiteral("withdrawn: queued by an eIM that stopped before its result came"), now);
        if (!count)
            return count.error();
        if (count.value() > 0)
            qCInfo(lcEim) << "withdrew" << count.value() << "eIM packages nobody waits for any more";
        return {};
    });
    if (!withdrawn)
        qCWarning(lcEim) << "could not withdraw the packages of an earlier run:" << withdrawn.errorMessage();
}

EsipaService::~EsipaService()
{
    QMutexLocker lock(&m_mutex);
    m_stopping = true;
    m_arrived.wakeAll();
    for (const Waiting &w : std::as_const(m_waiting))
        w.settle(fail(QStringLiteral("the eIM stopped before the device's result came")));
}

Result<std::unique_ptr<EsipaService>> EsipaService::ofWorkspace(store::Workspace &workspace)
{
    auto identity = EimIdentity::ofWorkspace(workspace);
    if (!identity)
        return identity.error();
    auto trust = profiles::deviceTrustOf(workspace);
    if (!trust)
        return trust.error();
    return std::make_unique<EsipaService>(workspace, std::move(identity).value(), std::move(trust).value());
}

EsipaService::Counters EsipaService::counters() const
{
    return { m_polls.load(), m_handedOut.load(), m_results.load(), m_refused.load(), m_held.load() };
}

devices::Answer<PackageResult> EsipaService::queue(const QString &eid, store::EimPackageRecord record)
{
    auto [answer, settle] = devices::Answer<PackageResult>::pending();
    record.eid = eid;
    record.queuedAt = m_workspace.clock().now();
    // The device's timeout counts from when it gets the package, not from when it was queued:
    // a device that checks in later than asked is not silent until it has had the package that
    // long (and a download's relay, say, is not cut short by its wait for the check-in).
    auto handedOutAt = std::make_shared<std::atomic<qint64>>(0);
    answer.countingFrom([handedOutAt] {
        using Clock = std::chrono::steady_clock;
        const qint64 at = handedOutAt->load();
        return at == 0 ? Clock::time_point::min() : Clock::time_point(Clock::duration(at));
    });
    // Waiting before the package exists: its result may come before enqueue returns.
    {
        QMutexLocker lock(&m_mutex);
        m_waiting.insert(record.transactionId, { settle, handedOutAt, eid });
        ++m_queued[eid];
        Outstanding &o = m_outstanding[eid];
        ++o.unresolved;
        ++o.storing;
    }
    auto stored = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto id = store::EimRepository(db).enqueue(record);
        return id ? Result<void>() : Result<void>(id.error());
    });
    QMutexLocker lock(&m_mutex);
    if (auto o = m_outstanding.find(eid); o != m_outstanding.end() && --o->storing <= 0 && o->unresolved <= 0)
        m_outstanding.erase(o); // its result came before it was stored
    m_arrived.wakeAll(); // a check-in held for it reads it now
    if (!stored) {
        takeWaiting(record.transactionId);
        return devices::Answer<PackageResult>::ready(stored.error());
    }
    // Again once it is stored: a poll that looked before it was cannot take "nothing waits"
    // for the last word.
    ++m_queued[eid];
    return answer;
}

quint64 EsipaService::watchCheckIns(CheckInWatcher watcher)
{
    QMutexLocker lock(&m_watchersMutex);
    const quint64 id = m_nextWatch++;
    m_watchers.insert(id, std::move(watcher));
    return id;
}

void EsipaService::unwatch(quint64 watch)
{
    QMutexLocker lock(&m_watchersMutex);
    m_watchers.remove(watch);
}

void EsipaService::setHold(std::chrono::milliseconds holdFor, int maxHeld)
{
    QMutexLocker lock(&m_mutex);
    m_holdFor = holdFor;
    m_maxHeld = std::max(0, maxHeld);
}

std::optional<EsipaService::Waiting> EsipaService::takeWaiting(const QByteArray &transactionId)
{
    const auto it = m_waiting.find(transactionId);
    if (it == m_waiting.end())
        return std::nullopt;
    Waiting waiting = std::move(it.value());
    m_waiting.erase(it);
    if (auto o = m_outstanding.find(waiting.eid); o != m_outstanding.end() && --o->unresolved <= 0 && o->storing <= 0)
        m_outstanding.erase(o);
    return waiting;
}

void EsipaService::endSession(const QString &eid)
{
    QMutexLocker lock(&m_mutex);
    m_sessionEnded.insert(eid);
    m_arrived.wakeAll();
}

void EsipaService::withdraw(const QString &eid)
{
    QList<QByteArray> withdrawn;
    const QDateTime now = m_workspace.clock().now();
    auto done = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto ids = store::EimRepository(db).withdrawFor(eid, QStringLiteral("withdrawn: the device went silent mid-change"), now);
        if (!ids)
            return ids.error();
        withdrawn = std::move(ids).value();
        return {};
    });
    if (!done) {
        qCWarning(lcEim) << "could not withdraw the packages of" << eid << ":" << done.errorMessage();
        return;
    }
    QList<devices::Answer<PackageResult>::Settle> waiters;
    {
        QMutexLocker lock(&m_mutex);
        for (const QByteArray &id : std::as_const(withdrawn)) {
            if (auto waiting = takeWaiting(id))
                waiters.append(waiting->settle);
        }
    }
    for (const auto &settle : std::as_const(waiters))
        settle(failWith(ErrorCode::Timeout, QStringLiteral("device %1 went silent; its package was withdrawn").arg(eid)));
}

void EsipaService::holdForWatcher(const QString &eid)
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_stopping)
            return;
        ++m_holding;
        m_sessionEnded.remove(eid);
    }
    bool taken = false;
    {
        QMutexLocker lock(&m_watchersMutex);
        for (const CheckInWatcher &watcher : std::as_const(m_watchers)) {
            if (watcher(eid)) {
                taken = true;
                break;
            }
        }
    }
    QMutexLocker lock(&m_mutex);
    // Held while nothing was stored for the device since its last check-in read its queue, or a
    // package is being stored: the campaign's next step is on its way. (Whether anything waits in
    // general says nothing here: the package of the step before is still there until the device's
    // check-in finds its queue empty.) Without a thread to hold it on, the device is still taken
    // up, and what is queued for it waits for its next check-in. Only the check-ins a campaign
    // took up count against the limit.
    const auto nothingNew = [&] {
        const Outstanding o = m_outstanding.value(eid);
        return o.storing > 0 || o.unresolved == 0;
    };
    if (taken && m_holdFor.count() > 0 && m_heldNow < m_maxHeld && nothingNew()) {
        ++m_held;
        ++m_heldNow;
        QDeadlineTimer until(m_holdFor.count());
        while (!m_stopping && nothingNew() && !m_sessionEnded.contains(eid) && !until.hasExpired())
            m_arrived.wait(&m_mutex, until);
        --m_heldNow;
    }
    --m_holding;
}

devices::Answer<PackageResult> EsipaService::queuePsmos(const QString &eid, const QList<protocol::Psmo> &psmos)
{
    qint64 counter = 0;
    auto taken = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto c = store::EimRepository(db).takeCounter(eid);
        if (!c)
            return c.error();
        counter = c.value();
        return {};
    });
    if (!taken)
        return devices::Answer<PackageResult>::ready(taken.error());
    // Signed outside the writer: a counter taken and never used is a gap the eUICC accepts.
    store::EimPackageRecord record;
    record.kind = Kind::EuiccPackage;
    record.transactionId = newTransactionId();
    record.counterValue = counter;
    auto request = m_packages.signWithCounter(eid, counter, psmos, record.transactionId);
    if (!request)
        return devices::Answer<PackageResult>::ready(request.error());
    record.request = answerWith({ std::move(request).value() });
    return queue(eid, std::move(record));
}

devices::Answer<PackageResult> EsipaService::queueSimfleet(const QString &eid, esipa::SimfleetEimPackage package)
{
    store::EimPackageRecord record;
    record.kind = Kind::Simfleet;
    record.transactionId = newTransactionId();
    package.eimTransactionId = record.transactionId;
    record.request = answerWith({ std::move(package) });
    return queue(eid, std::move(record));
}

devices::Answer<PackageResult> EsipaService::queueEuiccData(const QString &eid, const QByteArray &tagList)
{
    return queue(eid, euiccDataRecord(eid, tagList, m_workspace.clock().now()));
}

devices::Answer<PackageResult> EsipaService::queueDownload(const QString &eid, const QString &activationCode)
{
    store::EimPackageRecord record;
    record.kind = Kind::Download;
    record.transactionId = newTransactionId();
    protocol::ProfileDownloadTriggerRequest trigger;
    trigger.activationCode = activationCode;
    trigger.eimTransactionId = record.transactionId;
    record.request = answerWith({ std::move(trigger) });
    return queue(eid, std::move(record));
}

net::FunctionAnswer EsipaService::handle(const QByteArray &request)
{
    auto message = esipa::decodeFromIpa(request);
    if (!message) {
        ++m_refused;
        return net::FunctionAnswer::refused(QStringLiteral("the body is not an ESipa message: %1").arg(message.errorMessage()));
    }
    return std::visit(
        Overloaded {
            [&](const esipa::GetEimPackageRequest &r) -> net::FunctionAnswer { return getEimPackage(r); },
            [&](const esipa::ProvideEimPackageResult &r) -> net::FunctionAnswer { return esipa::encode(provideResult(r)); },
            [&](const esipa::HandleNotification &n) -> net::FunctionAnswer {
                // SGP.32 section 6.3.2.4: a result delivered as a notification is taken like any;
                // the eUICC's own notifications are for the profile servers, which this eIM
                // does not forward to yet: it takes them so the IPA may let them go.
                if (const auto *result = std::get_if<esipa::ProvideEimPackageResult>(&n.content))
                    provideResult(*result);
                else
                    relayNotification(std::get<QByteArray>(n.content));
                return std::optional<QByteArray>();
            },
            [&](const auto &relayed) -> net::FunctionAnswer { return esipa::encode(relay(esipa::MessageFromIpa(relayed))); },
        },
        *message);
}

net::FunctionAnswer EsipaService::getEimPackage(const esipa::GetEimPackageRequest &request)
{
    ++m_polls;
    const QString eid = request.eid;
    holdForWatcher(eid);
    const QDateTime now = m_workspace.clock().now();
    constexpr qint64 touchEveryMs = 60 * 1000;
    quint64 generation = 0;
    {
        QMutexLocker lock(&m_mutex);
        const auto known = m_known.constFind(eid);
        const auto queued = m_queued.constFind(eid);
        if (known != m_known.cend() && queued == m_queued.cend() && now.toMSecsSinceEpoch() - known->touchedMs < touchEveryMs)
            return answerWith({ int(esipa::GetEimPackageResponse::NoEimPackageAvailable) });
        generation = queued == m_queued.cend() ? 0 : queued.value();
    }
    bool enrolled = false;
    bool certificateKnown = false;
    std::optional<store::EimPackageRecord> next;
    auto read = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::EimRepository eims(db);
        auto known = eims.isEnrolled(eid);
        if (!known)
            return known.error();
        enrolled = known.value();
        if (!enrolled)
            return {};
        if (auto ok = eims.touch(eid, now); !ok)
            return ok;
        auto device = eims.device(eid);
        if (!device)
            return device.error();
        certificateKnown = *device && !(*device)->euiccCertificate.isEmpty();
        auto found = eims.nextFor(eid);
        if (!found)
            return found.error();
        next = found.value();
        // First contact: the eUICC's certificates before anything it signs is taken.
        if (!certificateKnown && (!next || next->kind != Kind::EuiccData)) {
            store::EimPackageRecord ask = euiccDataRecord(eid, EsipaService::certificateTags(), now);
            auto id = eims.enqueue(ask);
            if (!id)
                return id.error();
            ask.id = id.value();
            next = ask;
        }
        if (next)
            return eims.markSent(next->id, now);
        return {};
    });
    if (!read) {
        qCWarning(lcEim) << "getEimPackage of" << eid << "failed:" << read.errorMessage();
        return answerWith({ int(esipa::GetEimPackageResponse::UndefinedError) });
    }
    if (!enrolled) {
        ++m_refused;
        qCInfo(lcEim) << "refused getEimPackage of" << eid << ": no device the workspace enrolled";
        return answerWith({ int(esipa::GetEimPackageResponse::UndefinedError) });
    }
    {
        QMutexLocker lock(&m_mutex);
        if (certificateKnown)
            m_known.insert(eid, Known { now.toMSecsSinceEpoch() });
        // Nothing waits, and nothing was queued meanwhile: the next polls need not look.
        if (!next && m_queued.value(eid) == generation)
            m_queued.remove(eid);
    }
    if (!next)
        return answerWith({ int(esipa::GetEimPackageResponse::NoEimPackageAvailable) });
    ++m_handedOut;
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_waiting.constFind(next->transactionId); it != m_waiting.cend())
            it->handedOutAt->store(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    return next->request;
}

esipa::MessageFromEim EsipaService::provideResult(const esipa::ProvideEimPackageResult &provided)
{
    ++m_results;
    const auto refuse = [&](const QString &why) -> esipa::MessageFromEim {
        ++m_refused;
        qCInfo(lcEim) << "refused a package result:" << why;
        return esipa::ProvideEimPackageResultResponse {};
    };
    const auto byTransaction = [&](const QByteArray &transactionId, Kind kind) -> Result<store::EimPackageRecord> {
        std::optional<store::EimPackageRecord> found;
        auto read = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
            auto p = store::EimRepository(db).byTransaction(transactionId);
            if (!p)
                return p.error();
            found = p.value();
            return {};
        });
        if (!read)
            return read.error();
        if (!found || found->kind != kind)
            return fail(QStringLiteral("no package %1 was sent").arg(QString::fromLatin1(transactionId.toHex())));
        return *found;
    };
    // A result for a package answered already (the IPA did not hear the acknowledgement): the
    // same acknowledgement again, nothing changed.
    const auto answered = [](const store::EimPackageRecord &p) { return p.state != State::Queued && p.state != State::Sent; };

    return std::visit(
        Overloaded {
            [&](const protocol::EuiccPackageResult &result) -> esipa::MessageFromEim {
                QByteArray transactionId;
                if (const auto *data = std::get_if<protocol::EuiccPackageResultData>(&result.content))
                    transactionId = data->transactionId;
                else if (const auto *error = std::get_if<protocol::EuiccPackageErrorData>(&result.content))
                    transactionId = error->transactionId;
                else
                    return refuse(QStringLiteral("an unsigned error from eIM %1's package: it names no package, and proves nothing")
                                      .arg(std::get<protocol::EuiccPackageErrorUnsigned>(result.content).eimId));
                auto package = byTransaction(transactionId, Kind::EuiccPackage);
                if (!package)
                    return refuse(package.errorMessage());
                auto message = esipa::decodeFromEim(package->request);
                const auto *sent = message ? std::get_if<esipa::GetEimPackageResponse>(&message.value()) : nullptr;
                const auto *request = sent ? std::get_if<protocol::EuiccPackageRequest>(&sent->content) : nullptr;
                if (!request)
                    return refuse(QStringLiteral("package %1 as stored does not read back").arg(package->id));
                auto certificate = euiccCertificate(package->eid);
                if (!certificate)
                    return refuse(certificate.errorMessage());
                auto outcome = m_packages.checkResult(*request, result, certificate.value());
                if (!outcome)
                    return refuse(outcome.errorMessage());
                const QList<qint64> acknowledged = outcome->refusedWith == 0 ? QList<qint64> { outcome->seqNumber } : QList<qint64> {};
                if (!answered(*package))
                    settle(*package, PackageResult { result.encode(), outcome.value() });
                return esipa::ProvideEimPackageResultResponse { acknowledged };
            },
            [&](const protocol::ProfileDownloadTriggerResult &result) -> esipa::MessageFromEim {
                auto package = byTransaction(result.eimTransactionId, Kind::Download);
                if (!package)
                    return refuse(package.errorMessage());
                if (!answered(*package))
                    settle(*package, PackageResult { result.encode(), {} });
                return esipa::ProvideEimPackageResultResponse {};
            },
            [&](const esipa::SimfleetEimPackageResult &result) -> esipa::MessageFromEim {
                auto package = byTransaction(result.eimTransactionId, Kind::Simfleet);
                if (!package)
                    return refuse(package.errorMessage());
                if (!answered(*package))
                    settle(*package, PackageResult { result.encode(), {} });
                return esipa::ProvideEimPackageResultResponse {};
            },
            [&](const protocol::IpaEuiccDataResponse &response) -> esipa::MessageFromEim {
                const auto *data = std::get_if<protocol::IpaEuiccData>(&response.content);
                if (!data)
                    return refuse(QStringLiteral("the IPA could not give its eUICC's data (error %1)").arg(std::get<int>(response.content)));
                // The request carries no transaction ID: the certificate names its eUICC (the
                // EID in its subject), whose chain must reach the workspace's issuers.
                auto leaf = crypto::Certificate::fromDer(data->euiccCertificate);
                auto eum = crypto::Certificate::fromDer(data->eumCertificate);
                if (!leaf || !eum)
                    return refuse(QStringLiteral("the eUICC's certificates do not parse"));
                if (auto chain = m_deviceTrust.verifyAt(leaf.value(), { eum.value() }, m_workspace.clock().now()); !chain)
                    return refuse(QStringLiteral("the eUICC's certificate does not chain to a trusted issuer: %1").arg(chain.errorMessage()));
                if (auto range = crypto::checkEidInManufacturerRange(leaf.value(), eum.value()); !range)
                    return refuse(range.errorMessage());
                const QString eid = leaf->subject().serialNumber;
                std::optional<store::EimPackageRecord> package;
                auto stored = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
                    store::EimRepository eims(db);
                    auto p = eims.sentEuiccDataFor(eid);
                    if (!p)
                        return p.error();
                    package = p.value();
                    if (!package)
                        return {};
                    return eims.setEuiccCertificate(eid, data->euiccCertificate);
                });
                if (!stored)
                    return refuse(stored.errorMessage());
                if (!package)
                    return refuse(QStringLiteral("%1 was not asked for its eUICC's data").arg(eid));
                settle(*package, PackageResult { response.encode(), {} });
                return esipa::ProvideEimPackageResultResponse {};
            },
            [&](int error) -> esipa::MessageFromEim {
                // eimPackageError names no package: the one handed out stays waiting, and its
                // waiter's deadline ends it.
                return refuse(QStringLiteral("the IPA could not run a package (eimPackageError %1)").arg(error));
            },
        },
        provided.content);
}

void EsipaService::settle(const store::EimPackageRecord &package, Result<PackageResult> result)
{
    const QDateTime now = m_workspace.clock().now();
    auto recorded = m_workspace.writer().run([&](QSqlDatabase &db) {
        return store::EimRepository(db).finish(package.id, result ? State::Done : State::Failed,
                                                result ? result->result : QByteArray(), result ? QString() : result.errorMessage(), now);
    });
    if (!recorded)
        qCWarning(lcEim) << "could not record the result of package" << package.id << ":" << recorded.errorMessage();
    std::optional<devices::Answer<PackageResult>::Settle> waiter;
    {
        QMutexLocker lock(&m_mutex);
        if (auto waiting = takeWaiting(package.transactionId))
            waiter = waiting->settle;
    }
    if (waiter)
        (*waiter)(std::move(result));
}

Result<crypto::Certificate> EsipaService::euiccCertificate(const QString &eid)
{
    QByteArray der;
    auto read = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto device = store::EimRepository(db).device(eid);
        if (!device)
            return device.error();
        if (*device)
            der = (*device)->euiccCertificate;
        return {};
    });
    if (!read)
        return read.error();
    if (der.isEmpty())
        return fail(QStringLiteral("the eIM has no certificate of %1's eUICC yet").arg(eid));
    return crypto::Certificate::fromDer(der);
}

std::shared_ptr<net::Es9PlusFunctions> EsipaService::relaySession(const QByteArray &transactionId, bool end)
{
    QMutexLocker lock(&m_mutex);
    auto found = m_relaySessions.value(transactionId);
    if (end)
        m_relaySessions.remove(transactionId);
    return found;
}

esipa::MessageFromEim EsipaService::relay(const esipa::MessageFromIpa &message)
{
    namespace relay = protocol::esiparelay;
    const auto logged = [](const char *function, const Error &e) {
        qCInfo(lcEim) << "relayed" << function << "and the profile server refused it:" << e.message;
    };
    return std::visit(
        Overloaded {
            [&](const esipa::InitiateAuthenticationRequest &r) -> esipa::MessageFromEim {
                esipa::InitiateAuthenticationResponse refused;
                std::shared_ptr<net::Es9PlusFunctions> server;
                {
                    QMutexLocker lock(&m_mutex);
                    server = m_relayed.value(r.smdpAddress.toLower());
                }
                if (!server && m_relayFinder)
                    server = m_relayFinder(r.smdpAddress);
                if (!server) {
                    ++m_refused;
                    qCInfo(lcEim) << "relays no download to" << r.smdpAddress;
                    refused.error = esipa::InitiateAuthenticationResponse::InvalidDpAddress;
                    return refused;
                }
                auto answer = server->initiateAuthentication(relay::toEs9(r));
                auto converted = answer ? relay::toEsipa(answer.value()) : Result<esipa::InitiateAuthenticationResponse>(answer.error());
                if (!converted) {
                    logged("initiateAuthentication", converted.error());
                    // ESipa has no code for "the server refused for another reason": the
                    // address is the one thing the IPA can change.
                    refused.error = esipa::InitiateAuthenticationResponse::InvalidDpAddress;
                    return refused;
                }
                QMutexLocker lock(&m_mutex);
                m_relaySessions.insert(converted->transactionId, server);
                return converted.value();
            },
            [&](const esipa::AuthenticateClientRequest &r) -> esipa::MessageFromEim {
                esipa::AuthenticateClientResponse refused;
                auto server = relaySession(r.transactionId);
                if (!server) {
                    refused.error = esipa::AuthenticateClientResponse::InvalidTransactionId;
                    return refused;
                }
                auto answer = server->authenticateClient(relay::toEs9(r));
                auto converted = answer ? relay::toEsipa(answer.value()) : Result<esipa::AuthenticateClientResponse>(answer.error());
                if (!converted) {
                    logged("authenticateClient", converted.error());
                    relaySession(r.transactionId, true);
                    refused.error = esipa::AuthenticateClientResponse::UndefinedError;
                    return refused;
                }
                return converted.value();
            },
            [&](const esipa::GetBoundProfilePackageRequest &r) -> esipa::MessageFromEim {
                esipa::GetBoundProfilePackageResponse refused;
                auto server = relaySession(r.transactionId);
                if (!server) {
                    refused.error = esipa::GetBoundProfilePackageResponse::InvalidTransactionId;
                    return refused;
                }
                auto answer = server->getBoundProfilePackage(relay::toEs9(r));
                if (!answer) {
                    logged("getBoundProfilePackage", answer.error());
                    relaySession(r.transactionId, true);
                    refused.error = esipa::GetBoundProfilePackageResponse::UndefinedError;
                    return refused;
                }
                return relay::toEsipa(answer.value());
            },
            [&](const esipa::CancelSessionRequest &r) -> esipa::MessageFromEim {
                esipa::CancelSessionResponse answer;
                auto server = relaySession(r.transactionId, true);
                if (!server) {
                    answer.error = esipa::CancelSessionResponse::InvalidTransactionId;
                    return answer;
                }
                if (auto done = server->cancelSession(relay::toEs9(r)); !done) {
                    logged("cancelSession", done.error());
                    answer.error = esipa::CancelSessionResponse::UndefinedError;
                }
                return answer;
            },
            [&](const auto &) -> esipa::MessageFromEim {
                Q_UNREACHABLE();
                return esipa::ProvideEimPackageResultResponse {};
            },
        },
        message);
}

void EsipaService::relayNotification(const QByteArray &pendingNotification)
{
    // An installation result goes to the profile server of its session (SGP.22 section 3.1.3
    // through the eIM, SGP.32 section 3.2.1), which ends the session; the eUICC's other
    // notifications have no session here and are taken for the IPA's sake.
    auto notification = protocol::PendingNotification::decode(pendingNotification);
    if (!notification) {
        qCInfo(lcEim) << "took a notification that does not read:" << notification.errorMessage();
        return;
    }
    const auto *installed = std::get_if<protocol::ProfileInstallationResult>(&notification->content);
    auto server = installed ? relaySession(installed->transactionId, true) : nullptr;
    if (!server) {
        qCInfo(lcEim) << "took a notification of" << protocol::notificationEventName(notification->metadata().event) << "for"
                      << notification->metadata().notificationAddress;
        return;
    }
    if (auto told = server->handleNotification({ pendingNotification }); !told)
        qCInfo(lcEim) << "relayed an installation result and the profile server refused it:" << told.errorMessage();
}

void EsipaService::relayTo(const QString &smdpAddress, std::shared_ptr<net::Es9PlusFunctions> server)
{
    QMutexLocker lock(&m_mutex);
    m_relayed.insert(smdpAddress.toLower(), std::move(server));
}

Result<QString> EsipaService::download(const QString &eid, const QString &smdpAddress, const QString &matchingId,
                                       std::chrono::milliseconds timeout)
{
    const QString code = protocol::ActivationCode { smdpAddress, matchingId, {}, false }.toString();
    auto answered = queueDownload(eid, code).wait(timeout, eid);
    if (!answered)
        return answered.error();
    auto result = protocol::ProfileDownloadTriggerResult::decode(answered->result);
    if (!result)
        return failWith(ErrorCode::PackageRejected, QStringLiteral("device %1's download result does not read: %2").arg(eid, result.errorMessage()));
    if (result->profileInstallationResult.isEmpty())
        return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("device %1 could not download from %2: %3")
                                                             .arg(eid, smdpAddress, QString::fromUtf8(result->errorResponse)));
    auto installation = protocol::ProfileInstallationResult::decode(result->profileInstallationResult);
    if (!installation)
        return failWith(ErrorCode::PackageRejected, installation.errorMessage());
    // The profile server checked the eUICC's signature on the result when the IPA delivered it
    // (handleNotification, relayed); what it says is the eUICC's word either way.
    // A device that restarted mid-load tells so once up again (installFailedDueToInterruption):
    // tried again, as in process.
    if (!installation->success && installation->reason == protocol::ProfileInstallationResult::ErrorReason::Interruption)
        return failWith(ErrorCode::DeviceRestarted,
                        QStringLiteral("device %1 restarted during the download (installFailedDueToInterruption); nothing was installed").arg(eid));
    if (!installation->success)
        return failWith(ErrorCode::PackageRejected, QStringLiteral("device %1 did not install the profile (step %2, reason %3)")
                                                        .arg(eid)
                                                        .arg(int(installation->failedCommand))
                                                        .arg(int(installation->reason)));
    return installation->iccid;
}

Result<QString> EsipaService::download(const std::shared_ptr<const profiles::ProfileServer> &server, const profiles::DownloadOrder &order,
                                       std::chrono::milliseconds timeout)
{
    const QString address = server->address().toLower();
    std::shared_ptr<profiles::Es9PlusService> served;
    {
        QMutexLocker lock(&m_mutex);
        served = m_ownServers.value(address);
        if (!served) {
            served = std::make_shared<profiles::Es9PlusService>(server, m_workspace.clock());
            m_ownServers.insert(address, served);
            m_relayed.insert(address, std::make_shared<net::LocalEs9Plus>(served));
        }
    }
    // ES2+'s order and confirmation as the operator's own side would place them (SGP.22 section
    // 3.1.1): the matching ID is the device's only key to it.
    auto booked = served->orders()->addAllocated(order, QStringLiteral("campaign"), QStringLiteral("simfleet"));
    auto confirmed = served->orders()->confirm(order.profile.iccid, order.eid, std::nullopt, true);
    const auto *ready = std::get_if<profiles::BookedOrder>(&confirmed);
    if (!ready)
        return fail(QStringLiteral("the order for device %1 could not be confirmed: %2")
                        .arg(order.eid, std::get<profiles::DownloadOrderBook::StatusCode>(confirmed).message));
    Q_UNUSED(booked);
    return download(order.eid, server->address(), ready->matchingId, timeout);
}

} // namespace simfleet::eim
