// ES9+ over real HTTPS on a loopback port (SGP.22 section 6.1 and 6.2; TLS after section 2.6.6):
// a download into a simulated eUICC through the served profile server, the hostile requests
// that must leave it answering, a client that trusts only the root it is given, and a TLS
// certificate refused when it expired (SGP.26's CERT_S_SM_DP_TLS_NIST).
#include "net/es9plusclient.h"
#include "net/es9plusdownload.h"
#include "net/es9plushttpserver.h"
#include "net/tlsidentity.h"

#include "es9tls.h"
#include "es9world.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSslSocket>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <QTest>

using namespace simfleet;
using namespace simfleet::testing::es9;

namespace {

// AddressSanitizer keeps freed memory resident in its quarantine: the process's growth then says
// nothing about what the server holds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool measuresMemory = false;
#else
constexpr bool measuresMemory = true;
#endif

// An HTTPS server on a loopback port the system picks, for one test.
struct Served
{
    net::Es9PlusHttpServer http;
    quint16 port = 0;

    Served(World &w, const TlsFixture &tls) : http(w.service)
    {
        http.setTlsIdentity(tls.identity);
        port = http.listen(QHostAddress::LocalHost, 0).value();
    }

    net::Es9PlusClient client(const TlsFixture &tls) const
    {
        return tls.client(port, patience);
    }
};


// The resident memory of this process (client and server both live in it), in bytes.
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * 4096 : 0;
}

// What a client saw that POSTed a body far over the limit, written a piece at a time as the
// socket took it (this side never holds the body), with a pause between pieces, cut off after
// cutAfter bytes (the connection aborted); one that listens stops sending at the answer.
struct HugeUpload
{
    QByteArray answer;      // what the server sent back, if anything
    qint64 sent = 0;        // body bytes written
    qint64 peakGrowth = 0;  // the most this process's resident memory grew meanwhile

    enum Client { Listening, Deaf };
    static HugeUpload post(const TlsFixture &tls, quint16 port, qint64 declared, qint64 cutAfter, qint64 piece, int pauseMs,
                           Client client)
    {
        HugeUpload out;
        QSslSocket socket;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates({ QSslCertificate(tls.root.certificate.toPem()) });
        socket.setSslConfiguration(configuration);
        socket.setPeerVerifyName(QStringLiteral("localhost"));
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        if (!QTest::qWaitFor([&socket] { return socket.isEncrypted(); }, 10000))
            return out;
        socket.write("POST " + functionPath(Function::AuthenticateClient).toLatin1()
                     + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Admin-Protocol: gsma/rsp/v2.5.0\r\n"
                       "Content-Length: "
                     + QByteArray::number(declared) + "\r\n\r\n");
        const QByteArray bytes(piece, ' ');
        const qint64 before = residentBytes();
        const qint64 last = std::min(declared, cutAfter);
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000 && socket.state() == QAbstractSocket::ConnectedState) {
            out.answer += socket.readAll();
            if (client == Listening && out.answer.contains("\r\n\r\n"))
                break;
            if (out.sent == last && socket.bytesToWrite() == 0 && last < declared)
                break; // all of the cut body is out: hang up midway
            if (out.sent < last && socket.bytesToWrite() < piece) {
                const qint64 n = std::min(piece, last - out.sent);
                socket.write(bytes.constData(), n);
                out.sent += n;
            }
            out.peakGrowth = std::max(out.peakGrowth, residentBytes() - before);
            if (pauseMs > 0)
                QTest::qWait(pauseMs);
            else
                QCoreApplication::processEvents();
        }
        // The answer's body may trail its headers.
        if (out.answer.contains("\r\n\r\n"))
            QTest::qWait(50);
        out.answer += socket.readAll();
        socket.abort();
        return out;
    }

    QByteArray statusLine() const { return answer.left(answer.indexOf("\r\n")); }
};
} // namespace

class TestEs9PlusHttps : public QObject
{
    Q_OBJECT

private slots:
    void expiredTlsCertificateRefused();
    void downloadOverHttps();
    void hostileHttpRequests();
    void clientRefusesUnknownServer();
    void clientsHangingUp();
    void concurrentDownloads();
    void hugeBodyRefused();
    void hugeBodyCutOff_data();
    void hugeBodyCutOff();
};

void TestEs9PlusHttps::expiredTlsCertificateRefused()
{
    // SGP.26's CERT_S_SM_DP_TLS_NIST expired on 2 August 2026.
    const QString dir = QStringLiteral(SIMFLEET_SGP26 "/DPtls/");
    auto identity = net::TlsIdentity::fromFiles(dir + QStringLiteral("CERT_S_SM_DP_TLS_NIST.pem"), dir + QStringLiteral("SK_S_SM_DP_TLS_NIST.pem"),
                                                QDateTime(QDate(2026, 12, 5), QTime(8, 0), Qt::UTC));
    QVERIFY(!identity);
    QVERIFY2(identity.errorMessage().contains(QStringLiteral("expired on 2026-08-02")), qPrintable(identity.errorMessage()));
    // The same pair was good before then, so it is the date that is refused.
    auto before = net::TlsIdentity::fromFiles(dir + QStringLiteral("CERT_S_SM_DP_TLS_NIST.pem"), dir + QStringLiteral("SK_S_SM_DP_TLS_NIST.pem"),
                                              QDateTime(QDate(2026, 1, 5), QTime(8, 0), Qt::UTC));
    QVERIFY2(before, qPrintable(before.errorMessage()));
    // A key that is not the certificate's.
    auto mismatched = net::TlsIdentity::fromFiles(dir + QStringLiteral("CERT_S_SM_DP_TLS_NIST.pem"), dir + QStringLiteral("SK_S_SM_DP2_TLS_NIST.pem"),
                                                  QDateTime(QDate(2026, 1, 5), QTime(8, 0), Qt::UTC));
    QVERIFY(!mismatched);
    QVERIFY(mismatched.errorMessage().contains(QStringLiteral("does not belong")));
}


void TestEs9PlusHttps::downloadOverHttps()
{
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    TlsFixture tls;
    Served served(*w, tls);
    net::Es9PlusClient client = served.client(tls);
    auto link = w->field->linkTo(w->eid);
    auto installed = net::downloadThroughEs9Plus(client, *link, w->server->address(), patience);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(installed.value(), iccid);
    // The server heard the installation result and checked it.
    QTRY_COMPARE(w->service->installations().size(), 1);
    QCOMPARE(w->service->installations().first().iccid, iccid);
    // A second download for the same EID has no order left.
    auto again = net::downloadThroughEs9Plus(client, *link, w->server->address(), patience);
    QVERIFY(!again);
    QVERIFY2(again.errorMessage().contains(QStringLiteral("8.1.1")), qPrintable(again.errorMessage()));
}


void TestEs9PlusHttps::hostileHttpRequests()
{
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    TlsFixture tls;
    Served served(*w, tls);
    net::Es9PlusClient client = served.client(tls);
    const QString authenticate = functionPath(Function::AuthenticateClient);

    // Function-level problems: HTTP 200 with the Failed status (SGP.22 section 6.2).
    auto malformed = client.post(authenticate, "{\"transactionId\":");
    QVERIFY2(malformed, qPrintable(malformed.errorMessage()));
    QCOMPARE(malformed->status, 200);
    QCOMPARE(malformed->contentType, QByteArrayLiteral("application/json;charset=UTF-8"));
    QCOMPARE(refusalOf(malformed->body).subjectCode, QStringLiteral("1.6"));
    auto badBase64 = client.post(authenticate, R"({"transactionId":"0A","authenticateServerResponse":"%%%"})");
    QCOMPARE(badBase64->status, 200);
    QCOMPARE(refusalOf(badBase64->body).subjectIdentifier, QStringLiteral("authenticateServerResponse"));
    auto truncated = client.post(authenticate, AuthenticateClientRequest { "\x0A", QByteArray::fromHex("bf3810a00e") }.toJson());
    QCOMPARE(truncated->status, 200);
    QCOMPARE(refusalOf(truncated->body).subjectCode, QStringLiteral("1.6"));
    const QByteArray stranger(16, '\x33');
    auto unknown = client.post(functionPath(Function::GetBoundProfilePackage),
                               GetBoundProfilePackageRequest { stranger, wellFormedPrepareDownloadResponse(stranger) }.toJson());
    QCOMPARE(unknown->status, 200);
    QCOMPARE(refusalOf(unknown->body).subjectCode, QStringLiteral("8.10.1"));
    auto notification = client.post(functionPath(Function::HandleNotification), "not json");
    QCOMPARE(notification->status, 204);

    // Transport-level problems: 4xx, no function run.
    auto wrongProtocol = client.post(authenticate, "{}", "application/json", "gsma/rsp/v1.0.0");
    QCOMPARE(wrongProtocol->status, 400);
    auto wrongType = client.post(authenticate, "{}", "text/plain");
    QCOMPARE(wrongType->status, 415);
    QCOMPARE(wrongType->contentType, QByteArrayLiteral("text/plain;charset=UTF-8"));
    auto noSuchFunction = client.post(QStringLiteral("/gsma/rsp2/es9plus/downloadOrder"), "{}");
    QCOMPARE(noSuchFunction->status, 404);
    auto oversized = client.post(authenticate, QByteArray(4 * 1024 * 1024, ' '));
    QVERIFY2(oversized, qPrintable(oversized.errorMessage()));
    QCOMPARE(oversized->status, 413);

    // And the server is still there for a real download.
    auto link = w->field->linkTo(w->eid);
    auto installed = net::downloadThroughEs9Plus(client, *link, w->server->address(), patience);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(w->service->openSessions(), 0);
}


void TestEs9PlusHttps::clientRefusesUnknownServer()
{
    auto w = world();
    TlsFixture tls;
    Served served(*w, tls);
    // Trusting another root: the handshake fails, and nothing is sent.
    const auto stranger = crypto::demopki::createCertificateIssuer(
                              QStringLiteral("Stranger"), { QDateTime::currentDateTimeUtc().addDays(-1), QDateTime::currentDateTimeUtc().addDays(1) })
                              .value();
    net::Es9PlusClient client(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(served.port)), { QSslCertificate(stranger.certificate.toPem()) },
                              QStringLiteral("localhost"), patience);
    auto reply = client.post(functionPath(Function::InitiateAuthentication), "{}");
    QVERIFY(!reply);
    QVERIFY2(reply.errorMessage().contains(QStringLiteral("not who it should be")), qPrintable(reply.errorMessage()));
    // The right root under the wrong name.
    net::Es9PlusClient misnamed(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(served.port)), { QSslCertificate(tls.root.certificate.toPem()) },
                                QStringLiteral("smdp.elsewhere.example"), patience);
    QVERIFY(!misnamed.post(functionPath(Function::InitiateAuthentication), "{}"));
    // Plain HTTP is never spoken.
    net::Es9PlusClient plain(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(served.port)), {}, {}, patience);
    QVERIFY(!plain.post(functionPath(Function::InitiateAuthentication), "{}"));
}


void TestEs9PlusHttps::clientsHangingUp()
{
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    TlsFixture tls;
    Served served(*w, tls);
    // Clients that send a function whose answer takes the server's cryptography, and hang up
    // before it comes: the answers have nowhere to go, and the server carries on.
    auto link = w->field->linkTo(w->eid);
    const QByteArray info = ask(link->euiccInfo1()).value();
    const QByteArray body =
        InitiateAuthenticationRequest { QByteArray(16, '\x05'), info, w->server->address() }.toJson();
    const QByteArray request = "POST " + functionPath(Function::InitiateAuthentication).toLatin1()
        + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Admin-Protocol: gsma/rsp/v2.5.0\r\n"
          "Content-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    for (int i = 0; i < 20; ++i) {
        QSslSocket socket;
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setCaCertificates({ QSslCertificate(tls.root.certificate.toPem()) });
        socket.setSslConfiguration(configuration);
        socket.setPeerVerifyName(QStringLiteral("localhost"));
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), served.port);
        QTRY_VERIFY(socket.isEncrypted());
        socket.write(request);
        QTRY_COMPARE(socket.bytesToWrite(), 0);
        QTest::qWait(i % 3); // sometimes before the server read it, sometimes while it signs
        socket.abort();
    }
    QTest::qWait(200);
    net::Es9PlusClient client = served.client(tls);
    auto installed = net::downloadThroughEs9Plus(client, *link, w->server->address(), patience);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
}

void TestEs9PlusHttps::concurrentDownloads()
{
    // Eight devices download at once, each through its own client on its own thread, while the
    // server's thread only routes: the sessions stay apart and every device gets its own order.
    constexpr int devices = 8;
    auto w = world(QStringLiteral("smdp.nordtel.example"), devices);
    for (const QString &eid : std::as_const(w->eids)) {
        profiles::DownloadOrder order = orderFor(eid);
        order.profile.iccid = QStringLiteral("89999010000000000%1").arg(w->eids.indexOf(eid), 2, 10, QLatin1Char('0'));
        w->service->addOrder(order);
    }
    TlsFixture tls;
    Served served(*w, tls);
    QThreadPool clients;
    clients.setMaxThreadCount(devices);
    QList<QFuture<Result<QString>>> downloads;
    for (const QString &eid : std::as_const(w->eids))
        downloads.append(QtConcurrent::run(&clients, [&w, &tls, &served, eid] {
            net::Es9PlusClient client = served.client(tls);
            auto link = w->field->linkTo(eid);
            return net::downloadThroughEs9Plus(client, *link, w->server->address(), patience);
        }));
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(downloads.cbegin(), downloads.cend(), [](const auto &f) { return f.isFinished(); }), 60000);
    QStringList installed;
    for (const auto &download : std::as_const(downloads)) {
        const Result<QString> result = download.result();
        QVERIFY2(result, qPrintable(result.errorMessage()));
        installed.append(result.value());
    }
    installed.sort();
    installed.removeDuplicates();
    QCOMPARE(installed.size(), devices);
    QTRY_COMPARE(w->service->installations().size(), devices);
    QCOMPARE(w->service->openSessions(), 0);
    QCOMPARE(w->service->pendingOrders(), 0);
}

void TestEs9PlusHttps::hugeBodyRefused()
{
    // 100 MB to an ES9+ function: refused with 413 long before the last byte, the body never
    // held in memory; no session or order changes, and the server serves the next download.
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    TlsFixture tls;
    Served served(*w, tls);
    constexpr qint64 hundredMegabytes = 100'000'000;
    const HugeUpload upload = HugeUpload::post(tls, served.port, hundredMegabytes, hundredMegabytes, 1024 * 1024, 0,
                                                 HugeUpload::Listening);
    QVERIFY2(upload.statusLine().startsWith("HTTP/1.1 413"), upload.answer.left(300).constData());
    QVERIFY(upload.answer.contains("\r\nConnection: close\r\n"));
    QVERIFY2(upload.sent < 16 * 1024 * 1024, qPrintable(QStringLiteral("answered after %1 bytes").arg(upload.sent)));
    QVERIFY2(!measuresMemory || upload.peakGrowth < 48 * 1024 * 1024,
             qPrintable(QStringLiteral("memory grew by %1 MiB").arg(upload.peakGrowth / (1024 * 1024))));
    QCOMPARE(w->service->openSessions(), 0);
    QCOMPARE(w->service->pendingOrders(), 1);

    net::Es9PlusClient client = served.client(tls);
    auto link = w->field->linkTo(w->eid);
    auto installed = net::downloadThroughEs9Plus(client, *link, w->server->address(), patience);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(w->service->installations().size(), 1);
}

void TestEs9PlusHttps::hugeBodyCutOff_data()
{
    QTest::addColumn<qint64>("cutAfter");
    QTest::addColumn<qint64>("piece");
    QTest::addColumn<int>("pauseMs");
    // Under the limit, trickled: the server holds a part of a request when the client goes.
    QTest::newRow("slowly, within the limit") << qint64(48 * 1024) << qint64(4096) << 5;
    // Over it, trickled and at full speed: cut while the server discards what still comes.
    QTest::newRow("slowly, past the limit") << qint64(8 * 1024 * 1024) << qint64(256 * 1024) << 10;
    QTest::newRow("at once, half of it") << qint64(50'000'000) << qint64(1024 * 1024) << 0;
}

void TestEs9PlusHttps::hugeBodyCutOff()
{
    // 100 MB announced, the connection closed midway: the server stays up, nothing changes, and
    // the next download goes through.
    QFETCH(qint64, cutAfter);
    QFETCH(qint64, piece);
    QFETCH(int, pauseMs);
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    TlsFixture tls;
    Served served(*w, tls);
    const HugeUpload upload = HugeUpload::post(tls, served.port, 100'000'000, cutAfter, piece, pauseMs, HugeUpload::Deaf);
    QCOMPARE(upload.sent, cutAfter);
    QVERIFY2(!measuresMemory || upload.peakGrowth < 48 * 1024 * 1024,
             qPrintable(QStringLiteral("memory grew by %1 MiB").arg(upload.peakGrowth / (1024 * 1024))));
    QTest::qWait(100); // the server sees the hang-up
    QCOMPARE(w->service->openSessions(), 0);
    QCOMPARE(w->service->pendingOrders(), 1);

    net::Es9PlusClient client = served.client(tls);
    auto link = w->field->linkTo(w->eid);
    auto installed = net::downloadThroughEs9Plus(client, *link, w->server->address(), patience);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(w->service->installations().size(), 1);
}

QTEST_GUILESS_MAIN(TestEs9PlusHttps)
#include "tst_es9plushttps.moc"
