// ES2+ (SGP.22 section 5.3 in the JSON binding of 6.5.1) as the operator uses it: the codecs both
// ways and every way a hostile body is refused; the service's orders through their states
// (allocated, confirmed, released, downloaded, cancelled) with SGP.22's codes for each wrong
// step; numbers allocated from a workspace's operator ranges without a device, burnt and
// audited. tst_es2plushttps serves the same over mutually authenticated TLS.
#include "profiles/credentialissuer.h"
#include "profiles/workspaceprofileallocator.h"
#include "simulation/demoworkspace.h"
#include "store/auditlog.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include "es2world.h"
#include "testsession.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace simfleet;
using namespace simfleet::protocol::es2plus;
using simfleet::testing::es9::World;
using simfleet::testing::es9::refusalOf;
namespace es2 = simfleet::testing::es2;

namespace {

const QString eidA = QStringLiteral("89049032000000000000000000014810");

StatusCode codeOf(const Parsed<DownloadOrderRequest> &parsed)
{
    return std::holds_alternative<StatusCode>(parsed) ? std::get<StatusCode>(parsed) : StatusCode { QStringLiteral("parsed"), {}, {}, {} };
}

QByteArray downloadOrder(profiles::Es2PlusService &s, const QString &eid = {}, const QString &iccid = {}, const QString &type = {})
{
    return s.downloadOrder(DownloadOrderRequest { es2::header(), eid, iccid, type }.toJson());
}

QByteArray confirmOrder(profiles::Es2PlusService &s, const QString &iccid, bool release, std::optional<QString> matchingId = std::nullopt,
                        const QString &eid = {})
{
    ConfirmOrderRequest request;
    request.header = es2::header();
    request.iccid = iccid;
    request.eid = eid;
    request.matchingId = std::move(matchingId);
    request.releaseFlag = release;
    return s.confirmOrder(request.toJson());
}

QByteArray cancelOrder(profiles::Es2PlusService &s, const QString &iccid, FinalProfileStatus final, const QString &eid = {},
                       std::optional<QString> matchingId = std::nullopt)
{
    return s.cancelOrder(CancelOrderRequest { es2::header(), iccid, eid, std::move(matchingId), final }.toJson());
}

QByteArray releaseProfile(profiles::Es2PlusService &s, const QString &iccid)
{
    return s.releaseProfile(ReleaseProfileRequest { es2::header(), iccid }.toJson());
}

QString codes(const QByteArray &answer)
{
    const StatusCode status = refusalOf(answer);
    return status.reasonCode.isEmpty() ? status.subjectCode : status.subjectCode + u'/' + status.reasonCode;
}

} // namespace

class TestEs2Plus : public QObject
{
    Q_OBJECT

private slots:
    void requestsRoundTrip();
    void hostileBodies_data();
    void hostileBodies();
    void progressInfoRoundTrip();

    void ordersThroughTheirStates();
    void downloadOrderRefusals();
    void confirmOrderRefusals();
    void defaultSmdpOrder();
    void cancelOrderRefusals();
    void cancelledProfileBackInStock();

    void allocationBurnsNumbersWithoutDevice();
};

void TestEs2Plus::requestsRoundTrip()
{
    const DownloadOrderRequest order { es2::header(), eidA, QStringLiteral("8999901000000000017"), QStringLiteral("simfleet M2M USIM") };
    const QJsonObject json = QJsonDocument::fromJson(order.toJson()).object();
    // Section 6.5.1.3: every request carries the requester and the call.
    QCOMPARE(json.value(QStringLiteral("header")).toObject().value(QStringLiteral("functionRequesterIdentifier")).toString(),
             QStringLiteral("nordtel-ops"));
    auto back = DownloadOrderRequest::fromJson(order.toJson());
    QVERIFY(std::holds_alternative<DownloadOrderRequest>(back));
    QCOMPARE(std::get<DownloadOrderRequest>(back).eid, eidA);
    QCOMPARE(std::get<DownloadOrderRequest>(back).iccid, order.iccid);
    QCOMPARE(std::get<DownloadOrderRequest>(back).header.functionCallIdentifier, QStringLiteral("call-1"));
    // Nothing but the header: a profile of any number for any eUICC.
    auto bare = DownloadOrderRequest::fromJson(R"({"header":{"functionRequesterIdentifier":"a","functionCallIdentifier":"b"}})");
    QVERIFY(std::holds_alternative<DownloadOrderRequest>(bare));
    QVERIFY(std::get<DownloadOrderRequest>(bare).iccid.isEmpty());
    // A 19-digit ICCID padded with F to 20 (E.118) reads without the padding.
    auto padded = DownloadOrderRequest::fromJson(
        R"({"header":{"functionRequesterIdentifier":"a","functionCallIdentifier":"b"},"iccid":"8999901000000000017F"})");
    QCOMPARE(std::get<DownloadOrderRequest>(padded).iccid, QStringLiteral("8999901000000000017"));

    // A Matching ID sent empty is not one left out (the default SM-DP+ case against "make one").
    ConfirmOrderRequest confirm;
    confirm.header = es2::header();
    confirm.iccid = QStringLiteral("8999901000000000017");
    confirm.matchingId = QString();
    confirm.releaseFlag = true;
    auto confirmBack = ConfirmOrderRequest::fromJson(confirm.toJson());
    QVERIFY(std::holds_alternative<ConfirmOrderRequest>(confirmBack));
    QVERIFY(std::get<ConfirmOrderRequest>(confirmBack).matchingId.has_value());
    QVERIFY(std::get<ConfirmOrderRequest>(confirmBack).matchingId->isEmpty());
    QVERIFY(std::get<ConfirmOrderRequest>(confirmBack).releaseFlag);
    confirm.matchingId.reset();
    QVERIFY(!std::get<ConfirmOrderRequest>(ConfirmOrderRequest::fromJson(confirm.toJson())).matchingId.has_value());

    const CancelOrderRequest cancel { es2::header(), QStringLiteral("8999901000000000017"), {}, QStringLiteral("AB-12"), FinalProfileStatus::Available };
    auto cancelBack = CancelOrderRequest::fromJson(cancel.toJson());
    QVERIFY(std::holds_alternative<CancelOrderRequest>(cancelBack));
    QCOMPARE(std::get<CancelOrderRequest>(cancelBack).finalProfileStatusIndicator, FinalProfileStatus::Available);
    QCOMPARE(std::get<CancelOrderRequest>(cancelBack).matchingId, std::optional(QStringLiteral("AB-12")));

    QCOMPARE(functionPath(Function::ConfirmOrder), QStringLiteral("/gsma/rsp2/es2plus/confirmOrder"));
    QCOMPARE(functionFromName(u"releaseProfile"), std::optional(Function::ReleaseProfile));
    QVERIFY(!functionFromName(u"initiateAuthentication"));
    QVERIFY(isMatchingId(u"04386-AGYFT-A74Y8-3F815")); // SGP.22 section 4.1's example
    QVERIFY(!isMatchingId(u"lower-case"));
    QVERIFY(!isMatchingId(QString(256, u'A')));
}

void TestEs2Plus::hostileBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("subjectIdentifier");
    const QByteArray header = R"("header":{"functionRequesterIdentifier":"a","functionCallIdentifier":"b"})";
    QTest::newRow("not JSON") << QByteArray("{\"header\": ") << QStringLiteral("1.6/2.1") << QStringLiteral("body");
    QTest::newRow("no header") << QByteArray(R"({"eid":"89049032000000000000000000000148"})") << QStringLiteral("1.6/2.2")
                               << QStringLiteral("header");
    QTest::newRow("header not an object") << QByteArray(R"({"header":"me"})") << QStringLiteral("1.6/2.1") << QStringLiteral("header");
    QTest::newRow("no call identifier") << QByteArray(R"({"header":{"functionRequesterIdentifier":"a"}})") << QStringLiteral("1.6/2.2")
                                        << QStringLiteral("header.functionCallIdentifier");
    QTest::newRow("EID of 31 digits") << QByteArray("{" + header + R"(,"eid":"8904903200000000000000000000014"})")
                                      << QStringLiteral("1.6/2.1") << QStringLiteral("eid");
    QTest::newRow("EID a number") << QByteArray("{" + header + R"(,"eid":89049032})") << QStringLiteral("1.6/2.1") << QStringLiteral("eid");
    QTest::newRow("ICCID letters") << QByteArray("{" + header + R"(,"iccid":"89999010000000000AB"})") << QStringLiteral("1.6/2.1")
                                   << QStringLiteral("iccid");
    QTest::newRow("ICCID short") << QByteArray("{" + header + R"(,"iccid":"899990100000000"})") << QStringLiteral("1.6/2.1")
                                 << QStringLiteral("iccid");
    QTest::newRow("profile type long") << QByteArray("{" + header + R"(,"profileType":")" + QByteArray(65, 'x') + R"("})")
                                       << QStringLiteral("1.6/2.1") << QStringLiteral("profileType");
    QTest::newRow("oversized") << QByteArray("{" + header + R"(,"profileType":")" + QByteArray(maxRequestBytes, 'x') + R"("})")
                               << QStringLiteral("1.6/2.1") << QStringLiteral("body");
}

void TestEs2Plus::hostileBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    QFETCH(QString, subjectIdentifier);
    const StatusCode status = codeOf(DownloadOrderRequest::fromJson(body));
    QCOMPARE(status.subjectCode + u'/' + status.reasonCode, code);
    QCOMPARE(status.subjectIdentifier, subjectIdentifier);
    QVERIFY(!status.message.isEmpty());

    // The other functions' own refusals.
    const auto with = [](const char *members) -> QByteArray {
        return QByteArray(R"({"header":{"functionRequesterIdentifier":"a","functionCallIdentifier":"b"})") + members + '}';
    };
    const auto confirm = ConfirmOrderRequest::fromJson(with(R"(,"iccid":"8999901000000000017","releaseFlag":"yes")"));
    QCOMPARE(std::get<StatusCode>(confirm).subjectIdentifier, QStringLiteral("releaseFlag"));
    const auto badMatching = ConfirmOrderRequest::fromJson(with(R"(,"iccid":"8999901000000000017","releaseFlag":true,"matchingId":"a b")"));
    QCOMPARE(std::get<StatusCode>(badMatching).subjectCode, QStringLiteral("8.2.6")); // Matching ID - Invalid
    QCOMPARE(std::get<StatusCode>(badMatching).reasonCode, QStringLiteral("2.1"));
    // Section 5.3.3's own code for CancelOrder's mandatory inputs.
    const auto noIndicator = CancelOrderRequest::fromJson(with(R"(,"iccid":"8999901000000000017")"));
    QCOMPARE(std::get<StatusCode>(noIndicator).subjectCode, QStringLiteral("8.2.1"));
    QCOMPARE(std::get<StatusCode>(noIndicator).reasonCode, QStringLiteral("2.2"));
    QCOMPARE(std::get<StatusCode>(noIndicator).subjectIdentifier, QStringLiteral("finalProfileStatusIndicator"));
    const auto badIndicator = CancelOrderRequest::fromJson(with(R"(,"iccid":"8999901000000000017","finalProfileStatusIndicator":"Gone")"));
    QCOMPARE(std::get<StatusCode>(badIndicator).subjectCode, QStringLiteral("1.6"));
    QVERIFY(std::holds_alternative<StatusCode>(ReleaseProfileRequest::fromJson(with(""))));
}

void TestEs2Plus::progressInfoRoundTrip()
{
    HandleDownloadProgressInfoRequest info;
    info.header = es2::header();
    info.eid = eidA;
    info.iccid = QStringLiteral("8999901000000000017");
    info.profileType = QStringLiteral("simfleet M2M USIM");
    info.timestamp = QDateTime(QDate(2026, 3, 1), QTime(12, 30, 5), Qt::UTC);
    info.notificationPointId = int(NotificationPoint::BppInstallation);
    info.failure = protocol::jsonbinding::statusCode("8.2.10", "4.2", QStringLiteral("boundProfilePackage"), QStringLiteral("no memory"));
    info.resultData = QByteArray::fromHex("bf3703800101");
    const QJsonObject json = QJsonDocument::fromJson(info.toJson()).object();
    // W3C's YYYY-MM-DDThh:mm:ssTZD, and the status as functionExecutionStatus is written.
    QCOMPARE(json.value(QStringLiteral("timestamp")).toString(), QStringLiteral("2026-03-01T12:30:05Z"));
    QCOMPARE(json.value(QStringLiteral("notificationPointStatus")).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("Failed"));
    auto back = HandleDownloadProgressInfoRequest::fromJson(info.toJson());
    QVERIFY(std::holds_alternative<HandleDownloadProgressInfoRequest>(back));
    const auto &read = std::get<HandleDownloadProgressInfoRequest>(back);
    QCOMPARE(read.timestamp, info.timestamp);
    QCOMPARE(read.notificationPointId, 4);
    QCOMPARE(read.failure, info.failure);
    QCOMPARE(read.resultData, info.resultData);
    // Another zone, and the point as a decimal string, as some operators' systems write them.
    QJsonObject other = json;
    other.insert(QStringLiteral("timestamp"), QStringLiteral("2026-03-01T14:30:05+02:00"));
    other.insert(QStringLiteral("notificationPointId"), QStringLiteral("4"));
    auto zoned = HandleDownloadProgressInfoRequest::fromJson(QJsonDocument(other).toJson());
    QVERIFY(std::holds_alternative<HandleDownloadProgressInfoRequest>(zoned));
    QCOMPARE(std::get<HandleDownloadProgressInfoRequest>(zoned).timestamp, info.timestamp);
    other.insert(QStringLiteral("timestamp"), QStringLiteral("2026-03-01T12:30:05")); // no zone: when was that?
    QVERIFY(std::holds_alternative<StatusCode>(HandleDownloadProgressInfoRequest::fromJson(QJsonDocument(other).toJson())));
}

void TestEs2Plus::ordersThroughTheirStates()
{
    auto w = testing::es9::world();
    auto numbers = std::make_shared<es2::Numbers>();
    auto s = es2::service(*w, numbers);
    QCOMPARE(s->profileType(), w->server->profileTemplate().summary().profileType);
    const QString iccid = es2::orderedIccid(downloadOrder(*s));
    QCOMPARE(iccid, es2::iccidNumber(1));
    QCOMPARE(w->service->orders()->find(iccid)->state, profiles::OrderState::Allocated);
    QCOMPARE(w->service->pendingOrders(), 0); // allocated is not downloadable
    // Confirmed without release: a Matching ID, but nothing to download yet.
    const ConfirmOrderResponse answer = es2::confirmed(confirmOrder(*s, iccid, false));
    QVERIFY2(isMatchingId(answer.matchingId), qPrintable(answer.matchingId));
    QCOMPARE(answer.smdpAddress, w->server->address());
    QVERIFY(answer.eid.isEmpty());
    QCOMPARE(w->service->orders()->find(iccid)->state, profiles::OrderState::Confirmed);
    QCOMPARE(codes(confirmOrder(*s, iccid, true)), QStringLiteral("8.2.1/3.5")); // confirmed twice
    QCOMPARE(codes(releaseProfile(*s, iccid)), QStringLiteral("success"));
    QCOMPARE(w->service->orders()->find(iccid)->state, profiles::OrderState::Released);
    QCOMPARE(w->service->pendingOrders(), 1);
    QCOMPARE(codes(releaseProfile(*s, iccid)), QStringLiteral("8.2.1/3.5")); // released twice
    // An eUICC takes it and its package is bound: downloaded, nothing more to do with it.
    auto taken = w->service->orders()->takeForDownload(w->eid, answer.matchingId);
    QVERIFY(std::holds_alternative<profiles::BookedOrder>(taken));
    QVERIFY(w->service->orders()->markDownloaded(std::get<profiles::BookedOrder>(taken).id, w->eid));
    QCOMPARE(codes(cancelOrder(*s, iccid, FinalProfileStatus::Available)), QStringLiteral("8.2.1/3.3"));
    QCOMPARE(codes(releaseProfile(*s, iccid)), QStringLiteral("8.2.1/3.3"));
    QCOMPARE(numbers->allocated, 1);
}

void TestEs2Plus::downloadOrderRefusals()
{
    auto w = testing::es9::world();
    auto numbers = std::make_shared<es2::Numbers>();
    numbers->left = 1;
    auto s = es2::service(*w, numbers);
    // An EID whose check digits are wrong (SGP.29): EID - Invalid.
    QCOMPARE(codes(downloadOrder(*s, QStringLiteral("89049032000000000000000000000149"))), QStringLiteral("8.1.1/2.1"));
    QCOMPARE(codes(downloadOrder(*s, {}, {}, QStringLiteral("Consumer eSIM"))), QStringLiteral("8.2.5/3.9"));
    QCOMPARE(codes(downloadOrder(*s, {}, es2::iccidNumber(77))), QStringLiteral("8.2.1/3.9")); // not in stock
    QCOMPARE(numbers->allocated, 0); // none of these took a number
    const QString iccid = es2::orderedIccid(downloadOrder(*s, eidA, {}, s->profileType()));
    QVERIFY(!iccid.isEmpty());
    QCOMPARE(w->service->orders()->find(iccid)->order.eid, eidA);
    // The operator's range is exhausted: Profile Type - Unavailable.
    const StatusCode exhausted = refusalOf(downloadOrder(*s));
    QCOMPARE(exhausted.subjectCode + u'/' + exhausted.reasonCode, QStringLiteral("8.2.5/3.7"));
    QVERIFY(exhausted.message.contains(QStringLiteral("exhausted")));
    // An ordered profile is not ordered again.
    QCOMPARE(codes(downloadOrder(*s, {}, iccid)), QStringLiteral("8.2.1/3.3"));
}

void TestEs2Plus::confirmOrderRefusals()
{
    auto w = testing::es9::world();
    auto s = es2::service(*w);
    QCOMPARE(codes(confirmOrder(*s, es2::iccidNumber(50), true)), QStringLiteral("8.2.1/3.9"));
    const QString iccid = es2::orderedIccid(downloadOrder(*s, eidA));
    // Another eUICC than the order's: EID - Invalid Association.
    QCOMPARE(codes(confirmOrder(*s, iccid, true, std::nullopt, w->eid)), QStringLiteral("8.1.1/3.10"));
    ConfirmOrderRequest withCode;
    withCode.header = es2::header();
    withCode.iccid = iccid;
    withCode.confirmationCode = QStringLiteral("1234");
    withCode.releaseFlag = true;
    QCOMPARE(codes(s->confirmOrder(withCode.toJson())), QStringLiteral("8.2.7/3.1"));
    ConfirmOrderRequest withSmds = withCode;
    withSmds.confirmationCode.reset();
    withSmds.smdsAddress = QStringLiteral("lpa.ds.gsma.com");
    QCOMPARE(codes(s->confirmOrder(withSmds.toJson())), QStringLiteral("8.9/5.1"));
    QCOMPARE(w->service->orders()->find(iccid)->state, profiles::OrderState::Allocated); // nothing changed
    // The operator's own Matching ID is taken as given, and is never given twice.
    const ConfirmOrderResponse own = es2::confirmed(confirmOrder(*s, iccid, true, QStringLiteral("NORDTEL-0001")));
    QCOMPARE(own.matchingId, QStringLiteral("NORDTEL-0001"));
    QCOMPARE(own.eid, eidA);
    const QString other = es2::orderedIccid(downloadOrder(*s));
    QCOMPARE(codes(confirmOrder(*s, other, true, QStringLiteral("NORDTEL-0001"))), QStringLiteral("8.2.6/3.3"));
    // Nor after its order was cancelled.
    QCOMPARE(codes(cancelOrder(*s, iccid, FinalProfileStatus::Unavailable)), QStringLiteral("success"));
    QCOMPARE(codes(confirmOrder(*s, other, true, QStringLiteral("NORDTEL-0001"))), QStringLiteral("8.2.6/3.3"));
}

void TestEs2Plus::defaultSmdpOrder()
{
    // An empty Matching ID: the eUICC downloads by its EID (SGP.22 section 3.1.1), so the order
    // must name one.
    auto w = testing::es9::world();
    auto s = es2::service(*w);
    const QString anyone = es2::orderedIccid(downloadOrder(*s));
    QCOMPARE(codes(confirmOrder(*s, anyone, true, QString())), QStringLiteral("8.1.1/2.2"));
    const ConfirmOrderResponse answer = es2::confirmed(confirmOrder(*s, anyone, true, QString(), w->eid));
    QCOMPARE(answer.matchingId, QString());
    QCOMPARE(answer.eid, w->eid);
    auto taken = w->service->orders()->takeForDownload(w->eid, {});
    QVERIFY(std::holds_alternative<profiles::BookedOrder>(taken));
    QCOMPARE(std::get<profiles::BookedOrder>(taken).order.profile.iccid, anyone);
}

void TestEs2Plus::cancelOrderRefusals()
{
    auto w = testing::es9::world();
    auto s = es2::service(*w);
    QCOMPARE(codes(cancelOrder(*s, es2::iccidNumber(50), FinalProfileStatus::Unavailable)), QStringLiteral("8.2.1/3.9"));
    const QString iccid = es2::orderedIccid(downloadOrder(*s, eidA));
    const QString matchingId = es2::confirmed(confirmOrder(*s, iccid, true)).matchingId;
    QCOMPARE(codes(cancelOrder(*s, iccid, FinalProfileStatus::Unavailable, w->eid)), QStringLiteral("8.1.1/3.10"));
    QCOMPARE(codes(cancelOrder(*s, iccid, FinalProfileStatus::Unavailable, {}, QStringLiteral("OTHER-ONE"))), QStringLiteral("8.2.6/3.10"));
    QCOMPARE(w->service->pendingOrders(), 1);
    QCOMPARE(codes(cancelOrder(*s, iccid, FinalProfileStatus::Unavailable, eidA, matchingId)), QStringLiteral("success"));
    QCOMPARE(w->service->pendingOrders(), 0);
    const auto cancelled = w->service->orders()->find(iccid);
    QCOMPARE(cancelled->state, profiles::OrderState::Cancelled);
    QVERIFY(cancelled->order.profile.ki.isEmpty()); // the credentials are gone with the order
    QCOMPARE(codes(cancelOrder(*s, iccid, FinalProfileStatus::Unavailable)), QStringLiteral("8.2.1/3.5"));
    QCOMPARE(codes(confirmOrder(*s, iccid, true)), QStringLiteral("8.2.1/3.5"));
    // Unavailable: the number is burnt, not ordered again.
    QCOMPARE(codes(downloadOrder(*s, {}, iccid)), QStringLiteral("8.2.1/3.3"));
    // The eUICC that had the activation code finds nothing.
    auto taken = w->service->orders()->takeForDownload(eidA, matchingId);
    QVERIFY(std::holds_alternative<profiles::DownloadRefusal>(taken));
    QCOMPARE(std::get<profiles::DownloadRefusal>(taken).status.subjectCode, QStringLiteral("8.2.6"));
}

void TestEs2Plus::cancelledProfileBackInStock()
{
    auto w = testing::es9::world();
    auto numbers = std::make_shared<es2::Numbers>();
    auto s = es2::service(*w, numbers);
    const QString iccid = es2::orderedIccid(downloadOrder(*s, eidA));
    const QString matchingId = es2::confirmed(confirmOrder(*s, iccid, true)).matchingId;
    QCOMPARE(codes(cancelOrder(*s, iccid, FinalProfileStatus::Available)), QStringLiteral("success"));
    QCOMPARE(w->service->orders()->find(iccid)->state, profiles::OrderState::Available);
    QVERIFY(w->service->orders()->find(iccid)->order.eid.isEmpty());
    // The next order takes it from stock instead of burning a new number.
    QCOMPARE(es2::orderedIccid(downloadOrder(*s)), iccid);
    QCOMPARE(numbers->allocated, 1);
    // With a new Matching ID: the old one stays used.
    const QString again = es2::confirmed(confirmOrder(*s, iccid, true)).matchingId;
    QVERIFY(!again.isEmpty());
    QVERIFY(again != matchingId);
    QVERIFY(std::holds_alternative<profiles::DownloadRefusal>(w->service->orders()->takeForDownload(w->eid, matchingId)));
    QVERIFY(std::holds_alternative<profiles::BookedOrder>(w->service->orders()->takeForDownload(w->eid, again)));
}

void TestEs2Plus::allocationBurnsNumbersWithoutDevice()
{
    QTemporaryDir dir;
    auto created = simulation::DemoWorkspace::create(dir.filePath(QStringLiteral("es2.simfleet")), nullptr, { 3, 0, 0, false });
    QVERIFY2(created, qPrintable(created.errorMessage()));
    store::Workspace &ws = *created.value();
    const store::OperatorRecord before = store::OperatorRepository(ws.database()).list().value().first();
    const auto profileRows = [&ws] {
        QSqlQuery q(ws.database());
        return q.exec(QStringLiteral("SELECT COUNT(*) FROM profile")) && q.next() ? q.value(0).toLongLong() : -1;
    };
    const qint64 rowsBefore = profileRows();

    QList<protocol::ProfileContent> allocated;
    auto done = ws.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto made = profiles::CredentialIssuer::allocate(db, ws.vault(), before.id, 2);
        if (!made)
            return made.error();
        allocated = std::move(made).value();
        return {};
    });
    QVERIFY2(done, qPrintable(done.errorMessage()));
    QCOMPARE(allocated.size(), 2);
    QVERIFY(allocated.at(0).iccid != allocated.at(1).iccid);
    QVERIFY(allocated.at(0).imsi.startsWith(before.mcc + before.mnc));
    QCOMPARE(allocated.at(0).ki.size(), std::size_t(16));
    QCOMPARE(profileRows(), rowsBefore); // no profile row: no device has these numbers
    const store::OperatorRecord after = *store::OperatorRepository(ws.database()).find(before.id).value();
    QCOMPARE(after.iccidNext, before.iccidNext + 2);
    QCOMPARE(after.msinNext, before.msinNext + 2);

    // Through the allocator ES2+ uses: one more, and the audit log says who burnt it.
    const profiles::WorkspaceProfileAllocator allocator(ws, testing::ownerOf(ws), after);
    auto order = allocator(QStringLiteral("nordtel-ops"));
    QVERIFY2(order, qPrintable(order.errorMessage()));
    QVERIFY(order->eid.isEmpty());
    QCOMPARE(order->metadata.plmn, before.mcc + before.mnc);
    QVERIFY(order->profile.iccid != allocated.at(1).iccid);
    QSqlDatabase reader = ws.database();
    const auto entries = store::AuditLog::newestFirst(reader, QStringLiteral("es2plus"), 0, 5).value();
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().action, QStringLiteral("operator.es2plus-order"));
    QVERIFY(entries.first().details.contains(order->profile.iccid));
    QVERIFY(entries.first().details.contains(QStringLiteral("nordtel-ops")));

    // A range run dry refuses, and takes nothing.
    auto exhausted = ws.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto made = profiles::CredentialIssuer::allocate(db, ws.vault(), before.id, after.iccidLast - after.iccidNext + 5);
        return made ? Result<void>() : Result<void>(made.error());
    });
    QVERIFY(!exhausted);
    QCOMPARE(exhausted.error().code, ErrorCode::RangeExhausted);
    QCOMPARE(store::OperatorRepository(ws.database()).find(before.id).value()->iccidNext, after.iccidNext + 1);
}

QTEST_GUILESS_MAIN(TestEs2Plus)
#include "tst_es2plus.moc"
