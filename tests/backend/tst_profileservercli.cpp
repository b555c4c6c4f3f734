// `simfleet-cli profile-server` as its users run it: the refusals (no TLS, an expired TLS
// certificate, ES2+ options that do not fit), then the real process serving a demo operator's
// profile server on a loopback port, a simulated eUICC of the demo field authenticating it over
// HTTPS, and SIGTERM ending it; with ES2+, the operator orders over mutual TLS, the eUICC
// downloads with the Matching ID, and the operator's own server hears how it went.
#include "crypto/demopki.h"
#include "net/es2plusclient.h"
#include "net/es9plusclient.h"
#include "net/es9plusdownload.h"
#include "net/rsphttpserver.h"
#include "net/tlsidentity.h"
#include "protocol/es2plus.h"
#include "protocol/activationcode.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"

#include "clirun.h"

#include <QFile>
#include <QJsonArray>
#include <QMutex>
#include <QJsonDocument>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QProcess>
#include <QTcpServer>
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

    crypto::CertifiedKey m_operatorRoot; // the operator's TLS: its ES2+ client and its own server
    net::TlsIdentity m_operatorIdentity;

    QString ws() const { return m_dir.filePath(QStringLiteral("demo.simfleet")); }
    testing::CliRun cli(const QStringList &arguments) const { return testing::runCli(QStringLiteral(SIMFLEET_CLI), arguments, {}); }
    QStringList serve(const QStringList &more) const
    {
        return QStringList { QStringLiteral("-w"), ws(), QStringLiteral("profile-server"), QStringLiteral("--operator"), m_operator,
                             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--tls-cert"),
                             m_dir.filePath(QStringLiteral("tls.pem")), QStringLiteral("--tls-key"), m_dir.filePath(QStringLiteral("tls.key")) }
            + more;
    }
    void writeFile(const QString &name, const QByteArray &bytes) const
    {
        QFile file(m_dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }

private slots:
    void initTestCase();
    void refusesWithoutTls();
    void refusesExpiredCertificate();
    void refusesEs2PlusMisuse_data();
    void refusesEs2PlusMisuse();
    void servesUntilTerminated();
    void servesEs2PlusToTheOperator();
    void downloadsWithTheSgp26Certificates();
    void campaignThroughTheOperatorsOwnServer();

private:
    // A small demo workspace (six healthy meters in "Rheinau smart meters") and a copy of it: the
    // operator's own simfleet, whose profile server the first one's campaigns reach.
    struct Pair
    {
        QString ours;
        QString operators;
        QStringList eids;
    };
    Pair smallPair(const QString &name);
    // `profile-server` on the copy at 127.0.0.1:PORT, named localhost:PORT (its TLS certificate's
    // name), with ES2+ for the operator; the ready line's members.
    QJsonObject startServer(QProcess &server, const QString &workspace);
    // The operator orders and releases a profile for each EID over ES2+: EID, ICCID, activation code.
    QList<QStringList> order(const QJsonObject &ready, const QStringList &eids);
};

void TestProfileServerCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const auto init = cli({ QStringLiteral("-w"), ws(), QStringLiteral("init"), QStringLiteral("--demo"),
                            QStringLiteral("--without-stories") });
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

    // The operator's TLS root (--es2plus-client-ca), its client identity, and a file that is no
    // certificate.
    m_operatorRoot = crypto::demopki::createCertificateIssuer(QStringLiteral("Operator TLS"), { now.addDays(-1), now.addDays(30) }).value();
    const auto operatorLeaf = crypto::demopki::createProfileServer(m_operatorRoot, QStringLiteral("Operator"), QStringLiteral("SE"),
                                                                   QStringLiteral("localhost"), { now.addDays(-1), now.addDays(30) })
                                  .value();
    m_operatorIdentity = net::TlsIdentity::fromPem(operatorLeaf.certificate.toPem(), operatorLeaf.key.toPem().view().toByteArray(), now).value();
    writeFile(QStringLiteral("operator-ca.pem"), m_operatorRoot.certificate.toPem());
    writeFile(QStringLiteral("not-a-ca.pem"), "-----BEGIN NOTHING-----\n");
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

void TestProfileServerCli::refusesEs2PlusMisuse_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString ca = QStringLiteral("--es2plus-client-ca");
    const QString caFile = m_dir.filePath(QStringLiteral("operator-ca.pem"));
    QTest::newRow("CA without ES2+") << QStringList { ca, caFile } << 2 << QStringLiteral("go with --es2plus");
    QTest::newRow("notify without ES2+") << QStringList { QStringLiteral("--es2plus-notify"), QStringLiteral("https://localhost:9") } << 2
                                         << QStringLiteral("go with --es2plus");
    QTest::newRow("ES2+ without its CA") << QStringList { QStringLiteral("--es2plus"), QStringLiteral("127.0.0.1:0") } << 2
                                         << QStringLiteral("mutual TLS");
    QTest::newRow("ES2+ at no address") << QStringList { QStringLiteral("--es2plus"), QStringLiteral("everywhere"), ca, caFile } << 2
                                        << QStringLiteral("--es2plus takes an IP address and a port");
    QTest::newRow("notify in clear") << QStringList { QStringLiteral("--es2plus"), QStringLiteral("127.0.0.1:0"), ca, caFile,
                                                      QStringLiteral("--es2plus-notify"), QStringLiteral("http://localhost:9") }
                                     << 2 << QStringLiteral("https://HOST:PORT");
    QTest::newRow("CA file without a certificate") << QStringList { QStringLiteral("--es2plus"), QStringLiteral("127.0.0.1:0"), ca,
                                                                    m_dir.filePath(QStringLiteral("not-a-ca.pem")) }
                                                   << 1 << QStringLiteral("holds no certificate");
    QTest::newRow("CA file missing") << QStringList { QStringLiteral("--es2plus"), QStringLiteral("127.0.0.1:0"), ca,
                                                      m_dir.filePath(QStringLiteral("missing.pem")) }
                                     << 1 << QStringLiteral("cannot read the ES2+ client CA file");
}

void TestProfileServerCli::refusesEs2PlusMisuse()
{
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const auto run = cli(serve(options));
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(run.err.contains(message.toUtf8()), run.err.constData());
    QVERIFY(run.out.isEmpty()); // it never said it listens
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

void TestProfileServerCli::servesEs2PlusToTheOperator()
{
    namespace es2 = protocol::es2plus;
    // The operator's own server for handleDownloadProgressInfo, which takes the profile server's
    // TLS certificate only.
    QMutex mutex;
    QList<es2::HandleDownloadProgressInfoRequest> progress;
    net::RspHttpServer operatorServer({ QStringLiteral("operator ES2+"), QStringLiteral("es2plus"), es2::maxRequestBytes,
                                        [&](const QString &name) -> net::FunctionCall {
                                            if (name != es2::functionName(es2::Function::HandleDownloadProgressInfo))
                                                return {};
                                            return [&](const QByteArray &body) -> std::optional<QByteArray> {
                                                auto parsed = es2::HandleDownloadProgressInfoRequest::fromJson(body);
                                                QMutexLocker lock(&mutex);
                                                if (auto *info = std::get_if<es2::HandleDownloadProgressInfoRequest>(&parsed))
                                                    progress.append(*info);
                                                return std::nullopt;
                                            };
                                        } });
    operatorServer.setTlsIdentity(m_operatorIdentity);
    operatorServer.requireClientCertificates({ QSslCertificate(m_tlsRoot.certificate.toPem()) });
    const quint16 operatorPort = operatorServer.listen(QHostAddress::LocalHost, 0).value();

    const auto allocatedNumbers = [this] {
        const auto operators = cli({ QStringLiteral("-w"), ws(), QStringLiteral("operators") });
        for (const QJsonValue &op : QJsonDocument::fromJson(operators.out).array()) {
            if (op.toObject().value(QStringLiteral("name")).toString() == m_operator)
                return op.toObject().value(QStringLiteral("iccid_range")).toObject().value(QStringLiteral("allocated")).toInt();
        }
        return -1;
    };
    const int allocated = allocatedNumbers();

    QProcess server;
    server.setProgram(QStringLiteral(SIMFLEET_CLI));
    server.setArguments(serve({ QStringLiteral("--address"), QStringLiteral("smdp.demo.example"), QStringLiteral("--es2plus"),
                                QStringLiteral("127.0.0.1:0"), QStringLiteral("--es2plus-client-ca"),
                                m_dir.filePath(QStringLiteral("operator-ca.pem")), QStringLiteral("--es2plus-notify"),
                                QStringLiteral("https://localhost:%1").arg(operatorPort) }));
    server.setStandardInputFile(QProcess::nullDevice());
    server.start();
    QVERIFY(server.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(server.canReadLine() || server.state() != QProcess::Running, 60000);
    const QJsonObject ready = QJsonDocument::fromJson(server.readLine()).object();
    const QString es2Listening = ready.value(QStringLiteral("es2plusListening")).toString();
    QVERIFY2(es2Listening.startsWith(QStringLiteral("127.0.0.1:")), server.readAllStandardError().constData());
    QCOMPARE(ready.value(QStringLiteral("es2plusUrl")).toString(), QStringLiteral("https://%1/gsma/rsp2/es2plus/").arg(es2Listening));
    QCOMPARE(ready.value(QStringLiteral("es2plusNotify")).toString(), QStringLiteral("https://localhost:%1").arg(operatorPort));
    QVERIFY(ready.value(QStringLiteral("listening")).toString() != es2Listening);

    // The operator orders a profile for the demo device and confirms it.
    const QList<QSslCertificate> simfleetRoot { QSslCertificate(m_tlsRoot.certificate.toPem()) };
    net::Es2PlusClient operatorClient(QUrl(QStringLiteral("https://%1").arg(es2Listening)), simfleetRoot, m_operatorIdentity,
                                      QStringLiteral("localhost"), std::chrono::seconds(20));
    auto iccid = operatorClient.downloadOrder({ { QStringLiteral("ops"), QStringLiteral("1") }, m_eid, {}, {} });
    QVERIFY2(iccid, qPrintable(iccid.errorMessage()));
    es2::ConfirmOrderRequest confirm;
    confirm.header = { QStringLiteral("ops"), QStringLiteral("2") };
    confirm.iccid = iccid.value();
    confirm.releaseFlag = true;
    auto confirmed = operatorClient.confirmOrder(confirm);
    QVERIFY2(confirmed, qPrintable(confirmed.errorMessage()));
    QCOMPARE(confirmed->smdpAddress, QStringLiteral("smdp.demo.example"));
    QCOMPARE(confirmed->eid, m_eid);

    // The demo eUICC downloads it with the activation code: the operator's numbers, once.
    net::Es9PlusClient es9(QUrl(QStringLiteral("https://%1").arg(ready.value(QStringLiteral("listening")).toString())), simfleetRoot,
                           QStringLiteral("localhost"), std::chrono::seconds(20));
    auto field = simulation::SimulatedField::openForWorkspace(ws());
    QVERIFY2(field, qPrintable(field.errorMessage()));
    auto link = field.value()->linkTo(m_eid);
    auto installed = net::downloadThroughEs9Plus(es9, *link, confirmed->smdpAddress, std::chrono::seconds(10), confirmed->matchingId);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(installed.value(), iccid.value());
    auto again = net::downloadThroughEs9Plus(es9, *link, confirmed->smdpAddress, std::chrono::seconds(10), confirmed->matchingId);
    QVERIFY(!again);
    QVERIFY2(again.errorMessage().contains(QStringLiteral("8.2.6/3.8")), qPrintable(again.errorMessage()));
    // A client without the operator's certificate gets nowhere.
    net::RspHttpsClient anonymous(QUrl(QStringLiteral("https://%1").arg(es2Listening)), simfleetRoot, QStringLiteral("localhost"),
                                  std::chrono::seconds(10));
    QVERIFY(!anonymous.post(es2::functionPath(es2::Function::DownloadOrder), "{}"));

    // The operator heard eligibility, the package and the installation.
    QTRY_VERIFY_WITH_TIMEOUT([&] { QMutexLocker lock(&mutex); return progress.size() == 3; }(), 20000);
    {
        QMutexLocker lock(&mutex);
        QCOMPARE(progress.last().notificationPointId, int(es2::NotificationPoint::BppInstallation));
        QCOMPARE(progress.last().iccid, iccid.value());
        QCOMPARE(progress.last().header.functionRequesterIdentifier, QStringLiteral("smdp.demo.example"));
    }

    ::kill(pid_t(server.processId()), SIGTERM);
    QVERIFY(server.waitForFinished(20000));
    QCOMPARE(server.exitCode(), 0);
    // The number is the operator's for good, and the audit log says who ordered it.
    QCOMPARE(allocatedNumbers(), allocated + 1);
    const auto verify = cli({ QStringLiteral("-w"), ws(), QStringLiteral("audit"), QStringLiteral("verify") });
    QVERIFY2(verify.exitCode == 0, verify.err.constData());
}

TestProfileServerCli::Pair TestProfileServerCli::smallPair(const QString &name)
{
    Pair pair { m_dir.filePath(name + QStringLiteral(".simfleet")), m_dir.filePath(name + QStringLiteral("-operator.simfleet")), {} };
    {
        auto ws = simulation::DemoWorkspace::create(pair.ours, nullptr, { 6, 0, 0, false });
        if (!ws)
            qWarning("%s", qPrintable(ws.errorMessage()));
    }
    for (const auto &[from, to] : { std::pair { pair.ours, pair.operators },
                                    std::pair { store::Workspace::keyFilePath(pair.ours), store::Workspace::keyFilePath(pair.operators) } })
        QFile::copy(from, to);
    const auto devices = cli({ QStringLiteral("-w"), pair.ours, QStringLiteral("devices") });
    for (const QJsonValue &d : QJsonDocument::fromJson(devices.out).array())
        pair.eids.append(d.toObject().value(QStringLiteral("eid")).toString());
    return pair;
}

QJsonObject TestProfileServerCli::startServer(QProcess &server, const QString &workspace)
{
    // A free port, so the server can be told its name with the port before it listens.
    quint16 port = 0;
    {
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, 0))
            port = probe.serverPort();
    }
    server.setProgram(QStringLiteral(SIMFLEET_CLI));
    server.setArguments({ QStringLiteral("-w"), workspace, QStringLiteral("profile-server"), QStringLiteral("--operator"), m_operator,
                          QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--address"),
                          QStringLiteral("localhost:%1").arg(port), QStringLiteral("--tls-cert"), m_dir.filePath(QStringLiteral("tls.pem")),
                          QStringLiteral("--tls-key"), m_dir.filePath(QStringLiteral("tls.key")), QStringLiteral("--es2plus"),
                          QStringLiteral("127.0.0.1:0"), QStringLiteral("--es2plus-client-ca"),
                          m_dir.filePath(QStringLiteral("operator-ca.pem")) });
    server.setStandardInputFile(QProcess::nullDevice());
    server.start();
    if (!server.waitForStarted())
        return {};
    QElapsedTimer waited;
    waited.start();
    while (!server.canReadLine() && server.state() == QProcess::Running && waited.elapsed() < 60000)
        server.waitForReadyRead(1000);
    const QJsonObject ready = QJsonDocument::fromJson(server.readLine()).object();
    if (ready.isEmpty())
        qWarning("profile-server: %s", server.readAllStandardError().constData());
    return ready;
}

QList<QStringList> TestProfileServerCli::order(const QJsonObject &ready, const QStringList &eids)
{
    net::Es2PlusClient operatorClient(QUrl(QStringLiteral("https://%1").arg(ready.value(QStringLiteral("es2plusListening")).toString())),
                                      { QSslCertificate(m_tlsRoot.certificate.toPem()) }, m_operatorIdentity, QStringLiteral("localhost"),
                                      std::chrono::seconds(20));
    QList<QStringList> rows;
    for (const QString &eid : eids) {
        auto iccid = operatorClient.downloadOrder({ { QStringLiteral("ops"), eid }, eid, {}, {} });
        if (!iccid) {
            qWarning("downloadOrder: %s", qPrintable(iccid.errorMessage()));
            return {};
        }
        protocol::es2plus::ConfirmOrderRequest confirm;
        confirm.header = { QStringLiteral("ops"), eid + QStringLiteral("-confirm") };
        confirm.iccid = iccid.value();
        confirm.eid = eid;
        confirm.releaseFlag = true;
        auto confirmed = operatorClient.confirmOrder(confirm);
        if (!confirmed) {
            qWarning("confirmOrder: %s", qPrintable(confirmed.errorMessage()));
            return {};
        }
        rows.append({ eid, iccid.value(), QStringLiteral("1$%1$%2").arg(confirmed->smdpAddress, confirmed->matchingId) });
    }
    return rows;
}

void TestProfileServerCli::downloadsWithTheSgp26Certificates()
{
    // The operator's profile server runs with the GSMA SGP.26 test SM-DP+ keys (CERT.DPauth and
    // CERT.DPpb under the SGP.26 test CI), imported as any operator's would be. The eUICC carries
    // the test CI's key for verifying servers beside its own CI's, under which it signs (SGP.26
    // publishes no EUM key to certify an eUICC with).
    const Pair pair = smallPair(QStringLiteral("sgp26"));
    QCOMPARE(pair.eids.size(), 6);
    const QString sgp26 = QStringLiteral(SIMFLEET_SGP26);
    const auto trusted = cli({ QStringLiteral("-w"), pair.operators, QStringLiteral("trust"), QStringLiteral("add"), QStringLiteral("--issuer"),
                               sgp26 + QStringLiteral("/CertificateIssuer/CERT_CI_ECDSA_NIST.pem") });
    QVERIFY2(trusted.exitCode == 0, trusted.err.constData());
    const auto imported = cli({ QStringLiteral("-w"), pair.operators, QStringLiteral("operators"), QStringLiteral("set-profile-server"), m_operator,
                                QStringLiteral("--auth-cert"), sgp26 + QStringLiteral("/DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der"),
                                QStringLiteral("--auth-key"), sgp26 + QStringLiteral("/DPauth/SK_S_SM_DPauth_ECDSA_NIST.pem"),
                                QStringLiteral("--binding-cert"), sgp26 + QStringLiteral("/DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der"),
                                QStringLiteral("--binding-key"), sgp26 + QStringLiteral("/DPpb/SK_S_SM_DPpb_ECDSA_NIST.pem") });
    QVERIFY2(imported.exitCode == 0, imported.err.constData());

    QProcess server;
    const QJsonObject ready = startServer(server, pair.operators);
    QVERIFY(!ready.isEmpty());
    const QList<QStringList> codes = order(ready, pair.eids.mid(0, 1));
    QCOMPARE(codes.size(), 1);
    auto code = protocol::ActivationCode::parse(codes.first().at(2));
    QVERIFY2(code, qPrintable(code.errorMessage()));

    auto field = simulation::SimulatedField::openForWorkspace(pair.ours);
    QVERIFY2(field, qPrintable(field.errorMessage()));
    net::Es9PlusClient es9(QUrl(QStringLiteral("https://%1").arg(ready.value(QStringLiteral("listening")).toString())),
                           { QSslCertificate(m_tlsRoot.certificate.toPem()) }, QStringLiteral("localhost"), std::chrono::seconds(20));
    auto link = field.value()->linkTo(pair.eids.first());
    // An eUICC without the test CI's key cannot authenticate a server it certified, and says so.
    auto refused = net::downloadThroughEs9Plus(es9, *link, code->smdpAddress, std::chrono::seconds(10), code->matchingId);
    QVERIFY(!refused);
    QVERIFY2(refused.errorMessage().contains(QStringLiteral("trusts no certificate issuer")), qPrintable(refused.errorMessage()));
    QFile ciFile(sgp26 + QStringLiteral("/CertificateIssuer/CERT_CI_ECDSA_NIST.pem"));
    QVERIFY(ciFile.open(QIODevice::ReadOnly));
    auto testCi = crypto::Certificate::fromPem(ciFile.readAll());
    QVERIFY(testCi);
    field.value()->alsoVerifyWith(testCi.value());
    auto installed = net::downloadThroughEs9Plus(es9, *link, code->smdpAddress, std::chrono::seconds(10), code->matchingId);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(installed.value(), codes.first().at(1));
    const auto held = field.value()->device(pair.eids.first())->listProfiles();
    QVERIFY(held && held->size() == 1 && held->first().iccid == codes.first().at(1));

    ::kill(pid_t(server.processId()), SIGTERM);
    QVERIFY(server.waitForFinished(20000));
    QCOMPARE(server.exitCode(), 0);
}

void TestProfileServerCli::campaignThroughTheOperatorsOwnServer()
{
    // The operator runs its own simfleet's profile server as a separate process; ours records it
    // (address and TLS root), imports the activation codes the operator ordered for our devices,
    // and provisions the fleet through it: every download relayed over HTTPS to that process.
    const Pair pair = smallPair(QStringLiteral("relay"));
    QCOMPARE(pair.eids.size(), 6);
    QProcess server;
    const QJsonObject ready = startServer(server, pair.operators);
    QVERIFY(!ready.isEmpty());
    const QString address = ready.value(QStringLiteral("address")).toString();
    QVERIFY(address.startsWith(QStringLiteral("localhost:")));
    // Codes for five of the six: the sixth is reported without one, and the others go on.
    const QList<QStringList> codes = order(ready, pair.eids.mid(0, 5));
    QCOMPARE(codes.size(), 5);
    QByteArray csv = "eid,iccid,activation_code\n";
    for (const QStringList &row : codes)
        csv += row.join(u',').toLatin1() + '\n';
    writeFile(QStringLiteral("codes.csv"), csv);
    writeFile(QStringLiteral("tls-root.pem"), m_tlsRoot.certificate.toPem());

    const QStringList ours { QStringLiteral("-w"), pair.ours };
    auto run = cli(ours + QStringList { QStringLiteral("operators"), QStringLiteral("set-profile-server"), m_operator, QStringLiteral("--address"),
                                        address, QStringLiteral("--root"), m_dir.filePath(QStringLiteral("tls-root.pem")) });
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = cli(ours + QStringList { QStringLiteral("operators"), QStringLiteral("activation-codes"), m_operator, QStringLiteral("--import"),
                                   m_dir.filePath(QStringLiteral("codes.csv")) });
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QStringLiteral("imported")).toInt(), 5);
    QVERIFY(!run.out.contains(codes.first().at(2).section(u'$', 2).toLatin1())); // never the matching ID

    run = cli(ours + QStringList { QStringLiteral("provision"), QStringLiteral("--fleet"), QStringLiteral("Rheinau smart meters"),
                                   QStringLiteral("--operator"), m_operator, QStringLiteral("--timeout"), QStringLiteral("10") });
    QVERIFY2(run.exitCode == 0, run.err.constData());
    run = cli(ours + QStringList { QStringLiteral("profiles") });
    QCOMPARE(run.exitCode, 0);
    QStringList enabled;
    for (const QJsonValue &p : QJsonDocument::fromJson(run.out).array()) {
        const QJsonObject o = p.toObject();
        if (o.value(QStringLiteral("state")).toString() == u"enabled") {
            enabled.append(o.value(QStringLiteral("eid")).toString() + u',' + o.value(QStringLiteral("iccid")).toString());
            QVERIFY(o.value(QStringLiteral("imsi")).toString().isEmpty()); // the operator's to know
        }
    }
    enabled.sort();
    QStringList expected;
    for (const QStringList &row : codes)
        expected.append(row.at(0) + u',' + row.at(1));
    expected.sort();
    QCOMPARE(enabled, expected);
    run = cli(ours + QStringList { QStringLiteral("campaigns"), QStringLiteral("--report"), QStringLiteral("1") });
    QVERIFY2(run.out.contains("no-activation-code"), run.out.constData());

    ::kill(pid_t(server.processId()), SIGTERM);
    QVERIFY(server.waitForFinished(20000));
    QCOMPARE(server.exitCode(), 0);
    run = cli(ours + QStringList { QStringLiteral("audit"), QStringLiteral("verify") });
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

QTEST_GUILESS_MAIN(TestProfileServerCli)
#include "tst_profileservercli.moc"
