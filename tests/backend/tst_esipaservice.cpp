// simfleet's eIM serving ESipa (SGP.32 section 6.3) to the IPA of a simulated device: what the
// backend asks of a device on the network (its profiles listed, enabled and disabled, its
// attestation, its certificates) is queued, handed out when the IPA checks in, run on the same
// eUICC code as in-process, and answered through the same DeviceLink calls. Then the hostile and
// broken cases: an IPA that is not an enrolled device, bodies that are no ESipa message, results
// for packages never sent, results with a spoilt signature, results delivered twice, a package
// handed out twice. Each is refused with a reason, or taken once, and changes nothing else. Last,
// the same over HTTPS on loopback: ESipa's ASN.1 binding served with TLS, the IPA trusting only
// the eIM's root.
#include "campaigns/campaign.h"
#include "campaigns/campaignservice.h"
#include "crypto/random.h"
#include "devices/euiccprofiles.h"
#include "eim/esipadevicelink.h"
#include "eim/esipahttpserver.h"
#include "eim/esipaservice.h"
#include "net/locales9plus.h"
#include "net/rsphttpsclient.h"
#include "profiles/es9plusservice.h"
#include "profiles/profileserver.h"
#include "protocol/activationcode.h"
#include "protocol/profileinstallationresult.h"
#include "net/servicethread.h"
#include "protocol/attestationmessage.h"
#include "protocol/esipa.h"
#include "simulation/demoworkspace.h"
#include "simulation/ipa.h"
#include "simulation/simulatedfield.h"
#include "store/eimrepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include "es9tls.h"
#include "sampleorder.h"
#include "testsession.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>
#include "campaigns/custodyservice.h"
#include "campaigns/custodywatch.h"
#include "store/custodyrepository.h"
#include "store/secretvault.h"
#include "store/auditlog.h"

using namespace simfleet;
namespace esipa = protocol::esipa;

namespace {

constexpr std::chrono::seconds patience(10);

// A small demo workspace (its eIM made with it, its field's eUICCs configured with that eIM), the
// eIM serving it, and one of its meters with an IPA that reaches the eIM in process.
struct World
{
    QTemporaryDir dir;
    std::unique_ptr<store::Workspace> workspace;
    std::shared_ptr<eim::EsipaService> service;
    std::unique_ptr<simulation::SimulatedField> field;
    QString eid;

    simulation::SimulatedDevice &device() const { return *field->device(eid); }
    QByteArray send(const QByteArray &message) const
    {
        auto answer = service->handle(message);
        return answer.body.value_or(QByteArray());
    }
    simulation::EsipaTransport transport() const
    {
        return [this](const QByteArray &message) -> Result<QByteArray> {
            auto answer = service->handle(message);
            if (!answer.refusal.isEmpty())
                return fail(answer.refusal);
            return answer.body.value_or(QByteArray());
        };
    }
    // simfleet's own profile server in this process, behind the eIM's relay, with the sample
    // profile ordered for the device under a matching ID (as ES2+.ConfirmOrder leaves it).
    std::shared_ptr<profiles::Es9PlusService> es9;
    QString activationCode;
    void serveProfiles()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
        auto trust = profiles::deviceTrustOf(*workspace).value();
        // A profile server certified by the demo's certificate issuer, which the devices trust.
        QSqlQuery q(workspace->database());
        q.exec(QStringLiteral("SELECT id FROM operator ORDER BY id LIMIT 1"));
        q.next();
        auto op = store::OperatorRepository(workspace->database()).find(q.value(0).toLongLong()).value().value();
        q.finish();
        std::shared_ptr<const profiles::ProfileServer> server = profiles::ProfileServer::ofOperator(*workspace, op).value();
        es9 = std::make_shared<profiles::Es9PlusService>(server, workspace->clock());
        auto booked = es9->orders()->addAllocated(testing::sampleOrder(eid), QStringLiteral("test"), QStringLiteral("test"));
        auto confirmed = es9->orders()->confirm(booked.order.profile.iccid, eid, std::nullopt, true);
        const auto &order = std::get<profiles::BookedOrder>(confirmed);
        activationCode = protocol::ActivationCode { server->address(), order.matchingId, {}, false }.toString();
        auto local = std::make_shared<net::LocalEs9Plus>(es9);
        service->setRelay([local, address = server->address()](const QString &smdp) -> std::shared_ptr<net::Es9PlusFunctions> {
            return smdp.compare(address, Qt::CaseInsensitive) == 0 ? local : nullptr;
        });
    }
    QStringList holdings() const
    {
        QStringList out;
        for (const devices::InstalledProfile &p : device().listProfiles().value())
            out.append(p.iccid + u':' + p.state);
        out.sort();
        return out;
    }
};

// meters: the demo's, with its faults when faults (one of each kind from 30 on).
std::unique_ptr<World> world(int meters = 4, bool faults = false)
{
    auto w = std::make_unique<World>();
    const QString path = w->dir.filePath(QStringLiteral("esipa.simfleet"));
    w->workspace = simulation::DemoWorkspace::create(path, nullptr, { meters, 0, 0, faults }).value();
    auto service = eim::EsipaService::ofWorkspace(*w->workspace);
    if (!service)
        qFatal("%s", qPrintable(service.errorMessage()));
    w->service = std::move(service).value();
    w->field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path)).value();
    QSqlQuery q(w->workspace->database());
    if (!q.exec(QStringLiteral("SELECT eid FROM device ORDER BY eid LIMIT 1")) || !q.next())
        qFatal("the demo has no device");
    w->eid = q.value(0).toString();
    return w;
}

// The world's devices checking in with its eIM every few milliseconds, on a thread of their own;
// a device can be silenced (out of reach) and brought back. after: told of each check-in.
class PollingField
{
public:
    // transportFor: how a device reaches the eIM, when not as the world's transport does.
    PollingField(World &w, QStringList eids, std::function<void(const QString &)> after = {},
                 std::function<simulation::EsipaTransport(const QString &eid)> transportFor = {})
        : m_after(std::move(after))
    {
        for (const QString &eid : std::as_const(eids))
            m_ipas.emplace_back(eid, std::make_unique<simulation::Ipa>(*w.field->device(eid), transportFor ? transportFor(eid) : w.transport()));
        m_thread = std::thread([this] {
            while (!m_stop) {
                for (auto &[eid, ipa] : m_ipas) {
                    if (silent(eid))
                        continue;
                    (void)ipa->checkIn(); // an unreached eIM is retried at the next round
                    if (m_after)
                        m_after(eid);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
    }
    ~PollingField()
    {
        m_stop = true;
        m_thread.join();
    }
    void silence(const QString &eid, bool silent)
    {
        std::lock_guard lock(m_mutex);
        if (silent)
            m_silent.insert(eid);
        else
            m_silent.remove(eid);
    }
    bool silent(const QString &eid) const
    {
        std::lock_guard lock(m_mutex);
        return m_silent.contains(eid);
    }

private:
    std::function<void(const QString &)> m_after;
    std::vector<std::pair<QString, std::unique_ptr<simulation::Ipa>>> m_ipas;
    mutable std::mutex m_mutex;
    QSet<QString> m_silent;
    std::atomic<bool> m_stop = false;
    std::thread m_thread;
};

struct Fleet
{
    QList<qint64> devices;
    QStringList eids;
    QList<qint64> operators; // two with simfleet's own profile server
};

Fleet fleetOf(store::Workspace &workspace)
{
    Fleet f;
    QSqlQuery q(workspace.database());
    q.exec(QStringLiteral("SELECT id, eid FROM device ORDER BY id"));
    while (q.next()) {
        f.devices.append(q.value(0).toLongLong());
        f.eids.append(q.value(1).toString());
    }
    q.exec(QStringLiteral("SELECT id FROM operator WHERE profile_server_address IS NULL ORDER BY id LIMIT 2"));
    while (q.next())
        f.operators.append(q.value(0).toLongLong());
    return f;
}

// Every device holds exactly one profile, enabled: the one the workspace records.
void checkOneEnabledProfileEach(const World &w, const QStringList &eids)
{
    for (const QString &eid : eids) {
        const auto held = w.field->device(eid)->listProfiles().value();
        QCOMPARE(held.size(), 1);
        QCOMPARE(held.first().state, QStringLiteral("enabled"));
        QSqlQuery p(w.workspace->database());
        QVERIFY(p.exec(QStringLiteral("SELECT p.iccid FROM profile p JOIN device d ON d.id = p.device_id"
                                      " WHERE d.eid = '%1' AND p.state = 'enabled'").arg(eid)));
        QVERIFY(p.next());
        QCOMPARE(p.value(0).toString(), held.first().iccid);
        QVERIFY(!p.next());
    }
}

template<typename T>
Result<T> settled(const devices::Answer<T> &answer)
{
    return answer.wait(std::chrono::milliseconds(0), QStringLiteral("test"));
}

QByteArray getEimPackage(const QString &eid)
{
    return esipa::encode(esipa::MessageFromIpa(esipa::GetEimPackageRequest { eid, false, {} }));
}

} // namespace

class TestEsipaService : public QObject
{
    Q_OBJECT

private slots:
    void devicesOnTheNetworkAnswerWhenTheyCheckIn()
    {
        auto w = world();
        eim::EsipaDeviceLink link(w->service, w->eid);
        simulation::Ipa ipa(w->device(), w->transport());

        // Asked while the device sleeps: nothing yet.
        auto listed = devices::listProfiles(link);
        QVERIFY(!listed.isSettled());
        auto info = link.info();
        // It checks in: first its certificates (first contact), then what was queued, in order.
        auto checkIn = ipa.checkIn();
        QVERIFY2(checkIn, qPrintable(checkIn.errorMessage()));
        QCOMPARE(checkIn->packages, 2); // the description asked for is the first contact's too
        auto profiles = settled(listed);
        QVERIFY2(profiles, qPrintable(profiles.errorMessage()));
        QStringList seen;
        for (const devices::InstalledProfile &p : profiles.value())
            seen.append(p.iccid + u':' + p.state);
        seen.sort();
        QCOMPARE(seen, w->holdings());
        auto described = settled(info);
        QVERIFY2(described, qPrintable(described.errorMessage()));
        QCOMPARE(described->certificateChain.size(), 2);
        QCOMPARE(described->certificateChain.first(), w->device().info()->certificateChain.first());

        // Nothing left: the next check-in runs nothing.
        QCOMPARE(ipa.checkIn()->packages, 0);

        // A profile downloaded the way SGP.32 has it (the indirect download): the eIM triggers
        // it with an activation code, the IPA runs it through the eIM's relay to the profile
        // server, and hands back the eUICC's installation result.
        w->serveProfiles();
        auto downloaded = w->service->queueDownload(w->eid, w->activationCode);
        checkIn = ipa.checkIn();
        QVERIFY2(checkIn, qPrintable(checkIn.errorMessage()));
        auto trigger = settled(downloaded);
        QVERIFY2(trigger, qPrintable(trigger.errorMessage()));
        auto triggerResult = protocol::ProfileDownloadTriggerResult::decode(trigger->result);
        QVERIFY2(triggerResult, qPrintable(triggerResult.errorMessage()));
        QVERIFY2(!triggerResult->profileInstallationResult.isEmpty(), triggerResult->errorResponse.constData());
        auto installation = protocol::ProfileInstallationResult::decode(triggerResult->profileInstallationResult);
        QVERIFY(installation && installation->success);
        const QString iccid = installation->iccid;
        QVERIFY(w->holdings().contains(iccid + QStringLiteral(":disabled")));
        // The profile server heard of the installation through the eIM (handleNotification).
        QCOMPARE(w->es9->installations().size(), 1);
        QCOMPARE(w->es9->installations().first().iccid, iccid);

        // Enabled, disabled and enabled again through signed eUICC packages.
        for (const auto &[operation, state] : { std::pair { 0, "enabled" }, std::pair { 1, "disabled" }, std::pair { 0, "enabled" } }) {
            auto changed = operation == 0 ? devices::enableProfile(link, iccid) : devices::disableProfile(link, iccid);
            QVERIFY(ipa.checkIn());
            QVERIFY2(settled(changed), qPrintable(settled(changed).errorMessage()));
            QVERIFY(w->holdings().contains(iccid + u':' + QLatin1StringView(state)));
        }

        // Attestation in simfleet's own package: the device's evidence for this nonce.
        const QByteArray nonce = crypto::randomBytes(32);
        auto attested = link.attest(protocol::AttestationRequest { nonce }.encode());
        QVERIFY(ipa.checkIn());
        auto evidence = settled(attested);
        QVERIFY2(evidence, qPrintable(evidence.errorMessage()));
        auto response = protocol::AttestationResponse::decode(evidence.value());
        QVERIFY2(response, qPrintable(response.errorMessage()));
        QVERIFY(!response->evidence.isEmpty());

        const auto counters = w->service->counters();
        QCOMPARE(counters.refused, quint64(0));
        QVERIFY(counters.polls >= 6);
    }

    void strangersAndGarbageAreRefused()
    {
        auto w = world();
        // An EID the workspace never enrolled.
        auto answer = esipa::decodeFromEim(w->send(getEimPackage(QStringLiteral("89049032000000000000000000999995"))));
        QVERIFY(answer);
        const auto &response = std::get<esipa::GetEimPackageResponse>(answer.value());
        QCOMPARE(std::get<int>(response.content), int(esipa::GetEimPackageResponse::UndefinedError));
        // Bodies that are no ESipa message.
        for (const QByteArray &body : { QByteArray(), QByteArray("{\"header\":{}}"), QByteArray::fromHex("bf4f03800100"),
                                        QByteArray(5000, '\xbf') }) {
            const auto refused = w->service->handle(body);
            QVERIFY(!refused.refusal.isEmpty());
            QVERIFY(!refused.body);
        }
        // A download through a profile server the eIM relays to no one.
        auto relayed = esipa::decodeFromEim(w->send(esipa::encode(
            esipa::MessageFromIpa(esipa::InitiateAuthenticationRequest { crypto::randomBytes(16), QStringLiteral("smdp.example"), {} }))));
        QVERIFY(relayed);
        QCOMPARE(std::get<esipa::InitiateAuthenticationResponse>(relayed.value()).error,
                 std::optional<int>(esipa::InitiateAuthenticationResponse::InvalidDpAddress));
        // A step of a download session the eIM never relayed.
        relayed = esipa::decodeFromEim(w->send(esipa::encode(
            esipa::MessageFromIpa(esipa::GetBoundProfilePackageRequest { crypto::randomBytes(16), QByteArray::fromHex("bf2100") }))));
        QVERIFY(relayed);
        QCOMPARE(std::get<esipa::GetBoundProfilePackageResponse>(relayed.value()).error,
                 std::optional<int>(esipa::GetBoundProfilePackageResponse::InvalidTransactionId));
        QCOMPARE(w->service->counters().refused, quint64(6));
    }

    void forgedAndRepeatedResultsChangeNothing()
    {
        auto w = world();
        eim::EsipaDeviceLink link(w->service, w->eid);
        simulation::Ipa ipa(w->device(), w->transport());
        QVERIFY(ipa.checkIn()); // the certificates, first contact
        const QStringList before = w->holdings();

        // Catch the package and its genuine result on their way.
        auto listed = devices::listProfiles(link);
        const QByteArray package = w->send(getEimPackage(w->eid));
        const auto response = std::get<esipa::GetEimPackageResponse>(esipa::decodeFromEim(package).value());
        const auto request = std::get<protocol::EuiccPackageRequest>(response.content);
        auto genuine = protocol::EuiccPackageResult::decode(w->device().loadEuiccPackage(request.encode()).value()).value();

        // A result for a package never sent.
        protocol::EuiccPackageResult stray = genuine;
        std::get<protocol::EuiccPackageResultData>(stray.content).transactionId = crypto::randomBytes(16);
        auto ack = esipa::decodeFromEim(w->send(esipa::encode(esipa::MessageFromIpa(esipa::ProvideEimPackageResult { stray, {} }))));
        QVERIFY(ack);
        QVERIFY(std::get<esipa::ProvideEimPackageResultResponse>(ack.value()).acknowledgements.isEmpty());
        QVERIFY(!listed.isSettled());
        // The genuine result with its signature spoilt: refused, the package still waits.
        protocol::EuiccPackageResult spoilt = genuine;
        spoilt.euiccSignature[3] = char(spoilt.euiccSignature[3] ^ 0x04);
        ack = esipa::decodeFromEim(w->send(esipa::encode(esipa::MessageFromIpa(esipa::ProvideEimPackageResult { spoilt, {} }))));
        QVERIFY(std::get<esipa::ProvideEimPackageResultResponse>(ack.value()).acknowledgements.isEmpty());
        QVERIFY(!listed.isSettled());
        // An unsigned error names no package.
        protocol::EuiccPackageResult unsignedError;
        unsignedError.content = protocol::EuiccPackageErrorUnsigned { w->service->packages().identity().eimId(), std::nullopt };
        w->send(esipa::encode(esipa::MessageFromIpa(esipa::ProvideEimPackageResult { unsignedError, {} })));
        QVERIFY(!listed.isSettled());
        QCOMPARE(w->service->counters().refused, quint64(3));

        // The genuine one: taken and acknowledged; delivered again (a lost acknowledgement):
        // acknowledged again, taken once.
        const QByteArray provide = esipa::encode(esipa::MessageFromIpa(esipa::ProvideEimPackageResult { genuine, {} }));
        ack = esipa::decodeFromEim(w->send(provide));
        QCOMPARE(std::get<esipa::ProvideEimPackageResultResponse>(ack.value()).acknowledgements.size(), 1);
        QVERIFY(settled(listed));
        ack = esipa::decodeFromEim(w->send(provide));
        QCOMPARE(std::get<esipa::ProvideEimPackageResultResponse>(ack.value()).acknowledgements.size(), 1);
        // The same package run a second time, as a replayed delivery would: the eUICC refuses it.
        auto replayed = protocol::EuiccPackageResult::decode(w->device().loadEuiccPackage(request.encode()).value()).value();
        QCOMPARE(std::get<protocol::EuiccPackageErrorData>(replayed.content).code, int(protocol::EuiccPackageErrorData::ReplayError));
        QCOMPARE(w->holdings(), before);
        // Nothing waits any more.
        QCOMPARE(ipa.checkIn()->packages, 0);
    }

    void aPackageHandedOutTwiceRunsOnce()
    {
        auto w = world();
        eim::EsipaDeviceLink link(w->service, w->eid);
        // The IPA's first answer is lost on the way back: the eIM hands the package out again
        // and the IPA provides the result it kept instead of running it twice.
        int exchanges = 0;
        bool dropped = false;
        simulation::Ipa ipa(w->device(), [&](const QByteArray &message) -> Result<QByteArray> {
            ++exchanges;
            auto decoded = esipa::decodeFromIpa(message);
            const auto *provided = decoded ? std::get_if<esipa::ProvideEimPackageResult>(&decoded.value()) : nullptr;
            if (provided && std::holds_alternative<protocol::EuiccPackageResult>(provided->content) && !dropped) {
                dropped = true;
                return fail(QStringLiteral("the network dropped it"));
            }
            return w->transport()(message);
        });
        w->serveProfiles();
        auto downloaded = w->service->queueDownload(w->eid, w->activationCode);
        QVERIFY(ipa.checkIn()); // first contact, and the download
        QVERIFY(settled(downloaded));
        const QString target = testing::sampleOrder(w->eid).profile.iccid;
        QVERIFY(w->holdings().contains(target + QStringLiteral(":disabled")));
        auto enabled = devices::enableProfile(link, target);
        QVERIFY(!ipa.checkIn()); // the result never arrived
        QVERIFY(!enabled.isSettled());
        QVERIFY(w->holdings().contains(target + QStringLiteral(":enabled"))); // but the eUICC ran it
        auto second = ipa.checkIn();
        QVERIFY2(second, qPrintable(second.errorMessage()));
        // The kept result, not a replayError: the eUICC ran the package once.
        QVERIFY2(settled(enabled), qPrintable(settled(enabled).errorMessage()));
        QVERIFY(w->holdings().contains(target + QStringLiteral(":enabled")));
        QVERIFY(exchanges > 0);
    }

    // Initial provisioning and then a change of operator, over the network: the campaign's
    // steps (attestation, the indirect download, enable, the attach report, the old profile's
    // deletion) become eIM packages; the devices' IPAs check in on their own, each on its own
    // schedule, and the campaign follows.
    void campaignsRunOverTheNetwork()
    {
        auto w = world();
        eim::EsipaDeviceLinks links(w->service);
        QList<qint64> devices;
        QStringList eids;
        QSqlQuery q(w->workspace->database());
        QVERIFY(q.exec(QStringLiteral("SELECT id, eid FROM device ORDER BY id")));
        while (q.next()) {
            devices.append(q.value(0).toLongLong());
            eids.append(q.value(1).toString());
        }
        QList<qint64> operators;
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM operator WHERE profile_server_address IS NULL ORDER BY id LIMIT 2")));
        while (q.next())
            operators.append(q.value(0).toLongLong());
        q.finish();
        QCOMPARE(operators.size(), 2);

        PollingField field(*w, eids);
        campaigns::CampaignSettings settings;
        settings.answerTimeoutMs = 10000;
        settings.batchSize = 4;
        settings.concurrency = 4;
        settings.backoffMs = 100;
        settings.network = true;
        campaigns::CampaignService service(*w->workspace, links);
        const auto run = [&](campaigns::CampaignKind kind, qint64 target) {
            auto id = service.create(testing::ownerOf(*w->workspace), { kind, {}, target, std::nullopt, devices, settings });
            return id ? service.run(testing::ownerOf(*w->workspace), id.value()) : Result<campaigns::CampaignSummary>(id.error());
        };
        auto provisioned = run(campaigns::CampaignKind::InitialProvisioning, operators[0]);
        QVERIFY2(provisioned, qPrintable(provisioned.errorMessage()));
        QCOMPARE(provisioned->succeeded, qint64(devices.size()));
        auto changed = run(campaigns::CampaignKind::SubscriptionChange, operators[1]);
        QVERIFY2(changed, qPrintable(changed.errorMessage()));
        QCOMPARE(changed->succeeded, qint64(devices.size()));
        checkOneEnabledProfileEach(*w, eids);
    }

    // Issue 23 on the network: a device reported stolen while out of reach keeps its subscription
    // until it checks in; then the eIM disables the profile on its eUICC (a signed PSMO), the
    // store and the ledger follow, and the sighting is an alert with when and where.
    void stolenDevicesAreDisabledWhenTheyCheckIn()
    {
        auto w = world();
        eim::EsipaDeviceLinks links(w->service);
        const Fleet f = fleetOf(*w->workspace);
        PollingField field(*w, f.eids);
        campaigns::CampaignSettings settings;
        settings.answerTimeoutMs = 10000;
        settings.batchSize = 4;
        settings.concurrency = 4;
        settings.network = true;
        campaigns::CampaignService service(*w->workspace, links);
        const access::Session owner = testing::ownerOf(*w->workspace);
        auto id = service.create(owner, { campaigns::CampaignKind::InitialProvisioning, {}, f.operators[0], std::nullopt, f.devices,
                                          settings });
        QVERIFY(id);
        QCOMPARE(service.run(owner, id.value())->succeeded, qint64(f.devices.size()));

        const QString stolen = f.eids.at(1);
        field.silence(stolen, true);
        campaigns::CustodyService custody(*w->workspace, links);
        QVERIFY(custody.report(owner, { stolen }, store::Custody::Stolen, QStringLiteral("taken from a car park")));
        campaigns::CustodyWatch watch(links, campaigns::CustodyWatch::opener(w->workspace->info().path, w->workspace->vault()),
                                      owner);
        QVERIFY(watch.refresh(*w->workspace));
        QTest::qWait(200);
        QCOMPARE(watch.contacts(), 0u);
        QCOMPARE(w->field->device(stolen)->listProfiles().value().first().state, QStringLiteral("enabled"));

        field.silence(stolen, false);
        QTRY_COMPARE_WITH_TIMEOUT(watch.contacts(), 1u, 20000);
        const auto held = w->field->device(stolen)->listProfiles().value();
        QCOMPARE(held.size(), 1);
        QCOMPARE(held.first().state, QStringLiteral("disabled"));
        QSqlQuery q(w->workspace->database());
        QVERIFY(q.exec(QStringLiteral("SELECT p.state, sp.ended_by_event FROM profile p JOIN device d ON d.id = p.device_id"
                                      " JOIN subscription_period sp ON sp.profile_id = p.id WHERE d.eid = '%1'").arg(stolen)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("disabled"));
        QCOMPARE(q.value(1).toString(), QStringLiteral("reported-stolen"));
        q.finish();
        const auto alerts = store::CustodyRepository(w->workspace->database()).openAlerts(owner.scope(), 10).value();
        QCOMPARE(alerts.size(), 2);
        QCOMPARE(alerts.last().kind, QStringLiteral("sighting"));
        QVERIFY(alerts.last().detail.contains(QStringLiteral("checked in")));
        // It keeps polling: sighted again only after the interval, and nothing else is owed.
        QTest::qWait(300);
        QCOMPARE(watch.contacts(), 1u);
        // The others kept their subscriptions.
        checkOneEnabledProfileEach(*w, { f.eids.at(0), f.eids.at(2), f.eids.at(3) });
        QSqlDatabase db = w->workspace->database();
        QVERIFY(store::AuditLog::verify(db).value().intact);
    }

    // Devices that sleep through a campaign wait for it, not it for them: the devices that check
    // in are provisioned, the others wait for their check-in until the deadline and then end
    // not-reached, with no number issued to them; retried, they get as long again, and come.
    void asleepDevicesWaitUntilTheDeadline()
    {
        auto w = world();
        eim::EsipaDeviceLinks links(w->service);
        const Fleet f = fleetOf(*w->workspace);
        QCOMPARE(f.eids.size(), 4);
        PollingField field(*w, f.eids);
        const QStringList asleep { f.eids[2], f.eids[3] };
        for (const QString &eid : asleep)
            field.silence(eid, true);

        campaigns::CampaignSettings settings;
        settings.answerTimeoutMs = 5000;
        settings.batchSize = 4;
        settings.concurrency = 4;
        settings.network = true;
        settings.deadlineSeconds = 2;
        campaigns::CampaignService service(*w->workspace, links);
        qint64 mostWaiting = 0;
        service.setProgressInterval(50);
        service.setProgressCallback([&](const campaigns::CampaignProgress &p) { mostWaiting = std::max(mostWaiting, p.waiting); });
        const auto owner = testing::ownerOf(*w->workspace);
        auto id = service.create(owner, { campaigns::CampaignKind::InitialProvisioning, {}, f.operators[0], std::nullopt, f.devices, settings });
        QVERIFY2(id, qPrintable(id.errorMessage()));
        auto first = service.run(owner, id.value());
        QVERIFY2(first, qPrintable(first.errorMessage()));
        QCOMPARE(first->succeeded, 2);
        QCOMPARE(first->failed, 2);
        QCOMPARE(first->byReason.value(QStringLiteral("not-reached")), 2);
        QCOMPARE(first->waiting, 0);
        QVERIFY2(first->note.contains(QStringLiteral("not-reached")), qPrintable(first->note));
        QVERIFY2(mostWaiting >= 2 && mostWaiting <= 4, qPrintable(QString::number(mostWaiting))); // the two asleep, at least
        for (const QString &eid : asleep) {
            QSqlQuery q(w->workspace->database());
            QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM profile p JOIN device d ON d.id = p.device_id WHERE d.eid = '%1'").arg(eid)));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), 0); // no IMSI or ICCID spent on a device never reached
        }

        // Retried: as long again, and this time they come.
        for (const QString &eid : asleep)
            field.silence(eid, false);
        auto retried = service.retryFailed(owner, id.value());
        QVERIFY2(retried, qPrintable(retried.errorMessage()));
        QCOMPARE(retried.value(), 2);
        auto second = service.run(owner, id.value());
        QVERIFY2(second, qPrintable(second->note));
        QCOMPARE(second->succeeded, 4);
        QCOMPARE(second->failed, 0);
        checkOneEnabledProfileEach(*w, f.eids);
    }

    // Devices whose attestation fails end there, and leave their place in session to the next:
    // one at a time, every device of the fleet is refused in turn, none waits for the deadline.
    void refusedDevicesMakeRoom()
    {
        auto w = world();
        eim::EsipaDeviceLinks links(w->service);
        const Fleet f = fleetOf(*w->workspace);
        auto cleared = w->workspace->writer().run([](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            return q.exec(QStringLiteral("DELETE FROM reference_value")) ? Result<void>() : simfleet::fail(q.lastError().text());
        });
        QVERIFY2(cleared, qPrintable(cleared.errorMessage()));
        PollingField field(*w, f.eids);
        campaigns::CampaignSettings settings;
        settings.answerTimeoutMs = 5000;
        settings.concurrency = 1;
        settings.network = true;
        settings.deadlineSeconds = 30;
        campaigns::CampaignService service(*w->workspace, links);
        const auto owner = testing::ownerOf(*w->workspace);
        auto id = service.create(owner, { campaigns::CampaignKind::InitialProvisioning, {}, f.operators[0], std::nullopt, f.devices, settings });
        QVERIFY2(id, qPrintable(id.errorMessage()));
        auto run = service.run(owner, id.value());
        QVERIFY2(run, qPrintable(run.errorMessage()));
        QCOMPARE(run->failed, qint64(f.devices.size()));
        QCOMPARE(run->byReason.value(QStringLiteral("attestation-no-reference-values")), qint64(f.devices.size()));
    }

    // The demo's faulty meters end on the network as they do in process (tst_campaigns): the one
    // that restarts mid-download says so when up again (installFailedDueToInterruption) and is
    // tried again, the one whose eUICC will not enable ends enable-rejected, the one out of its
    // operator's coverage no-coverage; the tampered and the rest as their verdict says.
    void faultyDevicesEndAsInProcess()
    {
        auto w = world(30, true);
        eim::EsipaDeviceLinks links(w->service);
        const Fleet f = fleetOf(*w->workspace);
        QCOMPARE(f.eids.size(), 30);
        // Device 29 finds no network of one operator: that one provisions the fleet.
        const QString uncovered = w->field->device(f.eids[29])->spec().faultOperator;
        qint64 target = 0;
        QSqlQuery q(w->workspace->database());
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM operator WHERE mcc || mnc = '%1' AND profile_server_address IS NULL").arg(uncovered)));
        QVERIFY2(q.next(), qPrintable(uncovered));
        target = q.value(0).toLongLong();
        q.finish();
        PollingField field(*w, f.eids); // the offline one too (that fault is the field process's)
        campaigns::CampaignSettings settings;
        settings.answerTimeoutMs = 5000;
        settings.concurrency = 8;
        settings.backoffMs = 50;
        settings.network = true;
        campaigns::CampaignService service(*w->workspace, links);
        const auto owner = testing::ownerOf(*w->workspace);
        auto id = service.create(owner, { campaigns::CampaignKind::InitialProvisioning, {}, target, std::nullopt, f.devices, settings });
        QVERIFY2(id, qPrintable(id.errorMessage()));
        auto run = service.run(owner, id.value());
        QVERIFY2(run, qPrintable(run.errorMessage()));
        const auto outcome = [&](int index) {
            QSqlQuery item(w->workspace->database());
            item.exec(QStringLiteral("SELECT state || ':' || coalesce(reason, '') FROM campaign_item WHERE campaign_id = %1 AND device_id = %2")
                          .arg(id.value())
                          .arg(f.devices[index]));
            return item.next() ? item.value(0).toString() : QString();
        };
        QCOMPARE(outcome(7), QStringLiteral("failed:attestation-measurement-mismatch"));
        QCOMPARE(outcome(19), QStringLiteral("succeeded:")); // restarted once, tried again
        QCOMPARE(outcome(23), QStringLiteral("failed:enable-rejected"));
        QCOMPARE(outcome(29), QStringLiteral("failed:no-coverage"));
        QCOMPARE(outcome(0), QStringLiteral("succeeded:"));
        // The restarted one holds the one profile; the one that would not enable holds none.
        QCOMPARE(w->field->device(f.eids[19])->listProfiles().value().size(), 1);
        QVERIFY(w->field->device(f.eids[23])->listProfiles().value().isEmpty());
        // Its interrupted installation's result reached the profile server, which ended that session.
        QVERIFY(w->field->device(f.eids[19])->memory().notifications.isEmpty());
    }

    // A device that goes silent in the middle of its change (after the download, before the
    // enable) is not failed: it waits for its next check-in, what was queued for it is withdrawn,
    // and when it comes back its change resumes from what it reports, make-before-break.
    void aDeviceSilentMidChangeResumesWhenItComesBack()
    {
        auto w = world();
        eim::EsipaDeviceLinks links(w->service);
        const Fleet f = fleetOf(*w->workspace);
        const QString wanderer = f.eids[1];
        // Out of reach for 2.5 s from the first message it sends holding both profiles (the new
        // one downloaded, the old one still enabled), whichever step that falls in.
        std::atomic<qint64> silencedAt = 0;
        std::atomic<bool> changing = false;
        QElapsedTimer clock;
        clock.start();
        const simulation::EsipaTransport reach = w->transport();
        PollingField field(*w, f.eids, {}, [&](const QString &eid) -> simulation::EsipaTransport {
            if (eid != wanderer)
                return reach;
            return [&, eid](const QByteArray &message) -> Result<QByteArray> {
                if (changing && silencedAt == 0 && w->field->device(eid)->listProfiles().value().size() == 2)
                    silencedAt = std::max<qint64>(1, clock.elapsed());
                if (silencedAt != 0 && clock.elapsed() - silencedAt < 2500)
                    return fail(QStringLiteral("out of reach"));
                return reach(message);
            };
        });

        campaigns::CampaignSettings settings;
        settings.answerTimeoutMs = 1000;
        settings.batchSize = 4;
        settings.concurrency = 4;
        settings.network = true;
        campaigns::CampaignService service(*w->workspace, links);
        const auto owner = testing::ownerOf(*w->workspace);
        const auto run = [&](campaigns::CampaignKind kind, qint64 target) {
            auto id = service.create(owner, { kind, {}, target, std::nullopt, f.devices, settings });
            return id ? service.run(owner, id.value()) : Result<campaigns::CampaignSummary>(id.error());
        };
        auto provisioned = run(campaigns::CampaignKind::InitialProvisioning, f.operators[0]);
        QVERIFY2(provisioned, qPrintable(provisioned.errorMessage()));
        QCOMPARE(provisioned->succeeded, qint64(f.devices.size()));
        changing = true;
        auto changed = run(campaigns::CampaignKind::SubscriptionChange, f.operators[1]);
        QVERIFY2(changed, qPrintable(changed.errorMessage()));
        QVERIFY2(silencedAt != 0, "the device never went silent mid-change");
        QVERIFY2(changed->succeeded == qint64(f.devices.size()), QJsonDocument(changed->toJson()).toJson().constData());
        QCOMPARE(changed->rolledBack, 0);
        checkOneEnabledProfileEach(*w, f.eids);
        QSqlQuery q(w->workspace->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM eim_package WHERE eid = '%1' AND state = 'cancelled'"
                                      " AND failure LIKE 'withdrawn: the device went silent%'").arg(wanderer)));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toInt() >= 1);
    }

    void servedOverHttps()
    {
        auto w = world();
        const testing::es9::TlsFixture tls(QStringLiteral("eIM TLS"));
        quint16 port = 0;
        net::ServiceThread thread;
        auto started = thread.start([&]() -> Result<std::shared_ptr<void>> {
            auto http = std::make_shared<eim::EsipaHttpServer>(w->service);
            http->setTlsIdentity(tls.identity);
            auto bound = http->listen(QHostAddress::LocalHost, 0);
            if (!bound)
                return bound.error();
            port = bound.value();
            return std::shared_ptr<void>(http);
        });
        QVERIFY2(started, qPrintable(started.errorMessage()));
        const QUrl url(QStringLiteral("https://127.0.0.1:%1").arg(port));

        eim::EsipaDeviceLink link(w->service, w->eid);
        auto listed = devices::listProfiles(link);
        auto checkIn = QtConcurrent::run([&] {
            simulation::Ipa ipa(w->device(), simulation::EsipaHttpsTransport(url, tls.roots(), QStringLiteral("localhost"), patience));
            return ipa.checkIn();
        }).result();
        QVERIFY2(checkIn, qPrintable(checkIn.errorMessage()));
        QCOMPARE(checkIn->packages, 2);
        QVERIFY2(listed.wait(patience, w->eid), qPrintable(settled(listed).errorMessage()));

        // An IPA that trusts another root does not reach this eIM.
        const testing::es9::TlsFixture other(QStringLiteral("Another root"));
        auto refused = QtConcurrent::run([&] {
            simulation::Ipa ipa(w->device(), simulation::EsipaHttpsTransport(url, other.roots(), QStringLiteral("localhost"), patience));
            return ipa.checkIn();
        }).result();
        QVERIFY(!refused);
        // The binding itself: a JSON body, a GET.
        auto reply = QtConcurrent::run([&] {
            net::RspHttpsClient client(url, tls.roots(), QStringLiteral("localhost"), patience);
            return client.post(QString::fromLatin1(esipa::path), getEimPackage(w->eid), "application/json", esipa::adminProtocol);
        }).result();
        QVERIFY(reply);
        QCOMPARE(reply->status, 415);
        reply = QtConcurrent::run([&] {
            net::RspHttpsClient client(url, tls.roots(), QStringLiteral("localhost"), patience);
            return client.post(QString::fromLatin1(esipa::path), QByteArray("not DER"), esipa::contentType, esipa::adminProtocol);
        }).result();
        QVERIFY(reply);
        QCOMPARE(reply->status, 400);
    }
};

QTEST_GUILESS_MAIN(TestEsipaService)
#include "tst_esipaservice.moc"
