// Campaigns whose operator runs its own profile server (SGP.32's indirect download, SGP.22
// section 3.1.3 on the wire): activation codes imported per device or as a pool, each claimed
// once with a profile row that knows only the ICCID, the download relayed over real HTTPS on a
// loopback port, and a server that is down, not the one recorded, or refuses failing each device
// with a reason that names it while the campaign goes on and can retry.
#include "campaigns/campaignservice.h"
#include "core/clock.h"
#include "crypto/demopki.h"
#include "fleet/activationcodeimport.h"
#include "fleet/operatoronboarding.h"
#include "identity/iccid.h"
#include "net/es9plushttpserver.h"
#include "net/servicethread.h"
#include "net/tlsidentity.h"
#include "profiles/es9plusservice.h"
#include "profiles/profileserver.h"
#include "protocol/activationcode.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/auditlog.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/workspace.h"
#include "es9tls.h"
#include "testsession.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using namespace simfleet::campaigns;
using simfleet::testing::es9::TlsFixture;

namespace {

// The operator's profile server on a thread of its own (the campaign's workers block the test's
// thread), as if it ran elsewhere, named localhost:PORT as `profile-server` names itself.
class ServerThread
{
public:
    ServerThread(std::shared_ptr<profiles::ProfileServer> server, const Clock &clock, const net::TlsIdentity &tls)
        : m_service(std::make_shared<profiles::Es9PlusService>(server, clock))
    {
        auto started = m_thread.start([this, server, tls]() -> Result<std::shared_ptr<void>> {
            auto http = std::make_shared<net::Es9PlusHttpServer>(m_service);
            http->setTlsIdentity(tls);
            auto port = http->listen(QHostAddress::LocalHost, 0);
            if (!port)
                return port.error();
            m_port = port.value();
            server->setAddress(QStringLiteral("localhost:%1").arg(m_port));
            return std::shared_ptr<void>(http);
        });
        if (!started)
            qWarning("the profile server did not start: %s", qPrintable(started.errorMessage()));
    }
    quint16 port() const { return m_port; }
    profiles::Es9PlusService &service() { return *m_service; }

private:
    std::shared_ptr<profiles::Es9PlusService> m_service;
    quint16 m_port = 0;
    net::ServiceThread m_thread; // last: stops first
};

CampaignSettings quickSettings()
{
    CampaignSettings s;
    s.answerTimeoutMs = 3000;
    s.batchSize = 8;
    s.concurrency = 4;
    s.backoffMs = 200;
    return s;
}

} // namespace

class TestRemoteProfileServer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<store::Workspace> m_ws;
    std::unique_ptr<simulation::SimulatedField> m_field;
    store::OperatorRecord m_home;
    QList<qint64> m_devices;
    QStringList m_eids;

    QString scalar(const QString &sql)
    {
        QSqlQuery q(m_ws->database());
        if (!q.exec(sql) || !q.next())
            return QStringLiteral("(no row)");
        return q.value(0).toString();
    }
    void recordRemote(quint16 port, const crypto::Certificate &root)
    {
        auto set = fleet::OperatorOnboarding::setRemoteProfileServer(*m_ws, testing::ownerOf(*m_ws), m_home.name,
                                                                     QStringLiteral("localhost:%1").arg(port), root.toPem());
        QVERIFY2(set, qPrintable(set.errorMessage()));
        m_home = store::OperatorRepository(m_ws->database()).findByName(m_home.name).value().value();
    }
    Result<fleet::ActivationCodeImportReport> importCsv(const QByteArray &csv)
    {
        QBuffer buffer;
        buffer.setData(csv);
        buffer.open(QIODevice::ReadOnly);
        return fleet::ActivationCodeImport::import(*m_ws, testing::ownerOf(*m_ws), m_home.name, buffer, QStringLiteral("codes.csv"));
    }
    static QString iccidNumber(int n) { return identity::Iccid::fromPayload(QStringLiteral("894699000000000%1").arg(n, 3, 10, QLatin1Char('0'))).value().toString(); }
    Result<CampaignSummary> provision()
    {
        CampaignService service(*m_ws, *m_field);
        auto id = service.create(testing::ownerOf(*m_ws),
                                 { CampaignKind::InitialProvisioning, {}, m_home.id, std::nullopt, m_devices, quickSettings() });
        if (!id)
            return id.error();
        m_campaign = id.value();
        return service.run(testing::ownerOf(*m_ws), id.value());
    }
    QStringList reasons()
    {
        QStringList out;
        QSqlQuery q(m_ws->database());
        q.exec(QStringLiteral("SELECT state || ':' || reason FROM campaign_item WHERE campaign_id = %1 ORDER BY id").arg(m_campaign));
        while (q.next())
            out.append(q.value(0).toString());
        return out;
    }
    qint64 m_campaign = 0;

private slots:
    void init()
    {
        m_field.reset();
        m_ws.reset();
        const QString path = m_dir.filePath(QStringLiteral("r%1.simfleet").arg(QRandomGenerator::global()->generate()));
        m_clock = std::make_unique<ManualClock>(QDateTime::currentDateTimeUtc());
        auto ws = simulation::DemoWorkspace::create(path, m_clock.get(), { 6, 0, 0, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        m_ws = std::move(ws).value();
        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path), m_clock.get());
        QVERIFY(field);
        m_field = std::move(field).value();
        m_field->setTiming({ std::chrono::milliseconds(50), 7200 });
        const auto fleet = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Rheinau smart meters")).value();
        m_home = store::OperatorRepository(m_ws->database()).find(fleet.homeOperatorId.value()).value().value();
        m_devices.clear();
        m_eids.clear();
        for (const auto &d : store::DeviceRepository(m_ws->database()).idsInFleet(fleet.id).value()) {
            m_devices.append(d.first);
            m_eids.append(scalar(QStringLiteral("SELECT eid FROM device WHERE id = %1").arg(d.first)));
        }
        QCOMPARE(m_devices.size(), 6);
    }

    void cleanup()
    {
        m_field.reset();
        m_ws.reset();
    }

    void activationCodesParse()
    {
        auto code = protocol::ActivationCode::parse(u"LPA:1$SMDP.Example.com$04386-AGYFT-A74Y8-3F815");
        QVERIFY2(code, qPrintable(code.errorMessage()));
        QCOMPARE(code->smdpAddress, QStringLiteral("smdp.example.com"));
        QCOMPARE(code->matchingId, QStringLiteral("04386-AGYFT-A74Y8-3F815"));
        QVERIFY(!code->confirmationCodeRequired);
        auto full = protocol::ActivationCode::parse(u"1$smdp.example.com:8443$ABC$1.3.6.1.4.1.31746$1");
        QVERIFY(full);
        QCOMPARE(full->smdpOid, QStringLiteral("1.3.6.1.4.1.31746"));
        QVERIFY(full->confirmationCodeRequired);
        QCOMPARE(protocol::ActivationCode::parse(full->toString())->toString(), full->toString());
        for (const QString &bad : { QStringLiteral("2$smdp.example.com$ABC"), QStringLiteral("1$smdp.example.com"),
                                    QStringLiteral("1$$ABC"), QStringLiteral("1$smdp example$ABC"),
                                    QStringLiteral("1$smdp.example.com$"), QStringLiteral("1$smdp.example.com$A B"),
                                    QStringLiteral("1$smdp.example.com:99999$ABC"), QStringLiteral("1$smdp.example.com$ABC$x.y"),
                                    QStringLiteral("1$smdp.example.com$ABC$$2"), QStringLiteral("1$a$b$c$d$e") }) {
            auto refused = protocol::ActivationCode::parse(bad);
            QVERIFY2(!refused, qPrintable(bad));
            // A refusal never quotes the matching ID: it is a bearer credential.
            QVERIFY2(!refused.errorMessage().contains(QStringLiteral("ABC")), qPrintable(refused.errorMessage()));
        }
    }

    void importChecksEveryRow()
    {
        // Not for an operator whose profile server is simfleet's own.
        auto own = importCsv("iccid,activation_code\n" + iccidNumber(1).toLatin1() + ",1$localhost:1$AAA\n");
        QVERIFY(!own);
        QVERIFY2(own.errorMessage().contains(QStringLiteral("set-profile-server")), qPrintable(own.errorMessage()));

        TlsFixture tls(QStringLiteral("Remote TLS"));
        recordRemote(8443, tls.root.certificate);
        const QByteArray good1 = iccidNumber(1).toLatin1(), good2 = iccidNumber(2).toLatin1();
        const QByteArray csv = "eid,iccid,activation_code\n"
            + m_eids.at(0).toLatin1() + "," + good1 + ",LPA:1$localhost:8443$SECRET-ONE\n"
            + "," + good2 + ",1$localhost:8443$SECRET-TWO\n"
            + ",8946990000000000000,1$localhost:8443$SECRET-3\n"        // bad Luhn digit
            + "," + iccidNumber(3).toLatin1() + ",1$other.example:8443$SECRET-4\n" // another server
            + "," + iccidNumber(4).toLatin1() + ",1$localhost:8443$SECRET-5$$1\n"  // needs a confirmation code
            + "," + good2 + ",1$localhost:8443$SECRET-6\n"              // the same ICCID again
            + m_eids.at(0).toLatin1() + "," + iccidNumber(5).toLatin1() + ",1$localhost:8443$SECRET-7\n" // EID twice
            + "12345," + iccidNumber(6).toLatin1() + ",1$localhost:8443$SECRET-8\n" // not an EID
            + "," + iccidNumber(7).toLatin1() + ",2$localhost:8443$SECRET-9\n";
        auto report = importCsv(csv);
        QVERIFY2(report, qPrintable(report.errorMessage()));
        QCOMPARE(report->rowsRead, 9);
        QCOMPARE(report->imported, 2);
        QCOMPARE(report->boundToDevices, 1);
        QCOMPARE(report->issues.size(), 7);
        QStringList lines;
        for (const auto &issue : report->issues) {
            lines.append(QStringLiteral("%1:%2").arg(issue.line).arg(issue.field));
            QVERIFY2(!issue.message.contains(QStringLiteral("SECRET")), qPrintable(issue.message));
        }
        QCOMPARE(lines, QStringList({ QStringLiteral("4:iccid"), QStringLiteral("5:activation_code"), QStringLiteral("6:activation_code"),
                                      QStringLiteral("7:iccid"), QStringLiteral("8:eid"), QStringLiteral("9:eid"),
                                      QStringLiteral("10:activation_code") }));
        // Sealed: the matching IDs are nowhere in the file in clear, and the audit log names the
        // import without them.
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM activation_code WHERE matching_id_sealed IS NOT NULL")), QStringLiteral("2"));
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM activation_code WHERE CAST(matching_id_sealed AS TEXT) LIKE '%SECRET%'")),
                 QStringLiteral("0"));
        QCOMPARE(scalar(QStringLiteral("SELECT json_extract(details, '$.imported') FROM audit_entry WHERE action = 'operator.activation-codes'")),
                 QStringLiteral("2"));
        QVERIFY(!scalar(QStringLiteral("SELECT details FROM audit_entry WHERE action = 'operator.activation-codes'")).contains(QStringLiteral("SECRET")));

        // A second import of the same ICCIDs changes nothing.
        auto again = importCsv("iccid,activation_code\n" + good1 + ",1$localhost:8443$SECRET-ONE\n");
        QVERIFY(again);
        QCOMPARE(again->imported, 0);
        QCOMPARE(again->issues.size(), 1);
        QVERIFY(again->issues.first().message.contains(QStringLiteral("known already")));
        // A file without the columns is refused as a whole.
        auto headless = importCsv("foo,bar\n1,2\n");
        QVERIFY(!headless);
        QVERIFY2(headless.errorMessage().contains(QStringLiteral("iccid")), qPrintable(headless.errorMessage()));
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM activation_code")), QStringLiteral("2"));
    }

    void serverDownFailsEachDeviceAndKeepsItsCode()
    {
        // A port nobody listens on.
        quint16 closed = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closed = probe.serverPort();
        }
        TlsFixture tls(QStringLiteral("Remote TLS"));
        recordRemote(closed, tls.root.certificate);
        // Codes for four of the six devices: two bound to their EIDs, two in the pool.
        QByteArray csv = "eid,iccid,activation_code\n";
        for (int i = 0; i < 4; ++i)
            csv += (i < 2 ? m_eids.at(i).toLatin1() : QByteArray()) + "," + iccidNumber(10 + i).toLatin1() + ",1$localhost:"
                + QByteArray::number(closed) + "$CODE-" + QByteArray::number(i) + "\n";
        QVERIFY(importCsv(csv));

        auto summary = provision();
        QVERIFY2(summary, qPrintable(summary.errorMessage()));
        QStringList got = reasons();
        QCOMPARE(got.count(QStringLiteral("failed:profile-server-unreachable")), 4);
        QCOMPARE(got.count(QStringLiteral("failed:no-activation-code")), 2);
        // The devices with their own code got it; the profile rows hold only the ICCID, and stay
        // reserved for a retry (the server never saw the code).
        QCOMPARE(scalar(QStringLiteral("SELECT p.iccid FROM activation_code ac JOIN profile p ON p.id = ac.profile_id"
                                       " WHERE ac.eid = '%1'").arg(m_eids.at(0))),
                 iccidNumber(10));
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM profile WHERE operator_id = %1 AND state = 'allocated' AND imsi IS NULL"
                                       " AND ki_sealed IS NULL").arg(m_home.id)),
                 QStringLiteral("4"));
        // Nothing reached any device.
        for (const QString &eid : std::as_const(m_eids))
            QVERIFY(m_field->device(eid)->listProfiles().value().isEmpty());
        QSqlDatabase db = m_ws->database();
        QVERIFY(store::AuditLog::verify(db).value().intact);

        // A retry takes the same codes again: no second profile row, no code used twice.
        CampaignService service(*m_ws, *m_field);
        QVERIFY(service.retryFailed(testing::ownerOf(*m_ws), m_campaign));
        QVERIFY(service.run(testing::ownerOf(*m_ws), m_campaign));
        QCOMPARE(reasons().count(QStringLiteral("failed:profile-server-unreachable")), 4);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM profile WHERE operator_id = %1").arg(m_home.id)), QStringLiteral("4"));
    }

    void serverNotTheRecordedOneIsRefused()
    {
        // The server presents a certificate of another root than the one recorded.
        TlsFixture recorded(QStringLiteral("Recorded TLS"));
        TlsFixture impostor(QStringLiteral("Impostor TLS"));
        auto server = profiles::ProfileServer::ofOperator(*m_ws, m_home);
        QVERIFY(server);
        ServerThread thread(std::move(server).value(), *m_clock, impostor.identity);
        QVERIFY(thread.port() != 0);
        recordRemote(thread.port(), recorded.root.certificate);
        QVERIFY(importCsv("eid,iccid,activation_code\n" + m_eids.at(0).toLatin1() + "," + iccidNumber(20).toLatin1() + ",1$localhost:"
                          + QByteArray::number(thread.port()) + "$CODE-X\n"));
        m_devices = { m_devices.at(0) };
        auto summary = provision();
        QVERIFY2(summary, qPrintable(summary.errorMessage()));
        QCOMPARE(reasons(), QStringList({ QStringLiteral("failed:profile-server-untrusted") }));
        QCOMPARE(thread.service().openSessions(), 0);
        QVERIFY(m_field->device(m_eids.at(0))->listProfiles().value().isEmpty());
    }

    void serverThatRefusesSpendsTheCode()
    {
        // The right server, but it has no order for the code (ES9+ answers with an error status).
        TlsFixture tls(QStringLiteral("Remote TLS"));
        auto server = profiles::ProfileServer::ofOperator(*m_ws, m_home);
        QVERIFY(server);
        ServerThread thread(std::move(server).value(), *m_clock, tls.identity);
        recordRemote(thread.port(), tls.root.certificate);
        QVERIFY(importCsv("eid,iccid,activation_code\n" + m_eids.at(0).toLatin1() + "," + iccidNumber(30).toLatin1() + ",1$localhost:"
                          + QByteArray::number(thread.port()) + "$NO-SUCH-ORDER\n"));
        m_devices = { m_devices.at(0) };
        auto summary = provision();
        QVERIFY2(summary, qPrintable(summary.errorMessage()));
        QCOMPARE(reasons(), QStringList({ QStringLiteral("failed:profile-server-refused") }));
        // Spent: the profile row is deleted, so a retry would take another code.
        QCOMPARE(scalar(QStringLiteral("SELECT state FROM profile WHERE iccid = '%1'").arg(iccidNumber(30))), QStringLiteral("deleted"));
        QVERIFY(m_field->device(m_eids.at(0))->listProfiles().value().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRemoteProfileServer)
#include "tst_remoteprofileserver.moc"
