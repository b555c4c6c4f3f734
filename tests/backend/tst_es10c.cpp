// The ES10c messages (profile management), the notification messages and EUICCInfo1 as SGP.22
// v2.5's ASN.1 module (../shared/spec/RSPDefinitions.asn1, AUTOMATIC TAGS) has them: known
// answers worked out from the module by hand, round trips, and what a hostile or broken party
// might send, each refused with a message. Then the same messages between the backend and a
// simulated device: its profiles listed, enabled, disabled and deleted, its notifications kept
// across a restart, collected, checked and removed.
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "devices/euiccprofiles.h"
#include "devices/notificationcollector.h"
#include "identity/eid.h"
#include "profiles/profileserver.h"
#include "simulation/simulatedfield.h"
#include "protocol/euiccinfo.h"
#include "protocol/notifications.h"
#include "protocol/profileinstallationresult.h"
#include "protocol/profilemanagement.h"
#include "protocol/profilemetadata.h"

#include <QTemporaryDir>
#include "acmemeter.h"
#include "sampleorder.h"

#include <QTest>

using namespace simfleet;
using namespace simfleet::protocol;

namespace {

const QString iccid = QStringLiteral("8999901000000000017");
// EF.ICCID of it (ETSI TS 102 221 section 13.2): digits swapped in pairs, 'F' after the 19th.
const QByteArray iccidTlv = QByteArray::fromHex("5a0a989909010000000010f7");
const QString address = QStringLiteral("smdp.nordtel.example");

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

// A TLV with a one-byte tag or two, and a short length: for hand-made hostile messages.
QByteArray tlv(const char *tagHex, const QByteArray &content)
{
    return hex(tagHex) + char(content.size()) + content;
}

NotificationMetadata sampleMetadata()
{
    return { 5, NotificationEvent::Enable, address, iccid };
}

constexpr std::chrono::seconds patience(5);

template<typename T>
Result<T> ask(const devices::Answer<T> &answer)
{
    return answer.wait(patience, QStringLiteral("test"));
}

// One simulated device of manufacturer Acme, certified under a CI the test makes, and the
// profile server Nordtel under the same CI.
struct OneDevice
{
    QTemporaryDir dir;
    crypto::CertifiedKey ci;
    crypto::CertifiedKey eum;
    crypto::CertifiedKey serverKey;
    QString eid;
    std::unique_ptr<simulation::SimulatedField> field;

    crypto::ChainVerifier trust() const
    {
        crypto::ChainVerifier v;
        v.addTrustAnchor(ci.certificate);
        return v;
    }
    QString fieldPath() const { return dir.filePath(QStringLiteral("es10c.field")); }
};

std::unique_ptr<OneDevice> oneDevice()
{
    auto d = std::make_unique<OneDevice>();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
    d->ci = crypto::demopki::createCertificateIssuer(QStringLiteral("ES10c CI"), validity).value();
    d->eum = crypto::demopki::createManufacturer(d->ci, QStringLiteral("Acme"), QStringLiteral("DE"), QStringLiteral("89049032"),
                                                 validity)
                 .value();
    d->serverKey = crypto::demopki::createProfileServer(d->ci, QStringLiteral("Nordtel"), QStringLiteral("SE"), address, validity).value();
    d->eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000001")).value().toString();
    d->field = simulation::SimulatedField::create(d->fieldPath(), QByteArray(32, '\x17'), d->ci.certificate,
                                                  { { QStringLiteral("Acme"), QStringLiteral("89049032"), 1, d->eum } },
                                                  { testing::acmeMeter(d->eid) })
                   .value();
    return d;
}

profiles::DownloadOrder orderFor(const QString &eid)
{
    return testing::sampleOrder(eid);
}

QList<NotificationMetadata> pending(devices::DeviceLink &link)
{
    auto answer = ask(link.listNotifications(ListNotificationRequest {}.encode()));
    auto list = answer ? ListNotificationResponse::decode(answer.value()) : Result<ListNotificationResponse>(answer.error());
    return list ? list->notifications : QList<NotificationMetadata> { { -1, NotificationEvent::Install, {}, {} } };
}

// A link that spoils the signature of every notification the device hands out, as a party on
// the path would.
class SpoilingLink : public devices::DeviceLink
{
public:
    explicit SpoilingLink(std::unique_ptr<devices::DeviceLink> inner) : m_inner(std::move(inner)) { }
    QString eid() const override { return m_inner->eid(); }
    devices::Answer<devices::DeviceInfo> info() override { return m_inner->info(); }
    devices::Answer<QByteArray> attest(const QByteArray &r) override { return m_inner->attest(r); }
    devices::Answer<QByteArray> profilesInfo(const QByteArray &r) override { return m_inner->profilesInfo(r); }
    devices::Answer<QByteArray> enableProfile(const QByteArray &r) override { return m_inner->enableProfile(r); }
    devices::Answer<QByteArray> disableProfile(const QByteArray &r) override { return m_inner->disableProfile(r); }
    devices::Answer<QByteArray> deleteProfile(const QByteArray &r) override { return m_inner->deleteProfile(r); }
    devices::Answer<QByteArray> listNotifications(const QByteArray &r) override { return m_inner->listNotifications(r); }
    devices::Answer<QByteArray> retrieveNotifications(const QByteArray &r) override
    {
        return m_inner->retrieveNotifications(r).map<QByteArray>([](const QByteArray &bytes) -> Result<QByteArray> {
            auto list = RetrieveNotificationsListResponse::decode(bytes).value();
            for (PendingNotification &n : list.notifications) {
                if (auto *other = std::get_if<OtherSignedNotification>(&n.content))
                    other->signature[10] = char(other->signature[10] ^ 0x01);
            }
            return list.encode();
        });
    }
    devices::Answer<QByteArray> removeNotification(const QByteArray &r) override { return m_inner->removeNotification(r); }
    devices::Answer<QByteArray> euiccInfo1() override { return m_inner->euiccInfo1(); }
    devices::Answer<QByteArray> challenge() override { return m_inner->challenge(); }
    devices::Answer<QByteArray> authenticateServer(const QByteArray &r) override { return m_inner->authenticateServer(r); }
    devices::Answer<QByteArray> prepareDownload(const QByteArray &r) override { return m_inner->prepareDownload(r); }
    devices::Answer<QByteArray> loadBoundPackage(const QByteArray &r) override { return m_inner->loadBoundPackage(r); }
    devices::Answer<devices::AttachReport> attach(const QByteArray &rand, const QByteArray &autn) override
    {
        return m_inner->attach(rand, autn);
    }

private:
    std::unique_ptr<devices::DeviceLink> m_inner;
};

} // namespace

class TestEs10c : public QObject
{
    Q_OBJECT

private slots:
    // EnableProfileRequest ::= [49] SEQUENCE { profileIdentifier CHOICE {...}, refreshFlag BOOLEAN }:
    // no component is tagged, so the automatic tags apply: [0] around the CHOICE (explicit, as
    // for any CHOICE) and [1] on the BOOLEAN. DeleteProfileRequest is the [51] CHOICE itself.
    void profileOperationRequests_data()
    {
        QTest::addColumn<int>("operation");
        QTest::addColumn<bool>("refresh");
        QTest::addColumn<QByteArray>("expected");
        // BF31 11 | A0 0C (5A 0A ICCID) | 81 01 FF
        QTest::newRow("enable, refresh") << int(ProfileOperation::Enable) << true
                                         << hex("bf3111" "a00c" "5a0a989909010000000010f7" "8101ff");
        // BF32 11 | A0 0C (5A 0A ICCID) | 81 01 00
        QTest::newRow("disable, no refresh") << int(ProfileOperation::Disable) << false
                                             << hex("bf3211" "a00c" "5a0a989909010000000010f7" "810100");
        // BF33 0C | 5A 0A ICCID: the CHOICE's alternative right inside the explicit [51]
        QTest::newRow("delete") << int(ProfileOperation::Delete) << true << hex("bf330c" "5a0a989909010000000010f7");
    }

    void profileOperationRequests()
    {
        QFETCH(int, operation);
        QFETCH(bool, refresh);
        QFETCH(QByteArray, expected);
        ProfileOperationRequest request { ProfileOperation(operation), iccid, {}, refresh };
        QCOMPARE(request.encode().toHex(), expected.toHex());
        auto back = ProfileOperationRequest::decode(expected);
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(int(back->operation), operation);
        QCOMPARE(back->iccid, iccid);
        if (ProfileOperation(operation) != ProfileOperation::Delete)
            QCOMPARE(back->refreshFlag, refresh);
        // By the ISD-P's AID instead: the CHOICE's other alternative, '4F'.
        ProfileOperationRequest byAid { ProfileOperation(operation), {}, hex("a0000005591010ffffffff8900001011"), refresh };
        auto aid = ProfileOperationRequest::decode(byAid.encode());
        QVERIFY2(aid, qPrintable(aid.errorMessage()));
        QCOMPARE(aid->isdpAid, byAid.isdpAid);
        QVERIFY(aid->iccid.isEmpty());
    }

    void profileOperationResponses()
    {
        // EnableProfileResponse ::= [49] SEQUENCE { enableResult INTEGER }: automatic tag [0].
        const ProfileOperationResponse enabled { ProfileOperation::Enable, 0 };
        const ProfileOperationResponse notFound { ProfileOperation::Delete, 1 };
        QCOMPARE(enabled.encode().toHex(), QByteArray("bf3103800100"));
        QCOMPARE(notFound.encode().toHex(), QByteArray("bf3303800101"));
        auto undefined = ProfileOperationResponse::decode(hex("bf320380017f"));
        QVERIFY(undefined);
        QCOMPARE(undefined->operation, ProfileOperation::Disable);
        QCOMPARE(undefined->result, 127);
        QCOMPARE(undefined->resultName(), QStringLiteral("undefinedError"));
    }

    // What each result code means to the campaign: the codes it branches on stay what they were
    // when the device answered in C++ values.
    void profileOperationOutcomes_data()
    {
        QTest::addColumn<int>("operation");
        QTest::addColumn<int>("result");
        QTest::addColumn<bool>("done");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("says");
        const int enable = int(ProfileOperation::Enable), disable = int(ProfileOperation::Disable),
                  remove = int(ProfileOperation::Delete);
        const int none = int(ErrorCode::None);
        QTest::newRow("enable ok") << enable << 0 << true << none << QString();
        QTest::newRow("enable, no such profile") << enable << 1 << false << int(ErrorCode::NoSuchProfile) << QStringLiteral("holds no profile");
        QTest::newRow("enable, already enabled") << enable << 2 << true << none << QString();
        QTest::newRow("enable, policy") << enable << 3 << false << int(ErrorCode::EnableRejected) << QStringLiteral("disallowedByPolicy");
        QTest::newRow("enable, re-enabling") << enable << 4 << false << int(ErrorCode::EnableRejected) << QStringLiteral("wrongProfileReenabling");
        QTest::newRow("enable, CAT busy") << enable << 5 << false << none << QStringLiteral("try again");
        QTest::newRow("enable, undefined") << enable << 127 << false << none << QStringLiteral("undefinedError");
        QTest::newRow("enable, unknown result") << enable << 9 << false << none << QStringLiteral("result 9");
        QTest::newRow("disable ok") << disable << 0 << true << none << QString();
        QTest::newRow("disable, already disabled") << disable << 2 << true << none << QString();
        QTest::newRow("disable, policy") << disable << 3 << false << none << QStringLiteral("policy rules");
        QTest::newRow("disable, 4 is not its code") << disable << 4 << false << none << QStringLiteral("does not define");
        QTest::newRow("delete ok") << remove << 0 << true << none << QString();
        QTest::newRow("delete, no such profile") << remove << 1 << false << int(ErrorCode::NoSuchProfile) << QStringLiteral("holds no profile");
        QTest::newRow("delete, enabled") << remove << 2 << false << int(ErrorCode::ProfileEnabled) << QStringLiteral("before deleting it");
        QTest::newRow("delete, policy") << remove << 3 << false << none << QStringLiteral("disallowedByPolicy");
        QTest::newRow("delete, 5 is not its code") << remove << 5 << false << none << QStringLiteral("does not define");
    }

    void profileOperationOutcomes()
    {
        QFETCH(int, operation);
        QFETCH(int, result);
        QFETCH(bool, done);
        QFETCH(int, code);
        QFETCH(QString, says);
        const auto outcome = ProfileOperationResponse { ProfileOperation(operation), result }.outcome(QStringLiteral("89049032"), iccid);
        QCOMPARE(outcome.ok(), done);
        if (done)
            return;
        QCOMPARE(int(outcome.error().code), code);
        QVERIFY2(outcome.errorMessage().contains(says), qPrintable(outcome.errorMessage()));
        QVERIFY2(outcome.errorMessage().contains(iccid), qPrintable(outcome.errorMessage()));
    }

    void profilesInfoRequest()
    {
        // ProfileInfoListRequest ::= [45] SEQUENCE { searchCriteria [0] CHOICE OPTIONAL,
        // tagList [APPLICATION 28] OCTET STRING OPTIONAL }: nothing asked, nothing sent.
        QCOMPARE(ProfileInfoListRequest {}.encode().toHex(), QByteArray("bf2d00"));
        // BF2D 06 | 5C 04 (5A 9F70 B7): the ICCID, the state and the owner only.
        ProfileInfoListRequest some;
        some.tagList = hex("5a9f70b7");
        QCOMPARE(some.encode().toHex(), QByteArray("bf2d065c045a9f70b7"));
        auto back = ProfileInfoListRequest::decode(some.encode());
        QVERIFY(back);
        QVERIFY(back->wants(0x5A) && back->wants(0x9F70) && back->wants(0xB7));
        QVERIFY(!back->wants(0x91) && !back->wants(0x9F));
        // BF2D 0E | A0 0C (5A 0A ICCID): one profile, by its ICCID; [0] is explicit around the CHOICE.
        ProfileInfoListRequest one;
        one.iccid = iccid;
        QCOMPARE(one.encode().toHex(), QByteArray("bf2d0ea00c5a0a989909010000000010f7"));
        QCOMPARE(ProfileInfoListRequest::decode(one.encode())->iccid, iccid);
        ProfileInfoListRequest operational;
        operational.profileClass = ProfileClass::Operational;
        QCOMPARE(operational.encode().toHex(), QByteArray("bf2d05a003950102"));
        QCOMPARE(ProfileInfoListRequest::decode(operational.encode())->profileClass, ProfileClass::Operational);
    }

    void profilesInfoResponse()
    {
        ProfileInfo p;
        p.iccid = iccid;
        p.state = ProfileState::Enabled;
        p.serviceProviderName = QStringLiteral("Nordtel");
        p.ownerPlmn = QStringLiteral("00101");
        // ProfileInfoListResponse ::= [45] CHOICE { profileInfoListOk SEQUENCE OF ProfileInfo, ... }:
        // the CHOICE's tag explicit, its alternatives automatically tagged [0] and [1].
        // BF2D 24 | A0 22 | E3 20 [PRIVATE 3]: 5A 0A ICCID, 9F70 01 01 (profileState [112] enabled),
        // 91 07 "Nordtel", B7 05 (profileOwner [23]: 80 03 mccMnc 00 F1 10, MCC 001 MNC 01).
        const QByteArray expected = hex("bf2d24a022e320" "5a0a989909010000000010f7" "9f700101" "91074e6f726474656c"
                                        "b705800300f110");
        QCOMPARE(ProfileInfoListResponse { { p } }.encode().toHex(), expected.toHex());
        auto back = ProfileInfoListResponse::decode(expected);
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(back->profiles.size(), 1);
        const ProfileInfo &q = back->profiles.first();
        QCOMPARE(q.iccid, iccid);
        QCOMPARE(q.state, ProfileState::Enabled);
        QCOMPARE(q.serviceProviderName, QStringLiteral("Nordtel"));
        QCOMPARE(q.ownerPlmn, QStringLiteral("00101"));
        // Only what the tag list names.
        QCOMPARE(ProfileInfoListResponse { { p } }.encode(hex("5a")).toHex(), QByteArray("bf2d10a00ee30c5a0a989909010000000010f7"));
        // profileInfoListError [1] INTEGER: refused, the code named.
        auto error = ProfileInfoListResponse::decode(ProfileInfoListResponse::encodeError(ProfileInfoListResponse::UndefinedError));
        QVERIFY(!error);
        QVERIFY2(error.errorMessage().contains(QStringLiteral("undefinedError")), qPrintable(error.errorMessage()));
        QCOMPARE(ProfileInfoListResponse::encodeError(1).toHex(), QByteArray("bf2d03810101"));
        // Everything the device fills in, around again.
        ProfileInfo full = p;
        full.isdpAid = hex("a0000005591010ffffffff8900001011");
        full.nickname = QStringLiteral("Zähler 7");
        full.profileName = QStringLiteral("Nordtel IoT");
        full.profileClass = ProfileClass::Operational;
        full.notificationConfiguration = { { eventBit(NotificationEvent::Enable) | eventBit(NotificationEvent::Delete), address } };
        auto again = ProfileInfo::decode(full.encode());
        QVERIFY2(again, qPrintable(again.errorMessage()));
        QCOMPARE(again->isdpAid, full.isdpAid);
        QCOMPARE(again->nickname, full.nickname);
        QCOMPARE(again->profileName, full.profileName);
        QCOMPARE(again->profileClass, ProfileClass::Operational);
        QCOMPARE(again->notificationConfiguration, full.notificationConfiguration);
        QCOMPARE(again->ownerPlmn, full.ownerPlmn);
        // The SIZE of a UTF8String counts characters: a long name is cut at 32 of them, never
        // inside a character that takes two UTF-16 units (U+1F4E1, a satellite antenna).
        ProfileInfo wide = p;
        wide.serviceProviderName = QString(33, u'x');
        for (int i = 0; i < 20; ++i)
            wide.serviceProviderName.prepend(QString::fromUcs4(U"\U0001F4E1"));
        auto cut = ProfileInfo::decode(wide.encode());
        QVERIFY2(cut, qPrintable(cut.errorMessage()));
        QCOMPARE(cut->serviceProviderName, wide.serviceProviderName.first(40 + 12));
    }

    void notificationMessages()
    {
        // NotificationMetadata ::= [47] SEQUENCE { seqNumber [0] INTEGER, profileManagementOperation
        // [1] NotificationEvent, notificationAddress UTF8String, iccid Iccid OPTIONAL }: tagged
        // components, so no automatic tags, and the address keeps UTF8String's '0C'.
        // BF2F 29 | 80 01 05 | 81 02 06 40 (one bit, notificationEnable(1): 6 unused bits) |
        // 0C 14 "smdp.nordtel.example" | 5A 0A ICCID
        const QByteArray metadata = hex("bf2f29" "800105" "81020640" "0c14736d64702e6e6f726474656c2e6578616d706c65"
                                        "5a0a989909010000000010f7");
        QCOMPARE(sampleMetadata().encode().toHex(), metadata.toHex());
        // ListNotificationResponse: BF28 2E | A0 2C (notificationMetadataList, automatic [0]) | the metadata
        QCOMPARE(ListNotificationResponse { { sampleMetadata() } }.encode().toHex(), QByteArray("bf282ea02c" + metadata.toHex()));
        auto listed = ListNotificationResponse::decode(ListNotificationResponse { { sampleMetadata() } }.encode());
        QVERIFY(listed);
        QCOMPARE(listed->notifications.first().sequenceNumber, 5);
        QCOMPARE(listed->notifications.first().event, NotificationEvent::Enable);
        QCOMPARE(listed->notifications.first().iccid, iccid);
        QVERIFY(!ListNotificationResponse::decode(ListNotificationResponse::encodeError(127)));
        // ListNotificationRequest: BF28 04 | 81 02 05 60 (enable and disable: bits 1 and 2).
        ListNotificationRequest filtered { eventBit(NotificationEvent::Enable) | eventBit(NotificationEvent::Disable) };
        QCOMPARE(filtered.encode().toHex(), QByteArray("bf28048102056" "0"));
        QCOMPARE(ListNotificationRequest {}.encode().toHex(), QByteArray("bf2800"));
        QCOMPARE(*ListNotificationRequest::decode(filtered.encode())->operations, *filtered.operations);
        // RetrieveNotificationsListRequest: searchCriteria, an untagged CHOICE, gets the automatic
        // [0], explicit: BF2B 05 | A0 03 | 80 01 05.
        RetrieveNotificationsListRequest one;
        one.sequenceNumber = 5;
        QCOMPARE(one.encode().toHex(), QByteArray("bf2b05a003800105"));
        RetrieveNotificationsListRequest deletes;
        deletes.operations = eventBit(NotificationEvent::Delete); // 81 02 04 10
        QCOMPARE(deletes.encode().toHex(), QByteArray("bf2b06a00481020410"));
        QCOMPARE(*RetrieveNotificationsListRequest::decode(deletes.encode())->operations, eventBit(NotificationEvent::Delete));
        QCOMPARE(*RetrieveNotificationsListRequest::decode(one.encode())->sequenceNumber, 5);
        // NotificationSentRequest: BF30 04 | 80 02 01 2C (300); its answer BF30 03 | 80 01 01 (nothingToDelete).
        QCOMPARE(NotificationSentRequest { 300 }.encode().toHex(), QByteArray("bf300480020" "12c"));
        QCOMPARE(NotificationSentRequest::decode(hex("bf300480020" "12c"))->sequenceNumber, 300);
        QCOMPARE(NotificationSentResponse { NotificationSentResponse::NothingToDelete }.encode().toHex(), QByteArray("bf3003800101"));
        QCOMPARE(NotificationSentResponse::decode(hex("bf3003800100"))->status, int(NotificationSentResponse::Ok));
    }

    void pendingNotifications()
    {
        // OtherSignedNotification ::= SEQUENCE { tbsOtherNotification, euiccNotificationSignature
        // [APPLICATION 55], euiccCertificate, eumCertificate }: 30 73 | BF2F 29 ... | 5F37 40 r||s |
        // 30 00 | 30 00 (empty SEQUENCEs where the certificates go: the codec reads them as
        // elements and leaves checking them to whoever verifies the signature).
        OtherSignedNotification other;
        other.metadata = sampleMetadata();
        for (int i = 0; i < 64; ++i)
            other.signature.append(char(i));
        other.euiccCertificate = hex("3000");
        other.eumCertificate = hex("3000");
        const QByteArray encoded = other.encode();
        QCOMPARE(encoded.left(2).toHex(), QByteArray("3073"));
        QCOMPARE(encoded.mid(2, 44), sampleMetadata().encode());
        QCOMPARE(encoded.mid(46, 3).toHex(), QByteArray("5f3740"));
        QVERIFY(encoded.endsWith(hex("30003000")));
        // An installation result beside it: the CHOICE has one tagged alternative, so no
        // automatic tags; 'BF37' and '30' tell them apart.
        ProfileInstallationResult installed;
        installed.transactionId = QByteArray(16, '\x42');
        installed.sequenceNumber = 4;
        installed.notificationAddress = address;
        installed.iccid = iccid;
        installed.serverOid = simfleetObjectIdentifier();
        installed.isdpAid = hex("a0000005591010ffffffff8900001011");
        installed.signature = QByteArray(64, '\x07');
        RetrieveNotificationsListResponse response { { PendingNotification { installed }, PendingNotification { other } } };
        const QByteArray bytes = response.encode();
        QVERIFY(bytes.startsWith(hex("bf2b82")));
        auto back = RetrieveNotificationsListResponse::decode(bytes);
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(back->notifications.size(), 2);
        QVERIFY(back->notifications.at(0).isInstallationResult());
        QCOMPARE(back->notifications.at(0).metadata().sequenceNumber, 4);
        QCOMPARE(back->notifications.at(0).metadata().event, NotificationEvent::Install);
        QVERIFY(!back->notifications.at(1).isInstallationResult());
        const auto &decoded = std::get<OtherSignedNotification>(back->notifications.at(1).content);
        QCOMPARE(decoded.signature, other.signature);
        QCOMPARE(decoded.signedData(), sampleMetadata().encode());
        QCOMPARE(back->notifications.at(1).metadata().event, NotificationEvent::Enable);
        QVERIFY(!RetrieveNotificationsListResponse::decode(RetrieveNotificationsListResponse::encodeError(127)));
        // The error alternative, notificationsListResultError [1]: BF2B 03 | 81 01 7F.
        QCOMPARE(RetrieveNotificationsListResponse::encodeError(127).toHex(), QByteArray("bf2b0381017f"));
    }

    void euiccInfo1()
    {
        // EUICCInfo1 ::= [32] SEQUENCE { svn [2], euiccCiPKIdListForVerification [9] SEQUENCE OF
        // SubjectKeyIdentifier, euiccCiPKIdListForSigning [10] ... }: BF20 35 | 82 03 02 05 00 |
        // A9 16 (04 14 key id) | AA 16 (04 14 key id).
        const QByteArray ski(20, '\x11');
        EuiccInfo1 info;
        info.ciKeyIdsForVerification = { ski };
        info.ciKeyIdsForSigning = { ski };
        const QByteArray expected = hex("bf2035" "8203020500" "a9160414") + ski + hex("aa160414") + ski;
        QCOMPARE(info.encode().toHex(), expected.toHex());
        auto back = EuiccInfo1::decode(expected);
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(back->svn.toHex(), QByteArray("020500"));
        QCOMPARE(back->ciKeyIdsForVerification, QList<QByteArray> { ski });
        QCOMPARE(back->ciKeyIdsForSigning, QList<QByteArray> { ski });
    }

    void metadataNamesItsNotificationAddress()
    {
        // StoreMetadataRequest's notificationConfigurationInfo [22] 'B6': a SEQUENCE OF
        // NotificationConfigurationInformation, whose untagged components are tagged [0] and [1]:
        // B6 1C | 30 1A | 80 02 04 70 (enable, disable, delete: bits 1 to 3, 4 unused) | 81 14 address.
        ProfileMetadata m;
        m.iccid = iccid;
        m.serviceProviderName = QStringLiteral("Nordtel");
        m.plmn = QStringLiteral("00101");
        m.notifications = { { eventBit(NotificationEvent::Enable) | eventBit(NotificationEvent::Disable)
                                  | eventBit(NotificationEvent::Delete),
                              address } };
        const QByteArray encoded = m.encode();
        QVERIFY(encoded.contains(QByteArray(hex("b61c301a80020470" "8114") + address.toUtf8() + hex("b705"))));
        auto back = ProfileMetadata::decode(encoded);
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(back->notificationAddress(NotificationEvent::Delete), address);
        QVERIFY(back->notificationAddress(NotificationEvent::Install).isEmpty());
    }

    void hostileInputsAreRefused_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("bytes");
        const QByteArray metadata = sampleMetadata().encode();
        QTest::newRow("empty") << QStringLiteral("operation") << QByteArray();
        QTest::newRow("another message") << QStringLiteral("operation") << hex("bf2100");
        QTest::newRow("enable: refreshFlag 01, not DER") << QStringLiteral("operation") << hex("bf3111a00c5a0a989909010000000010f7810101");
        QTest::newRow("enable: no refreshFlag") << QStringLiteral("operation") << hex("bf310ea00c5a0a989909010000000010f7");
        QTest::newRow("enable: ICCID with a hex digit") << QStringLiteral("operation") << hex("bf3111a00c5a0a9a9909010000000010f7810100");
        QTest::newRow("enable: ICCID of 9 bytes") << QStringLiteral("operation") << hex("bf3110a00b5a09989909010000000010810100");
        QTest::newRow("delete: two identifiers") << QStringLiteral("operation") << hex("bf33115a0a989909010000000010f74f03a00000");
        QTest::newRow("delete: AID of 17 bytes") << QStringLiteral("operation") << hex("bf33134f11a0000005591010ffffffff890000101100");
        QTest::newRow("delete: trailing bytes") << QStringLiteral("operation") << hex("bf330c5a0a989909010000000010f70000");
        QTest::newRow("response: integer not minimal") << QStringLiteral("response") << hex("bf310480020000");
        QTest::newRow("response: length cut short") << QStringLiteral("response") << hex("bf31038001");
        QTest::newRow("response: two results") << QStringLiteral("response") << hex("bf3106800100800100");
        QTest::newRow("info: state 2") << QStringLiteral("profiles") << hex("bf2d09a007e3059f700102");
        QTest::newRow("info: out of order") << QStringLiteral("profiles") << hex("bf2d14a012e3109f7001015a0a989909010000000010f7");
        QTest::newRow("info: SPN not UTF-8") << QStringLiteral("profiles") << hex("bf2d07a005e3039101ff");
        QTest::newRow("info: SPN of 33 characters") << QStringLiteral("profiles")
                                                     << hex("bf2d27a025e32391") + QByteArray(1, '\x21') + QByteArray(33, 'x');
        QTest::newRow("info: owner of 2 bytes") << QStringLiteral("profiles") << hex("bf2d0aa008e306b70480020010");
        QTest::newRow("info: not a ProfileInfo") << QStringLiteral("profiles") << hex("bf2d04a0023000");
        QTest::newRow("info request: tag list cut") << QStringLiteral("profiles request") << hex("bf2d035c019f");
        QTest::newRow("info request: two criteria") << QStringLiteral("profiles request") << hex("bf2d08a0064f01a0950102");
        QTest::newRow("metadata: two operations") << QStringLiteral("metadata")
                                                  << QByteArray(metadata).replace(hex("81020640"), hex("81020560"));
        QTest::newRow("metadata: trailing zero bit") << QStringLiteral("metadata")
                                                     << QByteArray(metadata).replace(hex("81020640"), hex("81020540"));
        QTest::newRow("metadata: unused bit set") << QStringLiteral("metadata")
                                                  << QByteArray(metadata).replace(hex("81020640"), hex("81020641"));
        QTest::newRow("metadata: bit 4, unknown") << QStringLiteral("metadata")
                                                  << QByteArray(metadata).replace(hex("81020640"), hex("81020308"));
        QTest::newRow("metadata: negative number") << QStringLiteral("metadata")
                                                   << QByteArray(metadata).replace(hex("800105"), hex("8001fb"));
        QTest::newRow("metadata: no address") << QStringLiteral("metadata") << hex("bf2f07800105810206" "40");
        QTest::newRow("list: an INTEGER in the list") << QStringLiteral("list") << hex("bf2805a003020101");
        QTest::newRow("list: neither list nor error") << QStringLiteral("list") << hex("bf2803820100");
        QTest::newRow("retrieve: criteria of both kinds") << QStringLiteral("retrieve request") << hex("bf2b09a007800105" "81020410");
        QTest::newRow("retrieve: an install as other notification")
            << QStringLiteral("retrieve")
            << tlv("bf2b", tlv("a0", tlv("30", QByteArray(metadata).replace(hex("81020640"), hex("81020780")) + hex("5f3700" "3000" "3000"))));
        QTest::newRow("retrieve: certificate missing") << QStringLiteral("retrieve")
                                                       << tlv("bf2b", tlv("a0", tlv("30", metadata + hex("5f3700" "3000"))));
        QTest::newRow("sent: no sequence number") << QStringLiteral("sent") << hex("bf3000");
        QTest::newRow("sent: sequence number of 9 bytes") << QStringLiteral("sent") << hex("bf300b8009010000000000000000");
        QTest::newRow("EUICCInfo1: svn of 2 bytes") << QStringLiteral("info1") << hex("bf200882020205a900aa00");
        QTest::newRow("EUICCInfo1: empty key id") << QStringLiteral("info1") << hex("bf200b8203020500a9020400aa00");
        QTest::newRow("EUICCInfo1: no signing list") << QStringLiteral("info1") << hex("bf20078203020500a900");
    }

    void hostileInputsAreRefused()
    {
        QFETCH(QString, type);
        QFETCH(QByteArray, bytes);
        QString message;
        const auto check = [&](const auto &result) {
            message = result ? QString() : result.errorMessage();
            return !result.ok();
        };
        bool refused = false;
        if (type == u"operation")
            refused = check(ProfileOperationRequest::decode(bytes));
        else if (type == u"response")
            refused = check(ProfileOperationResponse::decode(bytes));
        else if (type == u"profiles")
            refused = check(ProfileInfoListResponse::decode(bytes));
        else if (type == u"profiles request")
            refused = check(ProfileInfoListRequest::decode(bytes));
        else if (type == u"metadata")
            refused = check(NotificationMetadata::decode(bytes));
        else if (type == u"list")
            refused = check(ListNotificationResponse::decode(bytes));
        else if (type == u"retrieve request")
            refused = check(RetrieveNotificationsListRequest::decode(bytes));
        else if (type == u"retrieve")
            refused = check(RetrieveNotificationsListResponse::decode(bytes));
        else if (type == u"sent")
            refused = check(NotificationSentRequest::decode(bytes));
        else if (type == u"info1")
            refused = check(EuiccInfo1::decode(bytes));
        QVERIFY2(refused, qPrintable(type));
        QVERIFY(!message.isEmpty());
    }

    // The control for the hand-made hostile notifications above: so wrapped, an intact one reads.
    void handMadeNotificationReads()
    {
        auto read = RetrieveNotificationsListResponse::decode(
            tlv("bf2b", tlv("a0", tlv("30", sampleMetadata().encode() + hex("5f3700" "3000" "3000")))));
        QVERIFY2(read, qPrintable(read.errorMessage()));
        QCOMPARE(read->notifications.size(), 1);
    }

    // A download, then ES10c over the device link: the device reports what it holds, each
    // operation answers with its result code and leaves one signed notification, which the
    // backend's collector checks against the certificate the download authenticated and removes.
    void simulatedDeviceManagesProfiles()
    {
        auto d = oneDevice();
        QVERIFY(d->field);
        auto link = d->field->linkTo(d->eid);
        const crypto::ChainVerifier trust = d->trust();
        const profiles::ProfileServer server(address, d->serverKey, trust);
        profiles::DownloadSession session;
        auto installed = server.download(*link, orderFor(d->eid), patience, QDateTime::currentDateTimeUtc(), &session);
        QVERIFY2(installed, qPrintable(installed.errorMessage()));
        QVERIFY(!session.euiccCertificate.isNull());
        // The download delivered the install notification and removed it (SGP.22 section 3.1.3).
        QCOMPARE(pending(*link).size(), 0);

        // GetProfilesInfo, everything the device knows: its metadata kept at installation.
        auto all = ask(link->profilesInfo(ProfileInfoListRequest {}.encode()));
        QVERIFY(all);
        auto info = ProfileInfoListResponse::decode(all.value());
        QVERIFY2(info, qPrintable(info.errorMessage()));
        QCOMPARE(info->profiles.size(), 1);
        const ProfileInfo &p = info->profiles.first();
        QCOMPARE(p.iccid, iccid);
        QCOMPARE(p.state, ProfileState::Disabled);
        QCOMPARE(p.serviceProviderName, QStringLiteral("Nordtel"));
        QCOMPARE(p.ownerPlmn, QStringLiteral("00101"));
        QCOMPARE(p.isdpAid.size(), 16);
        QCOMPARE(p.notificationConfiguration.size(), 1);
        QCOMPARE(p.notificationConfiguration.first().address, address);
        // By its ISD-P instead of its ICCID: the same profile, enabled by that AID.
        auto byAid = ask(link->enableProfile(ProfileOperationRequest { ProfileOperation::Enable, {}, p.isdpAid, true }.encode()));
        QVERIFY(byAid);
        QCOMPARE(ProfileOperationResponse::decode(byAid.value())->result, int(ProfileOperationResult::Ok));
        auto listed = ask(devices::listProfiles(*link));
        QVERIFY2(listed, qPrintable(listed.errorMessage()));
        QCOMPARE(listed->size(), 1);
        QCOMPARE(listed->first().state, QStringLiteral("enabled"));

        // Enabling it again: profileNotInDisabledState, which the backend takes as done; no
        // second notification.
        auto again = ask(link->enableProfile(ProfileOperationRequest { ProfileOperation::Enable, iccid, {}, true }.encode()));
        QCOMPARE(ProfileOperationResponse::decode(again.value())->result, int(ProfileOperationResult::ProfileNotInRequiredState));
        QVERIFY(ask(devices::enableProfile(*link, iccid)));
        const auto enabled = pending(*link);
        QCOMPARE(enabled.size(), 1);
        QCOMPARE(enabled.first().event, NotificationEvent::Enable);
        QCOMPARE(enabled.first().iccid, iccid);
        QCOMPARE(enabled.first().notificationAddress, address);

        // An enabled profile is not deleted: profile-enabled, as the campaign expects.
        auto refused = ask(devices::deleteProfile(*link, iccid));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::ProfileEnabled);

        devices::NotificationCollector collector(*link, trust, patience);
        collector.trust(session.euiccCertificate);
        auto collected = collector.collect(QDateTime::currentDateTimeUtc());
        QVERIFY2(collected, qPrintable(collected.errorMessage()));
        QCOMPARE(collected->delivered.size(), 1);
        QVERIFY(collected->refused.isEmpty());
        QCOMPARE(pending(*link).size(), 0);

        // Disable and delete; a collector that knows no certificate checks the chain itself.
        QVERIFY(ask(devices::disableProfile(*link, iccid)));
        QVERIFY(ask(devices::disableProfile(*link, iccid))); // already disabled: done
        QVERIFY(ask(devices::deleteProfile(*link, iccid)));
        const auto gone = ask(devices::deleteProfile(*link, iccid));
        QVERIFY(!gone);
        QCOMPARE(gone.error().code, ErrorCode::NoSuchProfile);
        devices::NotificationCollector fresh(*link, trust, patience);
        auto later = fresh.collect(QDateTime::currentDateTimeUtc());
        QVERIFY2(later, qPrintable(later.errorMessage()));
        QCOMPARE(later->delivered.size(), 2);
        QCOMPARE(later->delivered.at(0).event, NotificationEvent::Disable);
        QCOMPARE(later->delivered.at(1).event, NotificationEvent::Delete);
        QVERIFY(later->delivered.at(0).sequenceNumber > enabled.first().sequenceNumber);
        QVERIFY(later->delivered.at(1).sequenceNumber > later->delivered.at(0).sequenceNumber);
        // Removed already: nothing to delete.
        auto removedTwice = ask(link->removeNotification(NotificationSentRequest { later->delivered.at(1).sequenceNumber }.encode()));
        QCOMPARE(NotificationSentResponse::decode(removedTwice.value())->status, int(NotificationSentResponse::NothingToDelete));
        // A request the device cannot read gets no answer, only an error that says so.
        auto garbage = ask(link->enableProfile(QByteArray::fromHex("bf3100")));
        QVERIFY(!garbage);
        QVERIFY2(garbage.errorMessage().contains(QStringLiteral("malformed")), qPrintable(garbage.errorMessage()));
    }

    // A notification whose signature does not verify, or whose certificate chains to no
    // certificate issuer the backend trusts, stays on the device; and what is pending survives
    // the device's restart with its sequence number, which the next notification continues.
    void notificationsAreCheckedAndKept()
    {
        auto d = oneDevice();
        const crypto::ChainVerifier trust = d->trust();
        {
            auto link = d->field->linkTo(d->eid);
            const profiles::ProfileServer server(address, d->serverKey, trust);
            QVERIFY(server.download(*link, orderFor(d->eid), patience, QDateTime::currentDateTimeUtc()));
            QVERIFY(ask(devices::enableProfile(*link, iccid)));
            SpoilingLink spoiling(d->field->linkTo(d->eid));
            devices::NotificationCollector checked(spoiling, trust, patience);
            auto spoiled = checked.collect(QDateTime::currentDateTimeUtc());
            QVERIFY2(spoiled, qPrintable(spoiled.errorMessage()));
            QVERIFY(spoiled->delivered.isEmpty());
            QCOMPARE(spoiled->refused.size(), 1);
            crypto::ChainVerifier stranger;
            stranger.addTrustAnchor(crypto::demopki::createCertificateIssuer(QStringLiteral("Other CI"),
                                                                             { QDateTime::currentDateTimeUtc().addDays(-1),
                                                                               QDateTime::currentDateTimeUtc().addDays(1) })
                                        ->certificate);
            devices::NotificationCollector foreign(*link, stranger, patience);
            auto untrusted = foreign.collect(QDateTime::currentDateTimeUtc());
            QVERIFY(untrusted);
            QCOMPARE(untrusted->refused.size(), 1);
            QVERIFY2(untrusted->refused.first().contains(QStringLiteral("does not chain")), qPrintable(untrusted->refused.first()));
            QCOMPARE(pending(*link).size(), 1);
        }
        const qint64 before = pending(*d->field->linkTo(d->eid)).first().sequenceNumber;
        d->field.reset(); // the device restarts: the field takes its flash log in
        auto reopened = simulation::SimulatedField::open(d->fieldPath());
        QVERIFY2(reopened, qPrintable(reopened.errorMessage()));
        d->field = std::move(reopened).value();
        auto link = d->field->linkTo(d->eid);
        const auto kept = pending(*link);
        QCOMPARE(kept.size(), 1);
        QCOMPARE(kept.first().sequenceNumber, before);
        QVERIFY(ask(devices::disableProfile(*link, iccid)));
        const auto now = pending(*link);
        QCOMPARE(now.size(), 2);
        QCOMPARE(now.last().sequenceNumber, before + 1);
        // The metadata survived too: the profile's notification address.
        QCOMPARE(now.last().notificationAddress, address);
        devices::NotificationCollector collector(*link, trust, patience);
        auto collected = collector.collect(QDateTime::currentDateTimeUtc());
        QVERIFY(collected);
        QCOMPARE(collected->delivered.size(), 2);
        QCOMPARE(pending(*link).size(), 0);
    }

    // A later version's data object in a ProfileInfo (EXTENSIBILITY IMPLIED) is skipped, not refused.
    void profileInfoSkipsExtensions()
    {
        auto info = ProfileInfo::decode(hex("e3105a0a989909010000000010f7" "9f7f0100"));
        QVERIFY2(info, qPrintable(info.errorMessage()));
        QCOMPARE(info->iccid, iccid);
    }
};

QTEST_GUILESS_MAIN(TestEs10c)
#include "tst_es10c.moc"
