// `simfleet-cli profile-server` as its users run it: the refusals (no TLS, an expired TLS
// certificate), then the real process serving a demo operator's profile server on a loopback
// port, a simulated eUICC of the demo field authenticating it over HTTPS, and SIGTERM ending it.
#include "crypto/demopki.h"
#include "net/es9plusclient.h"
#include "net/es9plusdownload.h"
#include "simulation/simulatedfield.h"

#include "clirun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace simfleet;

class TestProfileServerCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_operator;
    QString m_eid;
    crypto::CertifiedKey m_tlsRoot;

    QString ws() const { return m_dir.filePath(QStringLiteral("demo.simfleet")); }
    testing::CliRun cli(const QStringList &arguments) const { return testing::runCli(QStringLiteral(SIMFLEET_CLI), arguments, {}); }

private slots:
    void initTestCase();
    void refusesWithoutTls();
    void refusesExpiredCertificate();
    void servesUntilTerminated();
};

void TestProfileServerCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const auto init = cli({ QStringLiteral("-w"), ws(), QStringLiteral("init"), QStringLiteral("--demo") });
    QVERIFY2(init.exitCode == 0, init.err.constData());
    const auto operators = cli({ QStringLiteral("-w"), ws(), QStringLiteral("operators") });
    QCOMPARE(operators.exitCode, 0);
    m_operator = QJsonDocument::fromJson(operators.out).array().first().toObject().value(QStringLiteral("name")).toString();
    QVERIFY(!m_operator.isEmpty());
    const auto devices = cli({ QStringLiteral("-w"), ws(), QStringLiteral("devices") });
    QCOMPARE(devices.exitCode, 0);
    m_eid = QJsonDocument::fromJson(devices.out).array().first().toObject().value(QStringLiteral("eid")).toString();
    QVERIFY(!m_eid.isEmpty());

    // A TLS identity for "localhost" under a TLS root of the test's own.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_tlsRoot = crypto::demopki::createCertificateIssuer(QStringLiteral("CLI TLS"), { now.addDays(-1), now.addDays(30) }).value();
    const auto leaf = crypto::demopki::createProfileServer(m_tlsRoot, QStringLiteral("Demo"), QStringLiteral("SE"), QStringLiteral("localhost"),
                                                           { now.addDays(-1), now.addDays(30) })
                          .value();
    QFile cert(m_dir.filePath(QStringLiteral("tls.pem")));
    QVERIFY(cert.open(QIODevice::WriteOnly));
    cert.write(leaf.certificate.toPem());
    cert.close();
    QFile key(m_dir.filePath(QStringLiteral("tls.key")));
    QVERIFY(key.open(QIODevice::WriteOnly));
    key.write(leaf.key.toPem().view().toByteArray());
    key.close();
}

void TestProfileServerCli::refusesWithoutTls()
{
    const auto plain = cli({ QStringLiteral("-w"), ws(), QStringLiteral("profile-server"), QStringLiteral("--operator"), m_operator,
                             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    QCOMPARE(plain.exitCode, 2);
    QVERIFY2(plain.err.contains("HTTPS only"), plain.err.constData());
    const auto badListen = cli({ QStringLiteral("-w"), ws(), QStringLiteral("profile-server"), QStringLiteral("--operator"), m_operator,
                                 QStringLiteral("--listen"), QStringLiteral("localhost"), QStringLiteral("--tls-cert"),
                                 m_dir.filePath(QStringLiteral("tls.pem")), QStringLiteral("--tls-key"), m_dir.filePath(QStringLiteral("tls.key")) });
    QCOMPARE(badListen.exitCode, 2);
}

void TestProfileServerCli::refusesExpiredCertificate()
{
    // SGP.26's CERT_S_SM_DP_TLS_NIST expired on 2 August 2026; the test runs after that.
    if (QDateTime::currentDateTimeUtc() < QDateTime(QDate(2026, 8, 3), QTime(0, 0), Qt::UTC))
        QSKIP("the SGP.26 TLS certificate has not expired yet on this machine's clock");
    const QString dir = QStringLiteral(SIMFLEET_SGP26 "/DPtls/");
    const auto expired = cli({ QStringLiteral("-w"), ws(), QStringLiteral("profile-server"), QStringLiteral("--operator"), m_operator,
                               QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--tls-cert"),
                               dir + QStringLiteral("CERT_S_SM_DP_TLS_NIST.pem"), QStringLiteral("--tls-key"),
                               dir + QStringLiteral("SK_S_SM_DP_TLS_NIST.pem") });
    QCOMPARE(expired.exitCode, 1);
    QVERIFY2(expired.err.contains("expired on 2026-08-02"), expired.err.constData());
    QVERIFY(expired.out.isEmpty()); // it never said it listens
}

void TestProfileServerCli::servesUntilTerminated()
{
    QProcess server;
    server.setProgram(QStringLiteral(SIMFLEET_CLI));
    server.setArguments({ QStringLiteral("-w"), ws(), QStringLiteral("profile-server"), QStringLiteral("--operator"), m_operator,
                          QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--address"),
                          QStringLiteral("smdp.demo.example"), QStringLiteral("--tls-cert"), m_dir.filePath(QStringLiteral("tls.pem")),
                          QStringLiteral("--tls-key"), m_dir.filePath(QStringLiteral("tls.key")) });
    server.setStandardInputFile(QProcess::nullDevice());
    server.start();
    QVERIFY(server.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(server.canReadLine() || server.state() != QProcess::Running, 60000);
    const QJsonObject ready = QJsonDocument::fromJson(server.readLine()).object();
    QVERIFY2(ready.value(QStringLiteral("listening")).toString().startsWith(QStringLiteral("127.0.0.1:")), server.readAllStandardError().constData());
    QCOMPARE(ready.value(QStringLiteral("address")).toString(), QStringLiteral("smdp.demo.example"));
    const QString port = ready.value(QStringLiteral("listening")).toString().section(u':', 1);

    net::Es9PlusClient client(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)), { QSslCertificate(m_tlsRoot.certificate.toPem()) },
                              QStringLiteral("localhost"), std::chrono::seconds(20));
    // The address the server was told to be is the one it checks.
    auto field = simulation::SimulatedField::openForWorkspace(ws());
    QVERIFY2(field, qPrintable(field.errorMessage()));
    auto link = field.value()->linkTo(m_eid);
    QVERIFY(link);
    auto wrongAddress = net::downloadThroughEs9Plus(client, *link, QStringLiteral("smdp.other.example"), std::chrono::seconds(10));
    QVERIFY(!wrongAddress);
    QVERIFY2(wrongAddress.errorMessage().contains(QStringLiteral("8.8.1")), qPrintable(wrongAddress.errorMessage()));
    // The eUICC authenticates the operator's server with the workspace's keys, the server
    // authenticates the eUICC; no order was placed for it (ES2+ comes later), so 8.1.1 / 3.8.
    auto unordered = net::downloadThroughEs9Plus(client, *link, QStringLiteral("smdp.demo.example"), std::chrono::seconds(10));
    QVERIFY(!unordered);
    QVERIFY2(unordered.errorMessage().contains(QStringLiteral("8.1.1/3.8")), qPrintable(unordered.errorMessage()));
    // A hostile body leaves it answering.
    auto malformed = client.post(protocol::es9plus::functionPath(protocol::es9plus::Function::InitiateAuthentication), "{");
    QVERIFY2(malformed, qPrintable(malformed.errorMessage()));
    QCOMPARE(malformed->status, 200);

    ::kill(pid_t(server.processId()), SIGTERM);
    QVERIFY(server.waitForFinished(20000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestProfileServerCli)
#include "tst_profileservercli.moc"
