// ES2+ over mutually authenticated HTTPS on a loopback port (SGP.22 sections 2.6.6, 5.3 and
// 6.5.1) beside ES9+ on another: the operator orders and confirms, a simulated eUICC downloads
// with the Matching ID through the served profile server, and the Matching ID, a wrong EID or a
// cancelled order are refused; a client without the operator's certificate never gets past TLS;
// each listener serves its own interface only; handleDownloadProgressInfo reaches the operator's
// own server.
#include "net/es2plusclient.h"
#include "net/es2plushttpserver.h"
#include "net/es2plusnotifier.h"
#include "net/es9plusclient.h"
#include "net/es9plusdownload.h"
#include "net/es9plushttpserver.h"
#include "net/rsphttpsclient.h"
#include "net/rsphttpserver.h"
#include "net/tlsidentity.h"
#include "protocol/profileinstallationresult.h"

#include "es9tls.h"

#include "es2world.h"

#include <QMutex>
#include <QTest>

using namespace simfleet;
using namespace simfleet::protocol::es2plus;
using simfleet::testing::es9::World;
using simfleet::testing::es9::patience;
namespace es2 = simfleet::testing::es2;

namespace {

using TlsParty = simfleet::testing::es9::TlsFixture;

// simfleet's profile server: ES9+ for devices on one port, ES2+ for the operator on another.
struct Served
{
    std::shared_ptr<profiles::Es2PlusService> es2;
    net::Es9PlusHttpServer es9Http;
    net::Es2PlusHttpServer es2Http;
    quint16 es9Port = 0;
    quint16 es2Port = 0;

    Served(World &w, const TlsParty &simfleet, const TlsParty &operatorTls)
        : es2(es2::service(w)), es9Http(w.service), es2Http(es2)
    {
        es9Http.setTlsIdentity(simfleet.identity);
        es9Port = es9Http.listen(QHostAddress::LocalHost, 0).value();
        es2Http.setTlsIdentity(simfleet.identity);
        es2Http.setClientAuthorities(operatorTls.roots());
        es2Port = es2Http.listen(QHostAddress::LocalHost, 0).value();
    }

    QUrl es9Url() const { return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(es9Port)); }
    QUrl es2Url() const { return QUrl(QStringLiteral("https://127.0.0.1:%1").arg(es2Port)); }
};

// What the operator does over ES2+: an order for eid (or any eUICC), confirmed and released.
struct Operator
{
    net::Es2PlusClient client;

    Operator(const Served &served, const TlsParty &simfleet, const TlsParty &own)
        : client(served.es2Url(), simfleet.roots(), own.identity, QStringLiteral("localhost"), patience)
    {
    }

    // The ICCID and Matching ID of a released order, or the first error.
    Result<std::pair<QString, QString>> order(const QString &eid = {})
    {
        auto iccid = client.downloadOrder({ es2::header(QStringLiteral("order")), eid, {}, {} });
        if (!iccid)
            return iccid.error();
        ConfirmOrderRequest confirm;
        confirm.header = es2::header(QStringLiteral("confirm"));
        confirm.iccid = iccid.value();
        confirm.releaseFlag = true;
        auto confirmed = client.confirmOrder(confirm);
        if (!confirmed)
            return confirmed.error();
        return std::pair(iccid.value(), confirmed->matchingId);
    }
};

// The operator's own ES2+ server, which takes handleDownloadProgressInfo (SGP.22 section 5.3.5)
// from the profile server: only over TLS with the profile server's certificate.
struct OperatorServer
{
    QMutex mutex;
    QList<HandleDownloadProgressInfoRequest> received;
    net::RspHttpServer http;
    quint16 port = 0;

    OperatorServer(const TlsParty &own, const TlsParty &profileServer)
        : http({ QStringLiteral("operator ES2+"), QStringLiteral("es2plus"), maxRequestBytes, [this](const QString &name) -> net::FunctionCall {
                    if (name != functionName(Function::HandleDownloadProgressInfo))
                        return {};
                    return [this](const QByteArray &body) -> std::optional<QByteArray> {
                        auto parsed = HandleDownloadProgressInfoRequest::fromJson(body);
                        if (const auto *info = std::get_if<HandleDownloadProgressInfoRequest>(&parsed)) {
                            QMutexLocker lock(&mutex);
                            received.append(*info);
                        }
                        return std::nullopt; // HTTP 204
                    };
                } })
    {
        http.setTlsIdentity(own.identity);
        http.requireClientCertificates(profileServer.roots());
        port = http.listen(QHostAddress::LocalHost, 0).value();
    }

    qsizetype count()
    {
        QMutexLocker lock(&mutex);
        return received.size();
    }
};

} // namespace

class TestEs2PlusHttps : public QObject
{
    Q_OBJECT

    TlsParty m_simfleet { QStringLiteral("simfleet TLS") };
    TlsParty m_operator { QStringLiteral("Nordtel TLS") };

private slots:
    void orderThenDownloadWithMatchingId();
    void downloadForAnotherEidRefused();
    void cancelledOrderRefused();
    void clientWithoutOperatorCertificateRefusedAtTls();
    void eachListenerServesItsOwnInterface();
    void listenerRefusesWithoutClientAuthorities();
    void progressReachesOperator();
    void unreachableOperatorHoldsNothingUp();
};

void TestEs2PlusHttps::orderThenDownloadWithMatchingId()
{
    auto w = testing::es9::world();
    Served served(*w, m_simfleet, m_operator);
    Operator op(served, m_simfleet, m_operator);
    auto ordered = op.order();
    QVERIFY2(ordered, qPrintable(ordered.errorMessage()));
    const auto &[iccid, matchingId] = ordered.value();
    QVERIFY(isMatchingId(matchingId));

    // The device's LPA (simfleet relaying) has the activation code: the SM-DP+ address the
    // confirmation named, and the Matching ID.
    net::Es9PlusClient es9(served.es9Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    auto link = w->field->linkTo(w->eid);
    auto installed = net::downloadThroughEs9Plus(es9, *link, w->server->address(), patience, matchingId);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(installed.value(), iccid);
    QTRY_COMPARE(w->service->installations().size(), 1);
    QCOMPARE(w->service->installations().first().iccid, iccid);

    // The same activation code again: Matching ID - Refused.
    auto again = net::downloadThroughEs9Plus(es9, *link, w->server->address(), patience, matchingId);
    QVERIFY(!again);
    QVERIFY2(again.errorMessage().contains(QStringLiteral("8.2.6/3.8")), qPrintable(again.errorMessage()));
    // The operator cannot cancel what the eUICC has.
    auto cancel = op.client.cancelOrder({ es2::header(), iccid, {}, std::nullopt, FinalProfileStatus::Available });
    QVERIFY(!cancel);
    QVERIFY2(cancel.errorMessage().contains(QStringLiteral("8.2.1/3.3")), qPrintable(cancel.errorMessage()));
}

void TestEs2PlusHttps::downloadForAnotherEidRefused()
{
    auto w = testing::es9::world(QStringLiteral("smdp.nordtel.example"), 2);
    Served served(*w, m_simfleet, m_operator);
    Operator op(served, m_simfleet, m_operator);
    auto ordered = op.order(w->eids.at(1));
    QVERIFY2(ordered, qPrintable(ordered.errorMessage()));
    net::Es9PlusClient es9(served.es9Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    auto first = w->field->linkTo(w->eids.at(0));
    auto refused = net::downloadThroughEs9Plus(es9, *first, w->server->address(), patience, ordered->second);
    QVERIFY(!refused);
    QVERIFY2(refused.errorMessage().contains(QStringLiteral("8.1.1/3.8")), qPrintable(refused.errorMessage()));
    // The order waits for its own eUICC.
    auto second = w->field->linkTo(w->eids.at(1));
    auto installed = net::downloadThroughEs9Plus(es9, *second, w->server->address(), patience, ordered->second);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QCOMPARE(installed.value(), ordered->first);
}

void TestEs2PlusHttps::cancelledOrderRefused()
{
    auto w = testing::es9::world();
    Served served(*w, m_simfleet, m_operator);
    Operator op(served, m_simfleet, m_operator);
    auto ordered = op.order();
    QVERIFY2(ordered, qPrintable(ordered.errorMessage()));
    auto cancelled = op.client.cancelOrder({ es2::header(), ordered->first, {}, ordered->second, FinalProfileStatus::Unavailable });
    QVERIFY2(cancelled, qPrintable(cancelled.errorMessage()));
    net::Es9PlusClient es9(served.es9Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    auto link = w->field->linkTo(w->eid);
    auto refused = net::downloadThroughEs9Plus(es9, *link, w->server->address(), patience, ordered->second);
    QVERIFY(!refused);
    QVERIFY2(refused.errorMessage().contains(QStringLiteral("8.2.6/3.8")), qPrintable(refused.errorMessage()));
    QCOMPARE(w->service->openSessions(), 0);
}

void TestEs2PlusHttps::clientWithoutOperatorCertificateRefusedAtTls()
{
    auto w = testing::es9::world();
    Served served(*w, m_simfleet, m_operator);
    const QByteArray body = DownloadOrderRequest { es2::header(), {}, {}, {} }.toJson();
    const QString path = functionPath(Function::DownloadOrder);
    // No client certificate: the handshake fails, no HTTP status comes back, nothing is ordered.
    net::RspHttpsClient anonymous(served.es2Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    auto refused = anonymous.post(path, body);
    QVERIFY(!refused);
    QVERIFY2(refused.errorMessage().contains(QStringLiteral("did not answer")), qPrintable(refused.errorMessage()));
    // A certificate, but from an authority that is not the operator's.
    TlsParty stranger(QStringLiteral("Stranger TLS"));
    net::RspHttpsClient impostor(served.es2Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    impostor.setClientIdentity(stranger.identity);
    QVERIFY(!impostor.post(path, body));
    QCOMPARE(w->service->orders()->pendingDownloads(), 0);
    QVERIFY(!w->service->orders()->find(es2::iccidNumber(1)));
    // The operator's own certificate gets through.
    net::RspHttpsClient operatorClient(served.es2Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    operatorClient.setClientIdentity(m_operator.identity);
    auto ordered = operatorClient.post(path, body);
    QVERIFY2(ordered, qPrintable(ordered.errorMessage()));
    QCOMPARE(ordered->status, 200);
    QCOMPARE(es2::orderedIccid(ordered->body), es2::iccidNumber(1));
}

void TestEs2PlusHttps::eachListenerServesItsOwnInterface()
{
    auto w = testing::es9::world();
    Served served(*w, m_simfleet, m_operator);
    const QByteArray order = DownloadOrderRequest { es2::header(), {}, {}, {} }.toJson();
    // ES2+ on the devices' port: not there.
    net::Es9PlusClient es9(served.es9Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    for (Function function : { Function::DownloadOrder, Function::ConfirmOrder, Function::CancelOrder, Function::ReleaseProfile }) {
        auto reply = es9.post(functionPath(function), order);
        QVERIFY2(reply, qPrintable(reply.errorMessage()));
        QCOMPARE(reply->status, 404);
    }
    QVERIFY(!w->service->orders()->find(es2::iccidNumber(1)));
    // ES9+ on the operator's port, and the function that is the operator's to provide.
    Operator op(served, m_simfleet, m_operator);
    auto es9Path = op.client.http().post(protocol::es9plus::functionPath(protocol::es9plus::Function::InitiateAuthentication), "{}");
    QVERIFY2(es9Path, qPrintable(es9Path.errorMessage()));
    QCOMPARE(es9Path->status, 404);
    auto progress = op.client.http().post(functionPath(Function::HandleDownloadProgressInfo), "{}");
    QCOMPARE(progress->status, 404);
    // A function-level problem is HTTP 200 with the Failed status, as on ES9+.
    auto malformed = op.client.http().post(functionPath(Function::ConfirmOrder), "{");
    QCOMPARE(malformed->status, 200);
    QCOMPARE(testing::es9::refusalOf(malformed->body).subjectCode, QStringLiteral("1.6"));
    auto wrongProtocol = op.client.http().post(functionPath(Function::ConfirmOrder), "{}", "application/json", "gsma/rsp/v1.0.0");
    QCOMPARE(wrongProtocol->status, 400);
}

void TestEs2PlusHttps::listenerRefusesWithoutClientAuthorities()
{
    auto w = testing::es9::world();
    net::Es2PlusHttpServer http(es2::service(*w));
    http.setTlsIdentity(m_simfleet.identity);
    auto refused = http.listen(QHostAddress::LocalHost, 0);
    QVERIFY(!refused);
    QVERIFY2(refused.errorMessage().contains(QStringLiteral("client certificate")), qPrintable(refused.errorMessage()));
}

void TestEs2PlusHttps::progressReachesOperator()
{
    auto w = testing::es9::world();
    OperatorServer operatorServer(m_operator, m_simfleet);
    net::Es2PlusNotifier notifier(QUrl(QStringLiteral("https://localhost:%1").arg(operatorServer.port)), m_operator.roots(),
                                  m_simfleet.identity, w->server->address(), patience);
    w->service->setProgressListener(notifier.listener());
    Served served(*w, m_simfleet, m_operator);
    Operator op(served, m_simfleet, m_operator);
    auto ordered = op.order();
    QVERIFY2(ordered, qPrintable(ordered.errorMessage()));
    net::Es9PlusClient es9(served.es9Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    auto link = w->field->linkTo(w->eid);
    auto installed = net::downloadThroughEs9Plus(es9, *link, w->server->address(), patience, ordered->second);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));

    // Eligibility, the package, the installation: in that order, each once.
    QTRY_COMPARE_WITH_TIMEOUT(operatorServer.count(), 3, 20000);
    // Delivered once the operator's answer is back, a moment after the operator counted it.
    QTRY_COMPARE_WITH_TIMEOUT(notifier.delivered(), quint64(3), 20000);
    QMutexLocker lock(&operatorServer.mutex);
    const QList<int> points { int(NotificationPoint::EligibilityCheck), int(NotificationPoint::BppDownload),
                              int(NotificationPoint::BppInstallation) };
    for (qsizetype i = 0; i < operatorServer.received.size(); ++i) {
        const HandleDownloadProgressInfoRequest &info = operatorServer.received.at(i);
        QCOMPARE(info.notificationPointId, points.at(i));
        QCOMPARE(info.iccid, ordered->first);
        QCOMPARE(info.eid, w->eid);
        QCOMPARE(info.profileType, served.es2->profileType());
        QVERIFY(!info.failure);
        QCOMPARE(info.header.functionRequesterIdentifier, w->server->address());
        QVERIFY(info.timestamp.isValid());
    }
    // The installation point carries the eUICC's own signed result.
    auto result = protocol::ProfileInstallationResult::decode(operatorServer.received.last().resultData);
    QVERIFY2(result, qPrintable(result.errorMessage()));
    QCOMPARE(result->iccid, ordered->first);
}

void TestEs2PlusHttps::unreachableOperatorHoldsNothingUp()
{
    // The operator's server is down: the download goes on, the notifications are logged as lost.
    auto w = testing::es9::world();
    quint16 closedPort = 0;
    {
        OperatorServer gone(m_operator, m_simfleet);
        closedPort = gone.port;
    }
    net::Es2PlusNotifier notifier(QUrl(QStringLiteral("https://localhost:%1").arg(closedPort)), m_operator.roots(), m_simfleet.identity,
                                  w->server->address(), std::chrono::seconds(5));
    w->service->setProgressListener(notifier.listener());
    Served served(*w, m_simfleet, m_operator);
    Operator op(served, m_simfleet, m_operator);
    auto ordered = op.order();
    QVERIFY2(ordered, qPrintable(ordered.errorMessage()));
    net::Es9PlusClient es9(served.es9Url(), m_simfleet.roots(), QStringLiteral("localhost"), patience);
    auto link = w->field->linkTo(w->eid);
    auto installed = net::downloadThroughEs9Plus(es9, *link, w->server->address(), patience, ordered->second);
    QVERIFY2(installed, qPrintable(installed.errorMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(notifier.failed(), quint64(3), 20000);
    QCOMPARE(notifier.delivered(), quint64(0));
}

QTEST_GUILESS_MAIN(TestEs2PlusHttps)
#include "tst_es2plushttps.moc"
