// ES9+'s JSON binding (SGP.22 section 6) both ways and every way a hostile body is refused; the
// transaction-keyed service over the profile server: orders by EID and by Matching ID, each step
// once and in order, expiry, cancellation, the operator's progress notifications.
// tst_es9plushttps serves the same over HTTPS.
#include "crypto/ecdsa.h"
#include "protocol/authenticateserver.h"
#include "protocol/cancelsession.h"
#include "protocol/der.h"
#include "protocol/profileinstallationresult.h"

#include "es9world.h"

#include <QJsonDocument>
#include <QTest>

using namespace simfleet;
using namespace simfleet::testing::es9;

namespace {

// The steps of one download driven straight at the service, the device answering through its link.
struct Steps
{
    World &w;
    std::unique_ptr<devices::DeviceLink> link;
    QString matchingId; // what the LPA puts in ctxParams1
    QByteArray transactionId;
    QByteArray authenticateServerResponse;
    QByteArray prepareDownloadResponse;

    explicit Steps(World &world, const QString &eid = {}, QString matching = {})
        : w(world), link(world.field->linkTo(eid.isEmpty() ? world.eid : eid)), matchingId(std::move(matching))
    {
    }

    QByteArray initiate()
    {
        const QByteArray info = ask(link->euiccInfo1()).value();
        const QByteArray challenge = protocol::decodeGetEuiccChallengeResponse(ask(link->challenge()).value()).value();
        const QByteArray body = w.service->initiateAuthentication(InitiateAuthenticationRequest { challenge, info, w.server->address() }.toJson())
                                    .body.value_or(QByteArray());
        auto response = InitiateAuthenticationResponse::fromMembers(membersOf(body));
        if (auto *r = std::get_if<InitiateAuthenticationResponse>(&response)) {
            transactionId = r->transactionId;
            protocol::AuthenticateServerRequest context;
            context.tac = QByteArray::fromHex("35000000");
            context.matchingId = matchingId;
            authenticateServerResponse = ask(link->authenticateServer(protocol::der::tlv(
                                                 0xBF38, QByteArray(r->serverSigned1 + r->serverSignature1 + r->euiccCiPKIdToBeUsed
                                                                    + r->serverCertificate + context.ctxParams1()))))
                                             .value();
        }
        return body;
    }

    QByteArray authenticate()
    {
        const QByteArray body = w.service->authenticateClient(AuthenticateClientRequest { transactionId, authenticateServerResponse }.toJson())
                                    .body.value_or(QByteArray());
        auto response = AuthenticateClientResponse::fromMembers(membersOf(body));
        if (auto *r = std::get_if<AuthenticateClientResponse>(&response))
            prepareDownloadResponse =
                ask(link->prepareDownload(protocol::der::tlv(0xBF21, QByteArray(r->smdpSigned2 + r->smdpSignature2 + r->smdpCertificate))))
                    .value();
        return body;
    }

    QByteArray bind()
    {
        return w.service->getBoundProfilePackage(GetBoundProfilePackageRequest { transactionId, prepareDownloadResponse }.toJson())
            .body.value_or(QByteArray());
    }

    // The installation result the device answers the bound package with, told to the service.
    QByteArray install(const QByteArray &bound)
    {
        auto bpp = GetBoundProfilePackageResponse::fromMembers(membersOf(bound));
        if (!std::holds_alternative<GetBoundProfilePackageResponse>(bpp))
            return {};
        const QByteArray result = ask(link->loadBoundPackage(std::get<GetBoundProfilePackageResponse>(bpp).boundProfilePackage)).value();
        w.service->handleNotification(HandleNotificationRequest { result }.toJson());
        return result;
    }
};

// An order placed the way ES2+ places one (downloadOrder, confirmOrder with releaseFlag): its
// Matching ID. eid empty: any eUICC may download it.
QString releasedOrder(World &w, const QString &iccidOfOrder, const QString &eid = {})
{
    profiles::DownloadOrder order = orderFor({});
    order.profile.iccid = iccidOfOrder;
    w.service->orders()->addAllocated(order, QStringLiteral("simfleet M2M USIM"), QStringLiteral("operator"));
    auto confirmed = w.service->orders()->confirm(iccidOfOrder, eid, std::nullopt, true);
    return std::holds_alternative<profiles::BookedOrder>(confirmed) ? std::get<profiles::BookedOrder>(confirmed).matchingId : QString();
}

} // namespace

class TestEs9Plus : public QObject
{
    Q_OBJECT

private slots:
    void requestsRoundTrip();
    void hostileBodies_data();
    void hostileBodies();
    void responseEnvelope();
    void cancelSessionCodec();

    void serviceDownloads();
    void serviceRefusesOutOfOrder();
    void serviceRefusesEidWithoutOrder();
    void serviceRefusesTruncatedDer();
    void serviceRefusesWrongAddress();
    void serviceExpiresSessions();
    void serviceCancels();

    void matchingIdInCtxParams();
    void serviceDownloadsByMatchingId();
    void serviceRefusesMatchingIds();
    void serviceRefusesOrderOfAnotherEid();
    void serviceHandsBackUnboundOrders();
    void serviceDeliversNothingCancelled();
};

void TestEs9Plus::requestsRoundTrip()
{
    const InitiateAuthenticationRequest initiate { QByteArray(16, '\x01'), QByteArray::fromHex("bf2003820102"), QStringLiteral("smdp.example") };
    auto parsed = InitiateAuthenticationRequest::fromJson(initiate.toJson());
    QVERIFY(std::holds_alternative<InitiateAuthenticationRequest>(parsed));
    QCOMPARE(std::get<InitiateAuthenticationRequest>(parsed).euiccChallenge, initiate.euiccChallenge);
    QCOMPARE(std::get<InitiateAuthenticationRequest>(parsed).euiccInfo1, initiate.euiccInfo1);
    QCOMPARE(std::get<InitiateAuthenticationRequest>(parsed).smdpAddress, initiate.smdpAddress);

    const AuthenticateClientRequest authenticate { QByteArray::fromHex("0a0b0c"), QByteArray::fromHex("bf3800") };
    const QJsonObject json = QJsonDocument::fromJson(authenticate.toJson()).object();
    // Section 6.5.2: the transaction ID is hex, the ASN.1 value base64.
    QCOMPARE(json.value(QStringLiteral("transactionId")).toString(), QStringLiteral("0A0B0C"));
    QCOMPARE(json.value(QStringLiteral("authenticateServerResponse")).toString(), QStringLiteral("vzgA"));
    auto back = AuthenticateClientRequest::fromJson(authenticate.toJson());
    QVERIFY(std::holds_alternative<AuthenticateClientRequest>(back));
    QCOMPARE(std::get<AuthenticateClientRequest>(back).transactionId, authenticate.transactionId);

    auto bpp = GetBoundProfilePackageRequest::fromJson(GetBoundProfilePackageRequest { "\x01", "\xbf\x21" }.toJson());
    QVERIFY(std::holds_alternative<GetBoundProfilePackageRequest>(bpp));
    auto note = HandleNotificationRequest::fromJson(HandleNotificationRequest { "\xbf\x37" }.toJson());
    QVERIFY(std::holds_alternative<HandleNotificationRequest>(note));
    auto cancel = CancelSessionRequest::fromJson(CancelSessionRequest { "\x01", "\xbf\x41" }.toJson());
    QVERIFY(std::holds_alternative<CancelSessionRequest>(cancel));

    QCOMPARE(functionFromName(u"getBoundProfilePackage"), std::optional(Function::GetBoundProfilePackage));
    QCOMPARE(functionPath(Function::HandleNotification), QStringLiteral("/gsma/rsp2/es9plus/handleNotification"));
    QVERIFY(!functionFromName(u"downloadOrder"));
}

void TestEs9Plus::hostileBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("subjectIdentifier");
    QTest::newRow("not JSON") << QByteArray("{\"transactionId\": ") << QStringLiteral("2.1") << QStringLiteral("body");
    QTest::newRow("an array") << QByteArray("[]") << QStringLiteral("2.1") << QStringLiteral("body");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("2.1") << QStringLiteral("body");
    QTest::newRow("no transaction") << QByteArray(R"({"authenticateServerResponse":"vzgA"})") << QStringLiteral("2.2")
                                    << QStringLiteral("transactionId");
    QTest::newRow("no response") << QByteArray(R"({"transactionId":"0A"})") << QStringLiteral("2.2")
                                 << QStringLiteral("authenticateServerResponse");
    QTest::newRow("null") << QByteArray(R"({"transactionId":null,"authenticateServerResponse":"vzgA"})") << QStringLiteral("2.2")
                          << QStringLiteral("transactionId");
    QTest::newRow("number") << QByteArray(R"({"transactionId":10,"authenticateServerResponse":"vzgA"})") << QStringLiteral("2.1")
                            << QStringLiteral("transactionId");
    QTest::newRow("odd hex") << QByteArray(R"({"transactionId":"0A1","authenticateServerResponse":"vzgA"})") << QStringLiteral("2.1")
                             << QStringLiteral("transactionId");
    QTest::newRow("not hex") << QByteArray(R"({"transactionId":"0G","authenticateServerResponse":"vzgA"})") << QStringLiteral("2.1")
                             << QStringLiteral("transactionId");
    QTest::newRow("17 bytes") << QByteArray(R"({"transactionId":")" + QByteArray(34, 'A') + R"(","authenticateServerResponse":"vzgA"})")
                              << QStringLiteral("2.1") << QStringLiteral("transactionId");
    QTest::newRow("not base64") << QByteArray(R"({"transactionId":"0A","authenticateServerResponse":"v*gA"})") << QStringLiteral("2.1")
                                << QStringLiteral("authenticateServerResponse");
    QTest::newRow("base64 cut") << QByteArray(R"({"transactionId":"0A","authenticateServerResponse":"vzg"})") << QStringLiteral("2.1")
                                << QStringLiteral("authenticateServerResponse");
    QTest::newRow("empty base64") << QByteArray(R"({"transactionId":"0A","authenticateServerResponse":""})") << QStringLiteral("2.1")
                                  << QStringLiteral("authenticateServerResponse");
    QTest::newRow("base64 object") << QByteArray(R"({"transactionId":"0A","authenticateServerResponse":{}})") << QStringLiteral("2.1")
                                   << QStringLiteral("authenticateServerResponse");
    QTest::newRow("oversized") << QByteArray(R"({"transactionId":"0A","authenticateServerResponse":")" + QByteArray(maxRequestBytes, 'A')
                                             + R"("})")
                               << QStringLiteral("2.1") << QStringLiteral("body");
}

void TestEs9Plus::hostileBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    QFETCH(QString, subjectIdentifier);
    auto parsed = AuthenticateClientRequest::fromJson(body);
    QVERIFY(std::holds_alternative<StatusCode>(parsed));
    const StatusCode &status = std::get<StatusCode>(parsed);
    QCOMPARE(status.subjectCode, QStringLiteral("1.6"));
    QCOMPARE(status.reasonCode, reason);
    QCOMPARE(status.subjectIdentifier, subjectIdentifier);
    QVERIFY(!status.message.isEmpty());
}

void TestEs9Plus::responseEnvelope()
{
    const QJsonObject ok = QJsonDocument::fromJson(successResponse({ { QStringLiteral("transactionId"), QStringLiteral("0A") } })).object();
    QCOMPARE(ok.value(QStringLiteral("header")).toObject().value(QStringLiteral("functionExecutionStatus")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("Executed-Success"));
    const StatusCode unknown = status::unknownTransaction(QStringLiteral("gone"));
    const QJsonObject failed = QJsonDocument::fromJson(failedResponse(unknown)).object();
    const QJsonObject execution = failed.value(QStringLiteral("header")).toObject().value(QStringLiteral("functionExecutionStatus")).toObject();
    QCOMPARE(execution.value(QStringLiteral("status")).toString(), QStringLiteral("Failed"));
    QCOMPARE(execution.value(QStringLiteral("statusCodeData")).toObject().value(QStringLiteral("subjectCode")).toString(), QStringLiteral("8.10.1"));
    QCOMPARE(execution.value(QStringLiteral("statusCodeData")).toObject().value(QStringLiteral("reasonCode")).toString(), QStringLiteral("3.9"));
    QCOMPARE(failed.size(), 1); // nothing but the header
    QCOMPARE(refusalOf(failedResponse(unknown)), unknown);
    QCOMPARE(refusalOf("{}").subjectCode, QStringLiteral("not ES9+"));
    // A success missing a member the client needs is an error, not a default.
    auto partial = InitiateAuthenticationResponse::fromMembers(membersOf(successResponse({ { QStringLiteral("transactionId"), QStringLiteral("0A") } })));
    QVERIFY(std::holds_alternative<QString>(partial));
}

void TestEs9Plus::cancelSessionCodec()
{
    protocol::CancelSessionResponse cancel;
    cancel.transactionId = QByteArray::fromHex("0102");
    cancel.serverOid = QByteArray::fromHex("2b0601");
    cancel.reason = protocol::CancelSessionResponse::Reason::Postponed;
    cancel.signature = QByteArray(64, '\x05');
    // The module's AUTOMATIC TAGS: BF41 { A0 { 30 { 80 id, 81 oid, 82 reason }, 5F37 signature } }.
    const QByteArray der = cancel.encode();
    QVERIFY(der.startsWith(QByteArray::fromHex("bf41")));
    QVERIFY(der.contains(QByteArray::fromHex("300c80020102810" "32b0601820101")));
    auto back = protocol::CancelSessionResponse::decode(der);
    QVERIFY2(back, qPrintable(back.errorMessage()));
    QCOMPARE(back->transactionId, cancel.transactionId);
    QCOMPARE(back->reason, cancel.reason);
    QCOMPARE(back->signature, cancel.signature);
    QVERIFY(!protocol::CancelSessionResponse::decode(der.chopped(1)));
    QVERIFY(!protocol::CancelSessionResponse::decode(QByteArray::fromHex("bf4103810105"))); // the error answer
}

void TestEs9Plus::serviceDownloads()
{
    auto w = world();
    int told = 0;
    w->service->setProgressListener([&told](const auto &) { ++told; });
    w->service->addOrder(orderFor(w->eid));
    Steps steps(*w);
    QCOMPARE(refusalOf(steps.initiate()).subjectCode, QStringLiteral("success"));
    QCOMPARE(w->service->openSessions(), 1);
    const QByteArray authenticated = steps.authenticate();
    QCOMPARE(refusalOf(authenticated).subjectCode, QStringLiteral("success"));
    QCOMPARE(w->service->pendingOrders(), 0); // the order is the session's now
    auto metadata = protocol::ProfileMetadata::decode(
        std::get<AuthenticateClientResponse>(AuthenticateClientResponse::fromMembers(membersOf(authenticated))).profileMetadata);
    QVERIFY(metadata);
    QCOMPARE(metadata->iccid, iccid);
    const QByteArray bound = steps.bind();
    auto bpp = GetBoundProfilePackageResponse::fromMembers(membersOf(bound));
    QVERIFY(std::holds_alternative<GetBoundProfilePackageResponse>(bpp));
    const QByteArray result = ask(steps.link->loadBoundPackage(std::get<GetBoundProfilePackageResponse>(bpp).boundProfilePackage)).value();
    // Section 6.2: handleNotification answers nothing (HTTP 204).
    QVERIFY(!w->service->handleNotification(HandleNotificationRequest { result }.toJson()).body);
    const auto installed = w->service->installations();
    QCOMPARE(installed.size(), 1);
    QCOMPARE(installed.first().eid, w->eid);
    QCOMPARE(installed.first().iccid, iccid);
    QCOMPARE(w->service->openSessions(), 0);
    // The same result again is a replay: nothing more is recorded.
    QVERIFY(!w->service->handleNotification(HandleNotificationRequest { result }.toJson()).body);
    QCOMPARE(w->service->installations().size(), 1);
    // An order made inside simfleet has no operator to tell of its progress.
    QCOMPARE(told, 0);
}

void TestEs9Plus::serviceRefusesOutOfOrder()
{
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    Steps steps(*w);
    steps.initiate();
    // getBoundProfilePackage before authenticateClient: refused, the session unchanged.
    const QByteArray wellFormed = wellFormedPrepareDownloadResponse(steps.transactionId);
    const StatusCode early = refusalOf(
        w->service->getBoundProfilePackage(GetBoundProfilePackageRequest { steps.transactionId, wellFormed }.toJson()).body.value());
    QCOMPARE(early.subjectCode, QStringLiteral("8.10.1"));
    QCOMPARE(w->service->openSessions(), 1);
    QCOMPARE(refusalOf(steps.authenticate()).subjectCode, QStringLiteral("success"));
    // authenticateClient again (a replay): 8.10.1 / 3.9, and the session goes on.
    const StatusCode replay = refusalOf(
        w->service->authenticateClient(AuthenticateClientRequest { steps.transactionId, steps.authenticateServerResponse }.toJson()).body.value());
    QCOMPARE(replay.subjectCode, QStringLiteral("8.10.1"));
    QCOMPARE(replay.reasonCode, QStringLiteral("3.9"));
    QCOMPARE(refusalOf(steps.bind()).subjectCode, QStringLiteral("success"));
    // The package once bound is not bound again.
    QCOMPARE(refusalOf(steps.bind()).subjectCode, QStringLiteral("8.10.1"));
    // A transaction nobody started.
    const StatusCode unknown = refusalOf(
        w->service->authenticateClient(AuthenticateClientRequest { QByteArray(16, '\x42'), steps.authenticateServerResponse }.toJson()).body.value());
    QCOMPARE(unknown.subjectCode, QStringLiteral("8.10.1"));
}

void TestEs9Plus::serviceRefusesEidWithoutOrder()
{
    auto w = world();
    Steps steps(*w);
    steps.initiate();
    const StatusCode refused = refusalOf(steps.authenticate());
    QCOMPARE(refused.subjectCode, QStringLiteral("8.1.1"));
    QCOMPARE(refused.reasonCode, QStringLiteral("3.8"));
    QVERIFY(refused.message.contains(w->eid));
    QCOMPARE(w->service->openSessions(), 0);
}

void TestEs9Plus::serviceRefusesTruncatedDer()
{
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    Steps steps(*w);
    steps.initiate();
    const QByteArray whole = steps.authenticateServerResponse;
    steps.authenticateServerResponse = whole.first(whole.size() / 2);
    const StatusCode truncated = refusalOf(steps.authenticate());
    QCOMPARE(truncated.subjectCode, QStringLiteral("1.6"));
    QCOMPARE(truncated.subjectIdentifier, QStringLiteral("authenticateServerResponse"));
    // Nothing half-done: the session takes the whole answer afterwards.
    QCOMPARE(w->service->openSessions(), 1);
    QCOMPARE(w->service->pendingOrders(), 1);
    steps.authenticateServerResponse = whole;
    QCOMPARE(refusalOf(steps.authenticate()).subjectCode, QStringLiteral("success"));
    // A spoiled signature ends the session (section 5.6.3: eUICC verification failed).
    Steps other(*w);
    w->service->addOrder(orderFor(w->eid));
    other.initiate();
    auto response = protocol::AuthenticateServerResponse::decode(other.authenticateServerResponse).value();
    response.euiccSignature1[5] = char(response.euiccSignature1[5] ^ 0x01);
    other.authenticateServerResponse = response.encode();
    const StatusCode spoiled = refusalOf(other.authenticate());
    QCOMPARE(spoiled.subjectCode, QStringLiteral("8.1"));
    QCOMPARE(spoiled.reasonCode, QStringLiteral("6.1"));
    QCOMPARE(w->service->openSessions(), 1); // the first one only
    QCOMPARE(w->service->pendingOrders(), 1); // the spoiled session never took the order
}

void TestEs9Plus::serviceRefusesWrongAddress()
{
    auto w = world();
    auto link = w->field->linkTo(w->eid);
    const QByteArray info = ask(link->euiccInfo1()).value();
    const QByteArray challenge = protocol::decodeGetEuiccChallengeResponse(ask(link->challenge()).value()).value();
    const StatusCode wrong = refusalOf(
        w->service->initiateAuthentication(InitiateAuthenticationRequest { challenge, info, QStringLiteral("other.example") }.toJson()).body.value());
    QCOMPARE(wrong.subjectCode, QStringLiteral("8.8.1"));
    QCOMPARE(wrong.reasonCode, QStringLiteral("3.8"));
    const StatusCode shortChallenge = refusalOf(
        w->service->initiateAuthentication(InitiateAuthenticationRequest { challenge.first(8), info, w->server->address() }.toJson()).body.value());
    QCOMPARE(shortChallenge.subjectIdentifier, QStringLiteral("euiccChallenge"));
    QCOMPARE(w->service->openSessions(), 0);
}

void TestEs9Plus::serviceExpiresSessions()
{
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    Steps steps(*w);
    steps.initiate();
    QCOMPARE(refusalOf(steps.authenticate()).subjectCode, QStringLiteral("success"));
    w->clock.set(w->clock.now().addSecs(6 * 60));
    const StatusCode expired = refusalOf(steps.bind());
    QCOMPARE(expired.subjectCode, QStringLiteral("8.10.1"));
    QCOMPARE(w->service->openSessions(), 0);
    // Its package was never bound: the order is the device's to ask for again.
    QCOMPARE(w->service->pendingOrders(), 1);
}

void TestEs9Plus::serviceCancels()
{
    auto w = world();
    w->service->addOrder(orderFor(w->eid));
    Steps steps(*w);
    steps.initiate();
    steps.authenticate();
    // The eUICC's signed cancellation (ES10b.CancelSession), which simulated devices do not
    // offer yet: one with a signature not the device's is refused.
    protocol::CancelSessionResponse cancel;
    cancel.transactionId = steps.transactionId;
    cancel.serverOid = protocol::simfleetObjectIdentifier();
    cancel.reason = protocol::CancelSessionResponse::Reason::EndUserRejection;
    cancel.signature = QByteArray(64, '\x01');
    const StatusCode forged = refusalOf(w->service->cancelSession(CancelSessionRequest { steps.transactionId, cancel.encode() }.toJson()).body.value());
    QCOMPARE(forged.subjectCode, QStringLiteral("8.1"));
    QCOMPARE(w->service->openSessions(), 1);
    const StatusCode unknown = refusalOf(w->service->cancelSession(CancelSessionRequest { QByteArray(4, '\x07'), cancel.encode() }.toJson()).body.value());
    QCOMPARE(unknown.subjectCode, QStringLiteral("8.10.1"));

    // Before AuthenticateClient the transaction ID alone identifies the session.
    auto other = world();
    other->service->addOrder(orderFor(other->eid));
    Steps early(*other);
    early.initiate();
    cancel.transactionId = early.transactionId;
    QCOMPARE(refusalOf(other->service->cancelSession(CancelSessionRequest { early.transactionId, cancel.encode() }.toJson()).body.value()).subjectCode,
             QStringLiteral("success"));
    QCOMPARE(other->service->openSessions(), 0);
    QCOMPARE(other->service->pendingOrders(), 1);
}

void TestEs9Plus::matchingIdInCtxParams()
{
    // The LPA's ctxParams1 with a Matching ID, as the eUICC echoes it under its signature.
    auto w = world();
    Steps steps(*w, {}, QStringLiteral("K7Q2M-0ABCD-EFGH1-23456"));
    steps.initiate();
    auto decoded = protocol::AuthenticateServerResponse::decode(steps.authenticateServerResponse);
    QVERIFY2(decoded, qPrintable(decoded.errorMessage()));
    protocol::AuthenticateServerResponse response = decoded.value();
    QCOMPARE(response.matchingId().value(), QStringLiteral("K7Q2M-0ABCD-EFGH1-23456"));
    Steps none(*w);
    none.initiate();
    QCOMPARE(protocol::AuthenticateServerResponse::decode(none.authenticateServerResponse)->matchingId().value(), QString());
    // A ctxParams1 that is not the common authentication's is refused, not read as "none".
    response.ctxParams1 = QByteArray::fromHex("a100");
    QVERIFY(!response.matchingId());
}

void TestEs9Plus::serviceDownloadsByMatchingId()
{
    auto w = world();
    QList<protocol::es2plus::HandleDownloadProgressInfoRequest> progress;
    w->service->setProgressListener([&progress](const auto &info) { progress.append(info); });
    const QString matchingId = releasedOrder(*w, iccid);
    QVERIFY(protocol::es2plus::isMatchingId(matchingId));
    QCOMPARE(matchingId.size(), 23); // four groups of five, SGP.22 section 4.1's example
    QCOMPARE(w->service->pendingOrders(), 1);
    Steps steps(*w, {}, matchingId);
    QCOMPARE(refusalOf(steps.initiate()).subjectCode, QStringLiteral("success"));
    QCOMPARE(refusalOf(steps.authenticate()).subjectCode, QStringLiteral("success"));
    QCOMPARE(w->service->pendingOrders(), 0);
    const QByteArray bound = steps.bind();
    QCOMPARE(refusalOf(bound).subjectCode, QStringLiteral("success"));
    QVERIFY(!steps.install(bound).isEmpty());
    QCOMPARE(w->service->installations().size(), 1);
    QCOMPARE(w->service->installations().first().iccid, iccid);
    // The order is the device's now: downloaded, bound to its EID, its credentials gone.
    const auto order = w->service->orders()->find(iccid);
    QVERIFY(order);
    QCOMPARE(order->state, profiles::OrderState::Downloaded);
    QCOMPARE(order->order.eid, w->eid);
    QVERIFY(order->order.profile.ki.isEmpty());

    // The operator heard of eligibility, the package and the installation (SGP.22 section 5.3.5).
    QCOMPARE(progress.size(), 3);
    QCOMPARE(progress.at(0).notificationPointId, int(protocol::es2plus::NotificationPoint::EligibilityCheck));
    QCOMPARE(progress.at(1).notificationPointId, int(protocol::es2plus::NotificationPoint::BppDownload));
    QCOMPARE(progress.at(2).notificationPointId, int(protocol::es2plus::NotificationPoint::BppInstallation));
    for (const auto &info : std::as_const(progress)) {
        QCOMPARE(info.iccid, iccid);
        QCOMPARE(info.eid, w->eid);
        QCOMPARE(info.profileType, QStringLiteral("simfleet M2M USIM"));
        QVERIFY(!info.failure);
    }
    QVERIFY(protocol::ProfileInstallationResult::decode(progress.at(2).resultData));

    // The Matching ID served one download.
    Steps again(*w, {}, matchingId);
    again.initiate();
    const StatusCode used = refusalOf(again.authenticate());
    QCOMPARE(used.subjectCode, QStringLiteral("8.2.6"));
    QCOMPARE(used.reasonCode, QStringLiteral("3.8"));
    QCOMPARE(w->service->openSessions(), 0);
}

void TestEs9Plus::serviceRefusesMatchingIds()
{
    auto w = world();
    QList<protocol::es2plus::HandleDownloadProgressInfoRequest> progress;
    w->service->setProgressListener([&progress](const auto &info) { progress.append(info); });
    // One nobody gave out.
    Steps unknown(*w, {}, QStringLiteral("NOBODY-GAVE-THIS"));
    unknown.initiate();
    const StatusCode refused = refusalOf(unknown.authenticate());
    QCOMPARE(refused.subjectCode, QStringLiteral("8.2.6"));
    QCOMPARE(refused.reasonCode, QStringLiteral("3.8"));
    QVERIFY(progress.isEmpty()); // no order identified, nobody to tell

    // One confirmed but not released: SGP.22's "Profile - Not Allowed".
    profiles::DownloadOrder order = orderFor({});
    w->service->orders()->addAllocated(order, QStringLiteral("simfleet M2M USIM"), QStringLiteral("operator"));
    const auto confirmed = w->service->orders()->confirm(iccid, {}, QStringLiteral("HELD-BACK"), false);
    QVERIFY(std::holds_alternative<profiles::BookedOrder>(confirmed));
    Steps early(*w, {}, QStringLiteral("HELD-BACK"));
    early.initiate();
    const StatusCode unreleased = refusalOf(early.authenticate());
    QCOMPARE(unreleased.subjectCode, QStringLiteral("8.2"));
    QCOMPARE(unreleased.reasonCode, QStringLiteral("1.2"));
    // The operator hears that eligibility failed for its order.
    QCOMPARE(progress.size(), 1);
    QCOMPARE(progress.first().iccid, iccid);
    QVERIFY(progress.first().failure);
    QCOMPARE(progress.first().failure->subjectCode, QStringLiteral("8.2"));
    // Released, it downloads.
    QVERIFY(std::holds_alternative<profiles::BookedOrder>(w->service->orders()->release(iccid)));
    Steps released(*w, {}, QStringLiteral("HELD-BACK"));
    released.initiate();
    QCOMPARE(refusalOf(released.authenticate()).subjectCode, QStringLiteral("success"));
    // While that session holds it, nobody else gets it.
    Steps second(*w, {}, QStringLiteral("HELD-BACK"));
    second.initiate();
    QCOMPARE(refusalOf(second.authenticate()).subjectCode, QStringLiteral("8.2.6"));
}

void TestEs9Plus::serviceRefusesOrderOfAnotherEid()
{
    auto w = world(QStringLiteral("smdp.nordtel.example"), 2);
    const QString forSecond = releasedOrder(*w, iccid, w->eids.at(1));
    Steps first(*w, w->eids.at(0), forSecond);
    first.initiate();
    const StatusCode refused = refusalOf(first.authenticate());
    QCOMPARE(refused.subjectCode, QStringLiteral("8.1.1"));
    QCOMPARE(refused.reasonCode, QStringLiteral("3.8"));
    QVERIFY(!refused.message.contains(w->eids.at(1))); // whose it is stays the operator's business
    QCOMPARE(w->service->pendingOrders(), 1);
    Steps second(*w, w->eids.at(1), forSecond);
    second.initiate();
    QCOMPARE(refusalOf(second.authenticate()).subjectCode, QStringLiteral("success"));
    QCOMPARE(refusalOf(second.bind()).subjectCode, QStringLiteral("success"));
}

void TestEs9Plus::serviceHandsBackUnboundOrders()
{
    // A session that ends before its package is bound did not use the Matching ID.
    auto w = world();
    const QString matchingId = releasedOrder(*w, iccid);
    Steps steps(*w, {}, matchingId);
    steps.initiate();
    QCOMPARE(refusalOf(steps.authenticate()).subjectCode, QStringLiteral("success"));
    w->clock.set(w->clock.now().addSecs(6 * 60));
    QCOMPARE(refusalOf(steps.bind()).subjectCode, QStringLiteral("8.10.1"));
    QCOMPARE(w->service->pendingOrders(), 1);
    Steps again(*w, {}, matchingId);
    again.initiate();
    QCOMPARE(refusalOf(again.authenticate()).subjectCode, QStringLiteral("success"));
    QCOMPARE(refusalOf(again.bind()).subjectCode, QStringLiteral("success"));
}

void TestEs9Plus::serviceDeliversNothingCancelled()
{
    // The operator cancels while a session holds the order: the package does not leave.
    auto w = world();
    const QString matchingId = releasedOrder(*w, iccid);
    Steps steps(*w, {}, matchingId);
    steps.initiate();
    QCOMPARE(refusalOf(steps.authenticate()).subjectCode, QStringLiteral("success"));
    QVERIFY(std::holds_alternative<profiles::BookedOrder>(
        w->service->orders()->cancel(iccid, {}, std::nullopt, protocol::es2plus::FinalProfileStatus::Unavailable)));
    const StatusCode refused = refusalOf(steps.bind());
    QCOMPARE(refused.subjectCode, QStringLiteral("8.10.1"));
    QVERIFY2(refused.message.contains(QStringLiteral("cancelled")), qPrintable(refused.message));
    QCOMPARE(w->service->openSessions(), 0);
    QCOMPARE(w->service->pendingOrders(), 0);
    QCOMPARE(w->service->orders()->find(iccid)->state, profiles::OrderState::Cancelled);
}

QTEST_GUILESS_MAIN(TestEs9Plus)
#include "tst_es9plus.moc"
