// Campaigns over a small demo fleet with every fault kind: initial provisioning, make-before-break
// subscription change, fallback, policy refusals, an exhausted range, pause, resume, canary,
// rate limit, reports and the invariants that must hold after each.
#include "protocol/boundprofilepackage.h"
#include "protocol/profilemanagement.h"
#include "campaigns/campaignqueries.h"
#include "campaigns/campaignservice.h"
#include "testsession.h"
#include "campaigns/runlock.h"
#include "campaigns/custodyservice.h"
#include "attestation/attestationservice.h"
#include "store/custodyrepository.h"
#include "core/clock.h"
#include "fleet/devicefilter.h"
#include "fleet/fleetqueries.h"
#include "fleet/operatoronboarding.h"
#include "fleet/subscriptionledgerreport.h"
#include "profiles/profileserver.h"
#include "simulation/simulatedfield.h"
#include "simulation/demoworkspace.h"
#include "store/auditlog.h"
#include "store/fleetrepository.h"
#include "store/devicerepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include "teststore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using namespace simfleet::campaigns;

namespace {

// A link provider that spoils the bound package sent to chosen devices (a MAC bit, or the
// order of two segments), as an attacker on the path would.
class SpoilingLinks : public devices::DeviceLinkProvider
{
public:
    SpoilingLinks(devices::DeviceLinkProvider &inner, QSet<QString> victims, bool reorder)
        : m_inner(inner), m_victims(std::move(victims)), m_reorder(reorder)
    {
    }
    std::unique_ptr<devices::DeviceLink> linkTo(const QString &eid) override;

    devices::DeviceLinkProvider &m_inner;
    QSet<QString> m_victims;
    bool m_reorder;
};

class SpoilingLink : public devices::DeviceLink
{
public:
    SpoilingLink(std::unique_ptr<devices::DeviceLink> inner, bool reorder) : m_inner(std::move(inner)), m_reorder(reorder) { }
    QString eid() const override { return m_inner->eid(); }
    devices::Answer<devices::DeviceInfo> info() override { return m_inner->info(); }
    devices::Answer<QByteArray> attest(const QByteArray &request) override { return m_inner->attest(request); }
    devices::Answer<QByteArray> profilesInfo(const QByteArray &r) override { return m_inner->profilesInfo(r); }
    devices::Answer<QByteArray> enableProfile(const QByteArray &r) override { return m_inner->enableProfile(r); }
    devices::Answer<QByteArray> disableProfile(const QByteArray &r) override { return m_inner->disableProfile(r); }
    devices::Answer<QByteArray> deleteProfile(const QByteArray &r) override { return m_inner->deleteProfile(r); }
    devices::Answer<QByteArray> listNotifications(const QByteArray &r) override { return m_inner->listNotifications(r); }
    devices::Answer<QByteArray> retrieveNotifications(const QByteArray &r) override { return m_inner->retrieveNotifications(r); }
    devices::Answer<QByteArray> removeNotification(const QByteArray &r) override { return m_inner->removeNotification(r); }
    devices::Answer<QByteArray> euiccInfo1() override { return m_inner->euiccInfo1(); }
    devices::Answer<QByteArray> challenge() override { return m_inner->challenge(); }
    devices::Answer<QByteArray> authenticateServer(const QByteArray &r) override { return m_inner->authenticateServer(r); }
    devices::Answer<QByteArray> prepareDownload(const QByteArray &r) override { return m_inner->prepareDownload(r); }
    devices::Answer<QByteArray> loadBoundPackage(const QByteArray &boundProfilePackage) override
    {
        // Spoiled inside the standard's structure, so only the secure channel can notice.
        auto decoded = protocol::BoundProfilePackage::decode(boundProfilePackage);
        if (!decoded)
            qFatal("the server sent no bound profile package: %s", qPrintable(decoded.errorMessage()));
        protocol::BoundProfilePackage package = decoded.value();
        QList<QByteArray> &elements = package.profileElements;
        if (m_reorder)
            std::swap(package.storeMetadata[0], elements[0]);
        else
            elements[0][elements[0].size() - 1] = char(elements[0].back() ^ 0x01);
        return m_inner->loadBoundPackage(package.encode());
    }
    devices::Answer<devices::AttachReport> attach(const QByteArray &rand, const QByteArray &autn) override
    {
        return m_inner->attach(rand, autn);
    }

private:
    std::unique_ptr<devices::DeviceLink> m_inner;
    bool m_reorder;
};

std::unique_ptr<devices::DeviceLink> SpoilingLinks::linkTo(const QString &eid)
{
    auto link = m_inner.linkTo(eid);
    if (!m_victims.contains(eid))
        return link;
    return std::make_unique<SpoilingLink>(std::move(link), m_reorder);
}

CampaignSettings quickSettings()
{
    CampaignSettings s;
    s.answerTimeoutMs = 1000;
    s.batchSize = 40;
    s.concurrency = 16;
    s.backoffMs = 500; // on the manual clock: moves time, costs nothing
    return s;
}

} // namespace

class TestCampaigns : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<store::Workspace> m_ws;
    std::unique_ptr<simulation::SimulatedField> m_field;
    QString m_path;

    qint64 operatorId(const QString &name)
    {
        return store::OperatorRepository(m_ws->database()).findByName(name).value().value().id;
    }
    QList<qint64> fleetDevices(const QString &fleet)
    {
        const auto f = store::FleetRepository(m_ws->database()).findUnique(fleet).value();
        QList<qint64> ids;
        for (const auto &d : store::DeviceRepository(m_ws->database()).idsInFleet(f.id).value())
            ids.append(d.first);
        return ids;
    }
    QString eidOf(qint64 deviceId)
    {
        QSqlQuery q(m_ws->database());
        q.exec(QStringLiteral("SELECT eid FROM device WHERE id = %1").arg(deviceId));
        q.next();
        return q.value(0).toString();
    }
    QString itemReason(qint64 campaign, int deviceIndex)
    {
        QSqlQuery q(m_ws->database());
        q.exec(QStringLiteral("SELECT state || ':' || reason FROM campaign_item WHERE campaign_id = %1 ORDER BY id LIMIT 1 OFFSET %2")
                   .arg(campaign)
                   .arg(deviceIndex));
        q.next();
        return q.value(0).toString();
    }
    // The store's enabled profile per device agrees with the device's own, and no device has two;
    // every device that answers has had its notifications collected (SGP.22 section 3.5).
    void checkInvariants()
    {
        QSqlDatabase db = m_ws->database();
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM (SELECT device_id FROM profile WHERE state = 'enabled'"
                                      " GROUP BY device_id HAVING count(*) > 1) AS twice")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        if (!test::onPostgres()) { // the server checks its own pages
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
        }
        QVERIFY(q.exec(QStringLiteral("SELECT d.eid, p.iccid FROM device d LEFT JOIN profile p ON p.device_id = d.id AND p.state = 'enabled'")));
        int compared = 0;
        int notified = 0;
        while (q.next()) {
            const auto onDevice = m_field->device(q.value(0).toString())->listProfiles();
            QVERIFY(onDevice);
            QStringList enabled;
            for (const auto &p : onDevice.value()) {
                if (p.state == u"enabled")
                    enabled.append(p.iccid);
            }
            QVERIFY2(enabled.size() <= 1, qPrintable(q.value(0).toString()));
            QCOMPARE(enabled.value(0), q.value(1).toString());
            const auto memory = m_field->device(q.value(0).toString())->memory();
            if (m_field->faultOf(q.value(0).toString()) != simulation::Fault::Offline)
                QVERIFY2(memory.notifications.isEmpty(), qPrintable(q.value(0).toString()));
            notified += memory.lastSequenceNumber > 0 ? 1 : 0;
            ++compared;
        }
        QVERIFY(compared > 0);
        QVERIFY(notified > 0);
        QVERIFY(store::AuditLog::verify(db).value().intact);
        // The ledger agrees with the profiles: a period is open exactly while its profile is enabled.
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM profile p WHERE (p.state = 'enabled') <> EXISTS (SELECT 1 FROM"
                                      " subscription_period sp WHERE sp.profile_id = p.id AND sp.ended_at IS NULL)")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }

private slots:
    void init()
    {
        m_field.reset();
        m_ws.reset();
        m_path = test::newWorkspaceAddress(m_dir, QStringLiteral("c%1.simfleet").arg(QRandomGenerator::global()->generate()));
        m_clock = std::make_unique<ManualClock>(QDateTime::currentDateTimeUtc());
        // 120 meters: one device of each fault kind (see DemoWorkspace's scenario) and more.
        auto ws = simulation::DemoWorkspace::create(m_path, m_clock.get(), { 120, 0, 0 });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        m_ws = std::move(ws).value();
        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(m_path), m_clock.get());
        QVERIFY(field);
        m_field = std::move(field).value();
        m_field->setTiming({ std::chrono::milliseconds(50), 7200 });
    }

    void cleanup()
    {
        m_field.reset();
        m_ws.reset();
    }

    void devicesKeepWhatTheyCommittedWhenTheProcessDies()
    {
        // The devices append their changes to the field's flash log; the field's database takes
        // them in only when the field closes. The files as they are mid-session are what a killed
        // process leaves: a field opened from copies of them must hold every device's profiles,
        // certificate and crash memory exactly.
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters"));
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        auto id = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, quickSettings() });
        QVERIFY(id);
        QVERIFY(service.run(testing::ownerOf(*m_ws), id.value()));

        const auto holdings = [](simulation::SimulatedField &field, const QString &eid) {
            QStringList out;
            for (const auto &p : field.device(eid)->listProfiles().value())
                out.append(p.iccid + u'/' + p.state + u'/' + p.plmn);
            out.sort();
            const auto info = field.device(eid)->info();
            out.append(QString::fromLatin1(info.value().certificateChain.value(0).toBase64()));
            // Its notifications: the number of the last, and those still pending.
            const auto memory = field.device(eid)->memory();
            out.append(QString::number(memory.lastSequenceNumber));
            for (const auto &n : memory.notifications)
                out.append(QString::fromLatin1(n.data.toBase64()));
            return out;
        };
        // A notification nobody collected (the device disabled its profile on its own, say) is in
        // the log too.
        bool disabledOne = false;
        for (qint64 d : devices) {
            const auto held = m_field->device(eidOf(d))->listProfiles().value();
            if (disabledOne || held.isEmpty() || held.first().state != u"enabled")
                continue;
            const QByteArray disable = protocol::ProfileOperationRequest { protocol::ProfileOperation::Disable, held.first().iccid, {}, false }.encode();
            QVERIFY(m_field->device(eidOf(d))->changeProfile(disable));
            QCOMPARE(m_field->device(eidOf(d))->memory().notifications.size(), 1);
            disabledOne = true;
        }
        QVERIFY(disabledOne);
        // Asking every device certifies the few the campaign never reached (offline ones), so
        // every certificate is in the log before the copy.
        QHash<QString, QStringList> expected;
        int withProfile = 0;
        for (qint64 d : devices) {
            const QString eid = eidOf(d);
            expected.insert(eid, holdings(*m_field, eid));
            withProfile += m_field->device(eid)->listProfiles().value().isEmpty() ? 0 : 1;
        }
        QVERIFY(withProfile > 100);

        const QString fieldPath = simulation::SimulatedField::pathForWorkspace(m_path);
        const QString killed = m_dir.filePath(QStringLiteral("killed%1.field").arg(QRandomGenerator::global()->generate()));
        QVERIFY(QFile::copy(fieldPath, killed));
        if (QFile::exists(fieldPath + QStringLiteral("-wal")))
            QVERIFY(QFile::copy(fieldPath + QStringLiteral("-wal"), killed + QStringLiteral("-wal")));
        QVERIFY(QFile::copy(simulation::SimulatedField::flashLogPath(fieldPath), simulation::SimulatedField::flashLogPath(killed)));
        for (int round = 0; round < 2; ++round) {
            // Round 0 replays the log; round 1 reads what closing the field took into its database.
            auto reopened = simulation::SimulatedField::open(killed, m_clock.get());
            QVERIFY2(reopened, qPrintable(reopened.errorMessage()));
            for (auto it = expected.cbegin(); it != expected.cend(); ++it)
                QCOMPARE(holdings(*reopened.value(), it.key()), it.value());
        }
        // Closed cleanly, the log is an empty generation again (a 32-byte header).
        QCOMPARE(QFileInfo(simulation::SimulatedField::flashLogPath(killed)).size(), 32);
    }

    // Issue 19: an operator's own profile, a GSMA TS.48 test profile, personalised for demo
    // meters by the operator's profile server, downloads, installs, enables and attaches (AKA:
    // the campaign confirms each device answered the network's challenge from the new Ki/OPc).
    void operatorsOwnTemplateDownloadsEnablesAndAttaches()
    {
        QFile ts48(QStringLiteral(SIMFLEET_TS48 "/TS48v5_SAIP2.3_BERTLV_SUCI.der"));
        QVERIFY2(ts48.open(QIODevice::ReadOnly), qPrintable(ts48.fileName()));
        const QByteArray package = ts48.readAll();
        const store::OperatorRecord home = store::OperatorRepository(m_ws->database())
                                               .find(store::FleetRepository(m_ws->database())
                                                         .findUnique(QStringLiteral("Rheinau smart meters"))
                                                         .value()
                                                         .homeOperatorId.value())
                                               .value()
                                               .value();
        // What is no profile package cannot serve.
        auto refused = fleet::OperatorOnboarding::setProfileTemplate(*m_ws, testing::ownerOf(*m_ws), home.name, QByteArray("\xa0\x00", 2));
        QVERIFY(!refused);
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("no profile template simfleet can use")), qPrintable(refused.errorMessage()));
        auto set = fleet::OperatorOnboarding::setProfileTemplate(*m_ws, testing::ownerOf(*m_ws), home.name, package);
        QVERIFY2(set, qPrintable(set.errorMessage()));
        const store::OperatorRecord withTemplate = store::OperatorRepository(m_ws->database()).find(home.id).value().value();
        QVERIFY(withTemplate.hasProfileTemplate);
        auto server = profiles::ProfileServer::ofOperator(*m_ws, withTemplate);
        QVERIFY2(server, qPrintable(server.errorMessage()));
        QCOMPARE(server.value()->profileTemplate().encode(), package);

        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters")).first(3);
        auto id = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home.id, std::nullopt, devices, quickSettings() });
        QVERIFY(id);
        auto summary = service.run(testing::ownerOf(*m_ws), id.value());
        QVERIFY2(summary, qPrintable(summary.errorMessage()));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(itemReason(*id, i), QStringLiteral("succeeded:"));
        for (qint64 d : devices) {
            const auto onDevice = m_field->device(eidOf(d))->listProfiles().value();
            QCOMPARE(onDevice.size(), 1);
            QCOMPARE(onDevice.first().state, QStringLiteral("enabled"));
        }
        checkInvariants();

        // Back to the built-in template: audited both ways.
        QVERIFY(fleet::OperatorOnboarding::setProfileTemplate(*m_ws, testing::ownerOf(*m_ws), home.name, {}));
        QVERIFY(!store::OperatorRepository(m_ws->database()).find(home.id).value().value().hasProfileTemplate);
    }

    // Issue 19: --trace keeps every message of every device's conversation, in order, as the DER
    // sent, with an index naming each file's ASN.1 type; a profile in clear never appears.
    void protocolTraceKeepsEveryMessage()
    {
        const QString traceDir = m_dir.filePath(QStringLiteral("trace%1").arg(QRandomGenerator::global()->generate()));
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters")).first(2);
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        CampaignSettings settings = quickSettings();
        settings.traceDirectory = traceDir;
        auto id = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, settings });
        QVERIFY(id);
        auto summary = service.run(testing::ownerOf(*m_ws), id.value());
        QVERIFY2(summary, qPrintable(summary.errorMessage()));
        QCOMPARE(summary->succeeded, 2);

        QFile top(QDir(traceDir).filePath(QStringLiteral("index.json")));
        QVERIFY(top.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(top.readAll()).object().value(QStringLiteral("campaign")).toInteger(), id.value());
        for (qint64 d : devices) {
            const QDir device(QDir(traceDir).filePath(eidOf(d)));
            QFile indexFile(device.filePath(QStringLiteral("index.json")));
            QVERIFY2(indexFile.open(QIODevice::ReadOnly), qPrintable(indexFile.fileName()));
            const QJsonArray messages = QJsonDocument::fromJson(indexFile.readAll()).object().value(QStringLiteral("messages")).toArray();
            QStringList types;
            for (const QJsonValue &m : messages) {
                const QString file = m[QStringLiteral("file")].toString();
                QFile traced(device.filePath(file));
                QVERIFY2(traced.open(QIODevice::ReadOnly), qPrintable(file));
                const QByteArray der = traced.readAll();
                QCOMPARE(der.size(), m[QStringLiteral("bytes")].toInt());
                QVERIFY(file.startsWith(QStringLiteral("%1-").arg(types.size() + 1, 3, 10, QLatin1Char('0'))));
                // The profile's header travels only inside the encrypted package.
                QVERIFY2(!der.contains(QByteArrayView("simfleet M2M USIM")), qPrintable(file));
                types.append(m[QStringLiteral("type")].toString());
            }
            // Attested, downloaded, enabled and its notifications collected, in that order.
            const QStringList expectedOrder { QStringLiteral("SimfleetDefinitions.AttestationRequest"),
                                              QStringLiteral("SimfleetDefinitions.AttestationResponse"),
                                              QStringLiteral("RSPDefinitions.GetEuiccInfo1Request"),
                                              QStringLiteral("RSPDefinitions.EUICCInfo1"),
                                              QStringLiteral("RSPDefinitions.GetEuiccChallengeRequest"),
                                              QStringLiteral("RSPDefinitions.GetEuiccChallengeResponse"),
                                              QStringLiteral("RSPDefinitions.AuthenticateServerRequest"),
                                              QStringLiteral("RSPDefinitions.AuthenticateServerResponse"),
                                              QStringLiteral("RSPDefinitions.PrepareDownloadRequest"),
                                              QStringLiteral("RSPDefinitions.PrepareDownloadResponse"),
                                              QStringLiteral("RSPDefinitions.BoundProfilePackage"),
                                              QStringLiteral("RSPDefinitions.ProfileInstallationResult") };
            QCOMPARE(types.mid(0, expectedOrder.size()), expectedOrder);
            QVERIFY(types.contains(QStringLiteral("RSPDefinitions.EnableProfileRequest")));
            QVERIFY(types.contains(QStringLiteral("RSPDefinitions.RetrieveNotificationsListResponse")));
        }

        // A path that is a file is refused before any device is touched.
        QFile blocker(m_dir.filePath(QStringLiteral("blocker")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        settings.traceDirectory = blocker.fileName();
        auto second = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt,
                                                                 fleetDevices(QStringLiteral("Rheinau smart meters")).mid(5, 1), settings });
        QVERIFY(second);
        auto refused = service.run(testing::ownerOf(*m_ws), second.value());
        QVERIFY(!refused);
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("is a file")), qPrintable(refused.errorMessage()));
    }

    void provisionThenChange()
    {
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters"));
        QCOMPARE(devices.size(), 120);
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        CampaignRequest provision { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, quickSettings() };
        auto id = service.create(testing::ownerOf(*m_ws), provision);
        QVERIFY(id);
        auto summary = service.run(testing::ownerOf(*m_ws), id.value());
        QVERIFY2(summary, qPrintable(summary.errorMessage()));
        QCOMPARE(summary->state, campaigns::CampaignState::Finished);
        // Each fault kind ends the way it should (indices from the demo scenario).
        QCOMPARE(itemReason(*id, 3), QStringLiteral("failed:attestation-no-answer"));    // offline
        QCOMPARE(itemReason(*id, 5), QStringLiteral("succeeded:"));                      // slow
        QCOMPARE(itemReason(*id, 7), QStringLiteral("failed:attestation-measurement-mismatch")); // tampered
        QCOMPARE(itemReason(*id, 11), QStringLiteral("failed:attestation-debug-enabled"));
        QCOMPARE(itemReason(*id, 13), QStringLiteral("failed:attestation-revoked"));
        QCOMPARE(itemReason(*id, 17), QStringLiteral("failed:attestation-clock-skew"));
        QCOMPARE(itemReason(*id, 19), QStringLiteral("succeeded:"));                     // crashed once, retried
        QCOMPARE(itemReason(*id, 23), QStringLiteral("failed:enable-rejected"));
        QCOMPARE(itemReason(*id, 0), QStringLiteral("succeeded:"));
        // The device that restarted mid-download holds exactly the one profile.
        QCOMPARE(m_field->device(eidOf(devices.at(19)))->listProfiles().value().size(), 1);
        // The one that rejected enable holds nothing (its new profile was removed again).
        QVERIFY(m_field->device(eidOf(devices.at(23)))->listProfiles().value().isEmpty());
        QVERIFY(summary->succeeded >= 100);
        checkInvariants();

        // Make-before-break to the operator that device 29 has no coverage of.
        const auto before29 = m_field->device(eidOf(devices.at(29)))->listProfiles().value();
        QCOMPARE(before29.size(), 1);
        qint64 target = 0;
        for (const auto &op : store::OperatorRepository(m_ws->database()).list().value()) {
            if (op.id == home)
                continue;
            CampaignRequest change { CampaignKind::SubscriptionChange, {}, op.id, std::nullopt, { devices.at(29), devices.at(0) },
                                     quickSettings() };
            auto probe = service.create(testing::ownerOf(*m_ws), change);
            QVERIFY(probe);
            auto result = service.run(testing::ownerOf(*m_ws), probe.value());
            QVERIFY(result);
            if (result->rolledBack == 1) {
                target = op.id;
                QCOMPARE(result->byReason.value(QStringLiteral("no-coverage")), 1);
                QCOMPARE(result->succeeded, 1);
                break;
            }
            QCOMPARE(result->succeeded, 2);
        }
        QVERIFY2(target != 0, "some operator's network is out of reach for device 29");
        // Rolled back: the old profile runs again, the new one is gone from the device.
        const auto after29 = m_field->device(eidOf(devices.at(29)))->listProfiles().value();
        QCOMPARE(after29.size(), 1);
        QCOMPARE(after29.first().iccid, before29.first().iccid);
        QCOMPARE(after29.first().state, QStringLiteral("enabled"));
        checkInvariants();

        // Device 0 is now on some other operator; changing it to where it is does nothing.
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("SELECT operator_id FROM profile WHERE device_id = %1 AND state = 'enabled'").arg(devices.at(0))));
        QVERIFY(q.next());
        CampaignRequest same { CampaignKind::SubscriptionChange, {}, q.value(0).toLongLong(), std::nullopt, { devices.at(0) },
                               quickSettings() };
        q.finish(); // an open read would pin this connection's snapshot
        auto sameId = service.create(testing::ownerOf(*m_ws), same);
        auto nothing = service.run(testing::ownerOf(*m_ws), sameId.value());
        QVERIFY2(nothing, qPrintable(nothing.errorMessage()));
        QCOMPARE(nothing->skipped, 1);
        QCOMPARE(nothing->byReason.value(QStringLiteral("already-on-target")), 1);

        // The report: one row per device, outcomes and ICCIDs, never a credential.
        QBuffer report;
        report.open(QIODevice::WriteOnly);
        QVERIFY(campaigns::CampaignQueries(*m_ws).writeReport(testing::ownerOf(*m_ws), *id, report));
        const QList<QByteArray> lines = report.data().trimmed().split('\n');
        QCOMPARE(lines.size(), 121);
        QVERIFY(lines.first().startsWith("eid,outcome,reason"));
        QVERIFY(!report.data().contains("ki") && !report.data().contains("opc"));
    }

    void wholeFleetChangeWithCustomerMove()
    {
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters"));
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        auto p = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, quickSettings() });
        QVERIFY(service.run(testing::ownerOf(*m_ws), p.value()));
        // The meters run on their first supplier's operator for ten days and some hours.
        m_clock->advance(10 * 86400 + 3 * 3600 + 17);
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("SELECT id FROM customer WHERE name <> (SELECT c.name FROM customer c JOIN fleet f ON f.customer_id = c.id"
                                      " WHERE f.name = 'Rheinau smart meters') LIMIT 1")));
        QVERIFY(q.next());
        const qint64 newOwner = q.value(0).toLongLong();
        q.finish(); // an open read would pin this connection's snapshot
        qint64 target = 0;
        for (const auto &op : store::OperatorRepository(m_ws->database()).list().value())
            if (op.id != home && !target)
                target = op.id;
        auto c = service.create(testing::ownerOf(*m_ws), { CampaignKind::SubscriptionChange, QStringLiteral("Supplier switch"), target, newOwner, devices,
                                  quickSettings() });
        QVERIFY2(c, qPrintable(c.errorMessage()));
        auto s = service.run(testing::ownerOf(*m_ws), c.value());
        QVERIFY(s);
        QCOMPARE(s->state, campaigns::CampaignState::Finished);
        QVERIFY(s->succeeded > 90);
        QCOMPARE(s->byReason.value(QStringLiteral("not-provisioned")), s->failed);
        // Succeeded devices belong to the new owner's fleet of the same name.
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM device d JOIN fleet f ON f.id = d.fleet_id WHERE f.customer_id = %1"
                                      " AND f.name = 'Rheinau smart meters'").arg(newOwner)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), s->succeeded);
        checkInvariants();
        q.finish();

        // The ledger: each moved meter has two periods, the first supplier's and the new owner's,
        // meeting exactly at the instant its change took effect and summing to the time elapsed.
        m_clock->advance(5 * 86400);
        const QDateTime now = m_clock->now();
        const access::Session owner = testing::ownerOf(*m_ws);
        const fleet::FleetQueries queries(*m_ws);
        const auto periods = queries.ledger(owner, { now.addYears(-1), now.addDays(1), std::nullopt, std::nullopt, std::nullopt });
        QVERIFY2(periods, qPrintable(periods.errorMessage()));
        QHash<QString, QList<store::SubscriptionPeriod>> byDevice;
        for (const auto &period : periods.value())
            byDevice[period.eid].append(period);
        QString newOwnerName;
        for (const auto &customer : queries.customers(owner).value()) {
            if (customer.id == newOwner)
                newOwnerName = customer.name;
        }
        QVERIFY(!newOwnerName.isEmpty());
        qint64 moved = 0;
        qint64 totalMs = 0;
        for (auto it = byDevice.cbegin(); it != byDevice.cend(); ++it) {
            const auto &list = it.value();
            if (list.size() == 1) { // provisioned and not moved: open since provisioning
                QVERIFY(!list.first().to.isValid());
                QCOMPARE(list.first().startedByCampaign, std::optional<qint64>(p.value()));
                totalMs += list.first().from.msecsTo(now);
                continue;
            }
            QCOMPARE(list.size(), 2);
            const auto &first = list.at(0);
            const auto &second = list.at(1);
            QCOMPARE(first.to, second.from); // to the millisecond
            QCOMPARE(first.startedByCampaign, std::optional<qint64>(p.value()));
            QCOMPARE(first.startedByEvent, QStringLiteral("initial-provisioning"));
            QCOMPARE(first.endedByCampaign, std::optional<qint64>(c.value()));
            QCOMPARE(second.startedByCampaign, std::optional<qint64>(c.value()));
            QCOMPARE(second.startedByEvent, QStringLiteral("subscription-change"));
            QVERIFY(!second.to.isValid());
            QVERIFY(first.operatorName != second.operatorName);
            QVERIFY(first.customerName != second.customerName);
            QCOMPARE(second.customerName, newOwnerName);
            QVERIFY(first.from.msecsTo(first.to) >= qint64(10 * 86400) * 1000);
            QCOMPARE(first.from.msecsTo(first.to) + second.from.msecsTo(now), first.from.msecsTo(now));
            totalMs += first.from.msecsTo(now);
            ++moved;
        }
        QCOMPARE(moved, s->succeeded);
        // Device-days per month add up to the same time, whatever the months' boundaries.
        const auto months = fleet::monthlyDeviceDays(periods.value(), now.addYears(-1), now.addDays(1), now);
        qint64 monthlyMs = 0;
        for (const auto &m : months)
            monthlyMs += m.milliseconds;
        QCOMPARE(monthlyMs, totalMs);
    }

    // Issue 23: a car unit reported stolen has its subscription disabled on the device at its
    // next contact, gets no profile while marked, and runs again only after it is recovered and
    // attested; a tampered device holding a subscription is quarantined the same way and
    // released by an Administrator after an affirming verdict.
    void theftAndTamperFollowTheDeviceToItsNextContact()
    {
        CampaignService service(*m_ws, *m_field);
        const access::Session owner = testing::ownerOf(*m_ws);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters"));
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        auto p = service.create(owner, { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, quickSettings() });
        QVERIFY(service.run(owner, p.value()));
        const QString stolen = eidOf(devices.at(0)); // provisioned (see provisionThenChange)
        const auto enabledOn = [this](const QString &eid) {
            QString iccid;
            for (const auto &profile : m_field->device(eid)->listProfiles().value()) {
                if (profile.state == u"enabled")
                    iccid = profile.iccid;
            }
            return iccid;
        };
        const QString iccid = enabledOn(stolen);
        QVERIFY(!iccid.isEmpty());

        CustodyService custody(*m_ws, *m_field);
        auto reported = custody.report(owner, { stolen }, store::Custody::Stolen, QStringLiteral("police ref 4711"));
        QVERIFY2(reported, qPrintable(reported.errorMessage()));
        QVERIFY(reported->first().owesDisable());
        QCOMPARE(enabledOn(stolen), iccid); // not reached yet: the device still runs it

        m_clock->advance(600);
        auto contacted = custody.contact(owner, { { devices.at(0), stolen } }, CustodyService::Contact::CheckIn);
        QVERIFY2(contacted, qPrintable(contacted.errorMessage()));
        QCOMPARE(contacted->first().done, QStringList({ QStringLiteral("sighted"), QStringLiteral("subscription-disabled") }));
        QVERIFY(enabledOn(stolen).isEmpty()); // disabled on the device itself
        QCOMPARE(m_field->device(stolen)->listProfiles().value().size(), 1);
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("SELECT ended_by_event, ended_at FROM subscription_period WHERE device_id = %1").arg(devices.at(0))));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("reported-stolen"));
        QCOMPARE(q.value(1).toString(), storedTime(m_clock->now()));
        q.finish();
        const auto alerts = store::CustodyRepository(m_ws->database()).openAlerts(owner.scope(), 10).value();
        QCOMPARE(alerts.size(), 2);
        QCOMPARE(alerts.at(1).kind, QStringLiteral("sighting"));
        QVERIFY(alerts.at(1).latitude.has_value()); // where it was last known to be
        // A second contact owes nothing more than the sighting.
        QCOMPARE(custody.contact(owner, { { devices.at(0), stolen } }, CustodyService::Contact::CheckIn)->first().done,
                 QStringList { QStringLiteral("sighted") });

        // Asked where it is, it answers from where the thief took it: the location claim of its
        // evidence, stored with the time of the fix and raised as a sighting there.
        QVERIFY(!m_field->place({ { stolen, 53.4466, -3.0176 }, { stolen, 91.0, 0.0 } })); // all or none
        QVERIFY(!m_field->place({ { QStringLiteral("89049032000000000000000000000000"), 1.0, 1.0 } }));
        QVERIFY(!m_field->device(stolen)->position());
        QVERIFY(m_field->place({ { stolen, 53.4466, -3.0176 } }));
        m_clock->advance(300);
        {
            attestation::AttestationService locate(*m_ws, *m_field);
            auto located = locate.attest(owner, { { devices.at(0), stolen } });
            QVERIFY(located);
            QVERIFY(located->first().verdict.location);
            QCOMPARE(located->first().verdict.location->latitude, 53.4466);
            const auto state = store::CustodyRepository(m_ws->database()).states({ devices.at(0) })->first();
            QCOMPARE(state.latitude, std::optional<double>(53.4466));
            QCOMPARE(state.positionAt.toSecsSinceEpoch(), m_clock->now().toSecsSinceEpoch()); // a fix to the second
            // A fix older than the recorded one (evidence answered late) moves nothing.
            QVERIFY(m_ws->writer().run([&](QSqlDatabase &db) {
                return store::CustodyRepository(db).setPosition(devices.at(0), 10.0, 10.0, m_clock->now().addSecs(-3600));
            }));
            QCOMPARE(store::CustodyRepository(m_ws->database()).states({ devices.at(0) })->first().latitude,
                     std::optional<double>(53.4466));
            const auto seen = store::CustodyRepository(m_ws->database()).openAlerts(owner.scope(), 10).value();
            QVERIFY(std::any_of(seen.cbegin(), seen.cend(), [](const store::DeviceAlert &a) {
                return a.kind == u"sighting" && a.longitude == -3.0176 && a.detail.contains(u"as the device reported it");
            }));
        }

        // No campaign gives it a profile while it is marked.
        qint64 target = 0;
        for (const auto &op : store::OperatorRepository(m_ws->database()).list().value())
            if (op.id != home && !target)
                target = op.id;
        auto change = service.create(owner, { CampaignKind::SubscriptionChange, {}, target, std::nullopt, { devices.at(0), devices.at(1) },
                                              quickSettings() });
        QVERIFY(change);
        auto changed = service.run(owner, change.value());
        QVERIFY(changed);
        QCOMPARE(changed->byReason.value(QStringLiteral("reported-stolen")), 1);
        QCOMPARE(itemReason(change.value(), 0), QStringLiteral("skipped:reported-stolen"));
        QCOMPARE(m_field->device(stolen)->listProfiles().value().size(), 1);
        // Recovered: not before an attestation, and then its own subscription again.
        QVERIFY(!custody.report(owner, { eidOf(devices.at(2)) }, store::Custody::Recovered, {}));
        QVERIFY(custody.report(owner, { stolen }, store::Custody::Recovered, QStringLiteral("found in a garage")));
        QVERIFY(enabledOn(stolen).isEmpty());
        auto back = custody.contact(owner, { { devices.at(0), stolen } }, CustodyService::Contact::CheckIn);
        QVERIFY(back);
        QCOMPARE(back->first().done, QStringList({ QStringLiteral("attested-affirming"), QStringLiteral("subscription-restored") }));
        QCOMPARE(enabledOn(stolen), iccid);
        checkInvariants();

        // Tampering: device 2's firmware no longer matches what its maker published.
        const QString tampered = eidOf(devices.at(2));
        QVERIFY(!enabledOn(tampered).isEmpty());
        // Every reference value's bootloader digest replaced, then put back as it was.
        const auto setBootloaders = [this](const std::function<QString(qint64, const QString &)> &digest) {
            return m_ws->writer().run([&digest](QSqlDatabase &db) -> Result<void> {
                QSqlQuery w(db);
                if (!w.exec(QStringLiteral("SELECT id, measurements FROM reference_value")))
                    return simfleet::fail(w.lastError().text());
                QList<std::pair<qint64, QJsonObject>> rows;
                while (w.next())
                    rows.append({ w.value(0).toLongLong(), QJsonDocument::fromJson(w.value(1).toString().toUtf8()).object() });
                for (auto &[id, m] : rows) {
                    m.insert(QStringLiteral("bootloader"), digest(id, m.value(QStringLiteral("bootloader")).toString()));
                    w.prepare(QStringLiteral("UPDATE reference_value SET measurements = ? WHERE id = ?"));
                    w.addBindValue(QString::fromUtf8(QJsonDocument(m).toJson(QJsonDocument::Compact)));
                    w.addBindValue(id);
                    if (!w.exec())
                        return simfleet::fail(w.lastError().text());
                }
                return {};
            });
        };
        QHash<qint64, QString> published;
        QVERIFY(setBootloaders([&published](qint64 id, const QString &was) {
            published.insert(id, was);
            return QString(64, u'0');
        }));
        attestation::AttestationService attest(*m_ws, *m_field);
        auto verdicts = attest.attest(owner, { { devices.at(2), tampered } });
        QVERIFY(verdicts);
        QCOMPARE(verdicts->first().verdict.reasonCode, QStringLiteral("measurement-mismatch"));
        QVERIFY(store::CustodyRepository(m_ws->database()).states({ devices.at(2) })->first().quarantined());
        QVERIFY(!custody.release(owner, { tampered })); // nothing affirming since
        auto afterAttest = custody.contact(owner, { { devices.at(2), tampered } }, CustodyService::Contact::AfterAttestation);
        QVERIFY(afterAttest);
        QCOMPARE(afterAttest->first().done, QStringList { QStringLiteral("subscription-disabled") });
        QVERIFY(enabledOn(tampered).isEmpty());
        QCOMPARE(fleet::FleetQueries(*m_ws).figures(owner)->quarantined, 1);
        // Only an Administrator releases it, and only after an affirming verdict.
        QVERIFY(setBootloaders([&published](qint64 id, const QString &) { return published.value(id); }));
        m_clock->advance(60);
        QCOMPARE(attest.attest(owner, { { devices.at(2), tampered } })->first().verdict.tier, attestation::TrustTier::Affirming);
        auto released = custody.release(owner, { tampered });
        QVERIFY2(released, qPrintable(released.errorMessage()));
        QVERIFY(released->first().owesRestore());
        QCOMPARE(custody.contact(owner, { { devices.at(2), tampered } }, CustodyService::Contact::Reached)->first().done,
                 QStringList { QStringLiteral("subscription-restored") });
        QVERIFY(!enabledOn(tampered).isEmpty());
        checkInvariants();
    }

    // Eight years in the field: a device certificate's end, learnt from the evidence that carries
    // it, is on the Dashboard 30 days ahead and opens the list of those devices.
    void deviceCertificatesEndingAreShownAhead()
    {
        const access::Session owner = testing::ownerOf(*m_ws);
        fleet::FleetQueries queries(*m_ws);
        QList<std::pair<qint64, QString>> meters;
        for (qint64 id : fleetDevices(QStringLiteral("Rheinau smart meters")))
            meters.append({ id, eidOf(id) });
        attestation::AttestationService attest(*m_ws, *m_field);
        QVERIFY(attest.attest(owner, meters));
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), min(d.certificate_not_after), max(d.certificate_not_after),"
                                      " (SELECT min(not_after) FROM certificate WHERE role = 'manufacturer')"
                                      " FROM device d WHERE d.certificate_not_after IS NOT NULL")));
        QVERIFY(q.next());
        const int known = q.value(0).toInt();
        QVERIFY2(known > 100 && known < meters.size(), "every device whose chain verified, not the silent ones");
        QCOMPARE(q.value(1).toString(), q.value(3).toString()); // the demo's devices end with their maker's certificate
        QCOMPARE(q.value(2).toString(), q.value(3).toString());
        const QDateTime end = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        q.finish();
        auto before = queries.figures(owner);
        QVERIFY2(before, qPrintable(before.errorMessage()));
        QCOMPARE(before->deviceCertificatesEnding, 0);

        m_clock->set(end.addDays(-10));
        const access::Session later = testing::ownerOf(*m_ws); // years later: a new login
        auto ahead = queries.figures(later);
        QVERIFY2(ahead, qPrintable(ahead.errorMessage()));
        QCOMPARE(ahead->deviceCertificatesEnding, known);
        auto filter = fleet::DeviceFilter::parse(QStringLiteral("certificate-days=30 and fleet=Rheinau smart meters"));
        QVERIFY(filter);
        filter.value().now = m_clock->now();
        auto listed = filter->selectIds(m_ws->database(), later.scope());
        QVERIFY2(listed, qPrintable(listed.errorMessage()));
        QCOMPARE(listed->size(), known);
        filter = fleet::DeviceFilter::parse(QStringLiteral("certificate-days=5"));
        filter.value().now = m_clock->now();
        QCOMPARE(filter->selectIds(m_ws->database(), later.scope())->size(), 0);
        QVERIFY(!fleet::DeviceFilter::parse(QStringLiteral("certificate-days=soon")));
        QVERIFY(!fleet::DeviceFilter::parse(QStringLiteral("certificate-days=0")));
    }

    void spoiledPackagesAreRefusedAndChangeNothing_data()
    {
        QTest::addColumn<bool>("reorder");
        QTest::newRow("wrong MAC") << false;
        QTest::newRow("reordered segments") << true;
    }

    void spoiledPackagesAreRefusedAndChangeNothing()
    {
        QFETCH(bool, reorder);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters")).mid(0, 3);
        SpoilingLinks links(*m_field, { eidOf(devices.at(1)) }, reorder);
        CampaignService service(*m_ws, links);
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        auto id = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, quickSettings() });
        auto s = service.run(testing::ownerOf(*m_ws), id.value());
        QVERIFY(s);
        QCOMPARE(s->succeeded, 2);
        QCOMPARE(itemReason(*id, 1), QStringLiteral("failed:package-rejected"));
        QVERIFY(m_field->device(eidOf(devices.at(1)))->listProfiles().value().isEmpty());
        checkInvariants();
    }

    void refusals()
    {
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters")).mid(0, 6);
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        // A change before anything is provisioned: nothing to change from.
        qint64 other = 0;
        for (const auto &op : store::OperatorRepository(m_ws->database()).list().value())
            if (op.id != home && !other)
                other = op.id;
        auto early = service.run(testing::ownerOf(*m_ws), service.create(testing::ownerOf(*m_ws), { CampaignKind::SubscriptionChange, {}, other, std::nullopt, devices, quickSettings() }).value());
        QCOMPARE(early->failed, 6);
        QCOMPARE(early->byReason.value(QStringLiteral("not-provisioned")), 6);

        // The home operator forbids disabling its profiles: a change is refused before it starts.
        QVERIFY(service.run(testing::ownerOf(*m_ws), service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, quickSettings() }).value()));
        QVERIFY(m_ws->writer().run([home](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            return q.exec(QStringLiteral("UPDATE operator SET disable_allowed = 0 WHERE id = %1").arg(home)) ? Result<void>() : fail(QStringLiteral("update"));
        }));
        auto policy = service.run(testing::ownerOf(*m_ws), service.create(testing::ownerOf(*m_ws), { CampaignKind::SubscriptionChange, {}, other, std::nullopt, devices, quickSettings() }).value());
        QCOMPARE(policy->succeeded, 0);
        QVERIFY(policy->byReason.value(QStringLiteral("policy-disable-not-allowed")) >= 4);
        checkInvariants();
    }

    void exhaustedRange()
    {
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters")).mid(0, 10);
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        // Leave 5 IMSIs in the operator's range.
        QVERIFY(m_ws->writer().run([home](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            return q.exec(QStringLiteral("UPDATE operator SET msin_next = msin_last - 4 WHERE id = %1").arg(home)) ? Result<void>() : fail(QStringLiteral("update"));
        }));
        CampaignSettings settings = quickSettings();
        settings.batchSize = 4;
        auto s = service.run(testing::ownerOf(*m_ws), service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, settings }).value());
        QVERIFY(s);
        QVERIFY(s->byReason.value(QStringLiteral("range-exhausted")) > 0);
        QVERIFY2(s->note.contains(QStringLiteral("exhausted")), qPrintable(s->note));
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), count(DISTINCT imsi), max(CASE WHEN msin_next <= msin_last + 1 THEN 1 ELSE 0 END) FROM profile, operator WHERE operator.id = %1 AND profile.operator_id = %1").arg(home)));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toInt() <= 5);
        QCOMPARE(q.value(0).toInt(), q.value(1).toInt());
        checkInvariants();
    }

    void pauseResumeAndCanary()
    {
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters"));
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        CampaignSettings settings = quickSettings();
        settings.batchSize = 10;
        auto id = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, settings });
        CampaignControl control;
        service.setProgressInterval(0);
        int progressCalls = 0;
        service.setProgressCallback([&](const CampaignProgress &p) {
            ++progressCalls;
            if (p.done >= 20)
                control.pause();
        });
        auto paused = service.run(testing::ownerOf(*m_ws), id.value(), &control);
        QVERIFY(paused);
        QCOMPARE(paused->state, campaigns::CampaignState::Paused);
        QVERIFY(paused->unfinished > 0);
        QVERIFY(progressCalls > 0);
        // Nothing left mid-step: every device is pending or final.
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM campaign_item WHERE campaign_id = %1 AND state NOT IN"
                                      " ('pending', 'succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled')").arg(*id)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        q.finish();
        // The resumed run's pace counts only the devices it finished itself.
        const qint64 doneAtPause = paused->total - paused->unfinished;
        QVERIFY(doneAtPause > 0);
        double mostClaimed = 0, mostDoneSince = 0;
        service.setProgressCallback([&](const CampaignProgress &p) {
            mostClaimed = std::max(mostClaimed, p.devicesPerSecond * p.elapsedSeconds);
            mostDoneSince = std::max(mostDoneSince, double(p.done - doneAtPause));
        });
        auto resumed = service.run(testing::ownerOf(*m_ws), id.value());
        QVERIFY2(mostClaimed <= mostDoneSince + 0.5, qPrintable(QStringLiteral("%1 > %2").arg(mostClaimed).arg(mostDoneSince)));
        service.setProgressCallback({});
        QCOMPARE(resumed->state, campaigns::CampaignState::Finished);
        QCOMPARE(resumed->unfinished, 0);
        QCOMPARE(resumed->succeeded + resumed->failed, 120);

        // A canary that demands perfection stops a change campaign with faulty devices in it.
        qint64 other = 0;
        for (const auto &op : store::OperatorRepository(m_ws->database()).list().value())
            if (op.id != home && !other)
                other = op.id;
        CampaignSettings canary = quickSettings();
        canary.canaryPercent = 50;
        canary.minSuccessPercent = 100;
        auto c = service.run(testing::ownerOf(*m_ws), service.create(testing::ownerOf(*m_ws), { CampaignKind::SubscriptionChange, {}, other, std::nullopt, devices, canary }).value());
        QCOMPARE(c->state, campaigns::CampaignState::Paused);
        QVERIFY2(c->note.contains(QStringLiteral("canary")), qPrintable(c->note));
        QCOMPARE(c->unfinished, 60);
        checkInvariants();
    }

    void runLockIsExclusiveAndDiesWithItsHolder()
    {
        const QString path = m_dir.filePath(QStringLiteral("x.campaign-1.lock"));
        QVERIFY(!RunLock::isHeld(path));
        {
            RunLock first(path);
            QVERIFY(first.tryLock());
            RunLock second(path);
            QVERIFY(!second.tryLock()); // also within one process
            QVERIFY(RunLock::isHeld(path));
        }
        QVERIFY(!RunLock::isHeld(path));
    }

    void cancelLeavesNoDeviceMidStep()
    {
        CampaignService service(*m_ws, *m_field);
        const QList<qint64> devices = fleetDevices(QStringLiteral("Rheinau smart meters"));
        const qint64 home = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value().homeOperatorId.value();
        CampaignSettings settings = quickSettings();
        settings.batchSize = 10;
        settings.ratePerSecond = 20; // on the manual clock: waits move time only
        auto id = service.create(testing::ownerOf(*m_ws), { CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, settings });
        CampaignControl control;
        service.setProgressInterval(0);
        service.setProgressCallback([&](const CampaignProgress &p) {
            if (p.done >= 10)
                control.cancel();
        });
        const QDateTime start = m_clock->now();
        auto s = service.run(testing::ownerOf(*m_ws), id.value(), &control);
        QVERIFY(s);
        QCOMPARE(s->state, campaigns::CampaignState::Cancelled);
        QVERIFY(s->cancelled > 0);
        QCOMPARE(s->unfinished, 0);
        // The rate limit held: starting N devices at 20/s took at least (N - 20) / 20 s.
        const qint64 started = 120 - s->cancelled;
        QVERIFY(start.msecsTo(m_clock->now()) >= (started - 20) * 1000 / 20);
        checkInvariants();
    }
};

QTEST_GUILESS_MAIN(TestCampaigns)
#include "tst_campaigns.moc"
