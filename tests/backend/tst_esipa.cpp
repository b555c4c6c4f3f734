// ESipa (SGP.32 section 6.3) and the eIM packages it carries (section 2.11), as the ASN.1 module
// (../shared/spec/SGP32Definitions.asn1, AUTOMATIC TAGS) has them: messages worked out from the
// module by hand, round trips of every message, the data the signatures cover, and what a
// hostile or broken party might send, each refused with a message. asn1c checks the same
// encodings independently (tests/interop/tst_rsp_messages_asn1c.sh).
#include "esipasamples.h"
#include "crypto/certificate.h"
#include "crypto/demopki.h"
#include "crypto/eckey.h"
#include "identity/eid.h"
#include "protocol/der.h"
#include "protocol/esipa.h"
#include "protocol/ipaeuiccdata.h"

#include <QTest>

using namespace simfleet;
using namespace simfleet::protocol;
using namespace simfleet::protocol::esipa;
namespace samples = simfleet::testing::esipa;

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

const char eidHex[] = "89049032000000000000000000000019";
// EF.ICCID of 8999901000000000017 (ETSI TS 102 221 section 13.2): digits swapped in pairs.
const char iccidHex[] = "989909010000000010f7";

// Placeholders for the SGP.22 messages the relay carries whole; the relay does not read them.
QByteArray sgp22(quint16 tag, const char *content)
{
    return der::tlv(tag, hex(content));
}

QList<std::pair<QString, MessageFromIpa>> messagesFromIpa()
{
    QList<std::pair<QString, MessageFromIpa>> out;
    out.append({ QStringLiteral("initiateAuthentication"),
                 InitiateAuthenticationRequest { QByteArray(16, '\x05'), QStringLiteral("smdp.nordtel.example"),
                                                 sgp22(0xBF20, "820302050083030200ff") } });
    out.append({ QStringLiteral("initiateAuthentication bare"), InitiateAuthenticationRequest { QByteArray(16, '\x06'), {}, {} } });
    out.append({ QStringLiteral("authenticateClient"),
                 AuthenticateClientRequest { hex("0a0b0c"), sgp22(0xBF38, "a0053003800101") } });
    out.append({ QStringLiteral("getBoundProfilePackage"),
                 GetBoundProfilePackageRequest { hex("0a0b0c"), sgp22(0xBF21, "a0053003800101") } });
    out.append({ QStringLiteral("cancelSession"), CancelSessionRequest { hex("0a0b0c"), sgp22(0xBF41, "a0053003800101") } });
    out.append({ QStringLiteral("cancelSession error"), CancelSessionRequest { hex("0a"), sgp22(0xBF41, "810105") } });
    out.append({ QStringLiteral("handleNotification"), HandleNotification { sgp22(0xBF37, "bf2703800101") } });
    out.append({ QStringLiteral("handleNotification other"), HandleNotification { sgp22(0x30, "300080") } });
    out.append({ QStringLiteral("handleNotification result"),
                 HandleNotification { ProvideEimPackageResult { samples::packageResult(), {} } } });
    out.append({ QStringLiteral("getEimPackage"), GetEimPackageRequest { samples::eid, true, hex("00f110") } });
    out.append({ QStringLiteral("getEimPackage bare"), GetEimPackageRequest { samples::eid, false, {} } });
    out.append({ QStringLiteral("provide result"), ProvideEimPackageResult { samples::packageResult(), {} } });
    out.append({ QStringLiteral("provide result and notifications"),
                 ProvideEimPackageResult { samples::packageResult(), { sgp22(0xBF37, "bf2703800101"), sgp22(0x30, "3000") } } });
    EuiccPackageResult refused;
    refused.content = EuiccPackageErrorData { samples::eimId, 8, {}, EuiccPackageErrorData::ReplayError };
    refused.euiccSignature = samples::signature('\x33');
    out.append({ QStringLiteral("provide signed error"), ProvideEimPackageResult { refused, {} } });
    EuiccPackageResult unknown;
    unknown.content = EuiccPackageErrorUnsigned { QStringLiteral("eim.unknown.example"), 300 };
    out.append({ QStringLiteral("provide unsigned error"), ProvideEimPackageResult { unknown, {} } });
    out.append({ QStringLiteral("provide download result"),
                 ProvideEimPackageResult { ProfileDownloadTriggerResult { hex("a1a2a3"), sgp22(0xBF37, "bf2703800101"), {} }, {} } });
    out.append({ QStringLiteral("provide download error"),
                 ProvideEimPackageResult { ProfileDownloadTriggerResult { hex("a1a2a3"), {}, hex("0102") }, {} } });
    out.append({ QStringLiteral("provide attach report"), ProvideEimPackageResult { samples::attachReport(), {} } });
    SimfleetEimPackageResult attested;
    attested.eimTransactionId = hex("b1b2");
    attested.attestationResponse = AttestationResponse { hex("d28443a10126"), AttestationResponse::ErrorCode::None }.encode();
    out.append({ QStringLiteral("provide attestation"), ProvideEimPackageResult { attested, {} } });
    out.append({ QStringLiteral("provide package error"), ProvideEimPackageResult { int(ProvideEimPackageResult::UnknownPackage), {} } });
    out.append({ QStringLiteral("provide ipaEuiccData"),
                 ProvideEimPackageResult { IpaEuiccDataResponse { samples::euiccData(samples::certificateShape('\x01'), samples::certificateShape('\x02'),
                                                                                     sgp22(0xBF20, "820302050083030200ff"), sgp22(0x30, "3000")) },
                                           {} } });
    IpaEuiccData everything = samples::euiccData(samples::certificateShape('\x01'), {}, {}, {});
    everything.euiccInfo2 = sgp22(0xBF22, "810302050082030200ff");
    everything.associationToken = -1;
    out.append({ QStringLiteral("provide ipaEuiccData with euiccInfo2"), ProvideEimPackageResult { IpaEuiccDataResponse { everything }, {} } });
    out.append({ QStringLiteral("provide ipaEuiccData empty"), ProvideEimPackageResult { IpaEuiccDataResponse { IpaEuiccData {} }, {} } });
    out.append({ QStringLiteral("provide ipaEuiccDataError"),
                 ProvideEimPackageResult { IpaEuiccDataResponse { int(IpaEuiccDataResponse::EuiccCiPKIdNotFound) }, {} } });
    out.append({ QStringLiteral("handleNotification ipaEuiccData"),
                 HandleNotification { ProvideEimPackageResult { IpaEuiccDataResponse { samples::euiccData({}, {}, {}, {}) }, {} } } });
    return out;
}

QList<std::pair<QString, MessageFromEim>> messagesFromEim()
{
    QList<std::pair<QString, MessageFromEim>> out;
    InitiateAuthenticationResponse initiated;
    initiated.transactionId = hex("0a0b0c");
    initiated.serverSigned1 = sgp22(0x30, "80030a0b0c");
    initiated.serverSignature1 = samples::signature('\x44');
    initiated.euiccCiPKIdToBeUsed = hex("f54172bdf98a95d65cbeb88a38a1c11d800a85c3");
    initiated.serverCertificate = sgp22(0x30, "3000");
    initiated.matchingId = QStringLiteral("04386-AGYFT-A74Y8-3F815");
    initiated.ctxParams1 = sgp22(0xA0, "a1000c00");
    out.append({ QStringLiteral("initiateAuthentication"), initiated });
    InitiateAuthenticationResponse refusedInitiate;
    refusedInitiate.error = InitiateAuthenticationResponse::SmdpAddressMismatch;
    out.append({ QStringLiteral("initiateAuthentication error"), refusedInitiate });
    AuthenticateClientResponse authenticated;
    authenticated.transactionId = hex("0a0b0c");
    authenticated.profileMetadata = sgp22(0xBF25, "5a0a989909010000000010f7");
    authenticated.smdpSigned2 = sgp22(0x30, "80030a0b0c0101ff");
    authenticated.smdpSignature2 = samples::signature('\x55');
    authenticated.smdpCertificate = sgp22(0x30, "3000");
    authenticated.hashCc = QByteArray(32, '\x66');
    out.append({ QStringLiteral("authenticateClient"), authenticated });
    AuthenticateClientResponse refusedClient;
    refusedClient.error = AuthenticateClientResponse::EuiccSignatureInvalid;
    out.append({ QStringLiteral("authenticateClient error"), refusedClient });
    out.append({ QStringLiteral("getBoundProfilePackage"),
                 GetBoundProfilePackageResponse { std::nullopt, hex("0a0b0c"), sgp22(0xBF36, "bf2300") } });
    out.append({ QStringLiteral("getBoundProfilePackage error"),
                 GetBoundProfilePackageResponse { int(GetBoundProfilePackageResponse::InvalidTransactionId), {}, {} } });
    out.append({ QStringLiteral("cancelSession"), CancelSessionResponse {} });
    out.append({ QStringLiteral("cancelSession error"), CancelSessionResponse { int(CancelSessionResponse::EuiccSignatureInvalid) } });
    out.append({ QStringLiteral("package"), GetEimPackageResponse { samples::packageRequest() } });
    out.append({ QStringLiteral("download trigger"), GetEimPackageResponse { samples::downloadTrigger() } });
    out.append({ QStringLiteral("attest"), GetEimPackageResponse { samples::attestPackage() } });
    out.append({ QStringLiteral("attach"), GetEimPackageResponse { samples::attachPackage() } });
    out.append({ QStringLiteral("no package"), GetEimPackageResponse { int(GetEimPackageResponse::NoEimPackageAvailable) } });
    out.append({ QStringLiteral("ipaEuiccDataRequest"), GetEimPackageResponse { samples::euiccDataRequest() } });
    IpaEuiccDataRequest searching;
    searching.tagList = hex("bf2b");
    searching.search = IpaEuiccDataRequest::Search::SeqNumber;
    searching.seqNumber = 300;
    out.append({ QStringLiteral("ipaEuiccDataRequest by sequence number"), GetEimPackageResponse { searching } });
    searching.search = IpaEuiccDataRequest::Search::ProfileManagementOperation;
    searching.notificationEvent = 0x6; // enable, disable
    out.append({ QStringLiteral("ipaEuiccDataRequest by operation"), GetEimPackageResponse { searching } });
    searching.search = IpaEuiccDataRequest::Search::EuiccPackageResults;
    out.append({ QStringLiteral("ipaEuiccDataRequest for results"), GetEimPackageResponse { searching } });
    out.append({ QStringLiteral("ipaEuiccDataRequest empty tag list"), GetEimPackageResponse { IpaEuiccDataRequest {} } });
    out.append({ QStringLiteral("acknowledgements"), ProvideEimPackageResultResponse { { 1, 2, 300 } } });
    out.append({ QStringLiteral("no acknowledgements"), ProvideEimPackageResultResponse {} });
    return out;
}

} // namespace

class TestEsipa : public QObject
{
    Q_OBJECT

private slots:
    // A message re-encodes to the bytes it was decoded from, and is the same message.
    void messagesFromIpaRoundTrip_data()
    {
        QTest::addColumn<int>("index");
        const auto all = messagesFromIpa();
        for (int i = 0; i < all.size(); ++i)
            QTest::addRow("%s", qPrintable(all.at(i).first)) << i;
    }
    void messagesFromIpaRoundTrip()
    {
        QFETCH(int, index);
        const MessageFromIpa message = messagesFromIpa().at(index).second;
        const QByteArray bytes = encode(message);
        auto decoded = decodeFromIpa(bytes);
        QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
        QCOMPARE(decoded->index(), message.index());
        QCOMPARE(messageName(decoded.value()), messageName(message));
        QCOMPARE(encode(decoded.value()), bytes);
    }

    void messagesFromEimRoundTrip_data()
    {
        QTest::addColumn<int>("index");
        const auto all = messagesFromEim();
        for (int i = 0; i < all.size(); ++i)
            QTest::addRow("%s", qPrintable(all.at(i).first)) << i;
    }
    void messagesFromEimRoundTrip()
    {
        QFETCH(int, index);
        const MessageFromEim message = messagesFromEim().at(index).second;
        const QByteArray bytes = encode(message);
        auto decoded = decodeFromEim(bytes);
        QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
        QCOMPARE(decoded->index(), message.index());
        QCOMPARE(messageName(decoded.value()), messageName(message));
        QCOMPARE(encode(decoded.value()), bytes);
    }

    // The fields, not only the bytes, survive: a package with every PSMO simfleet sends.
    void packageRequestFields()
    {
        const EuiccPackageRequest sent = samples::packageRequest();
        auto got = EuiccPackageRequest::decode(sent.encode());
        QVERIFY2(got.ok(), qPrintable(got.errorMessage()));
        QCOMPARE(got->content.eimId, samples::eimId);
        QCOMPARE(got->content.eid, samples::eid);
        QCOMPARE(got->content.counterValue, 7);
        QCOMPARE(got->content.transactionId, hex("0102030405060708"));
        QCOMPARE(got->eimSignature, samples::signature('\x11'));
        QCOMPARE(got->receivedSigned, sent.content.encode());
        QCOMPARE(got->content.psmos.size(), 4);
        QCOMPARE(got->content.psmos.at(0).kind, Psmo::Kind::Enable);
        QCOMPARE(got->content.psmos.at(0).iccid, samples::iccid);
        QVERIFY(got->content.psmos.at(0).rollbackFlag);
        QCOMPARE(got->content.psmos.at(1).kind, Psmo::Kind::Disable);
        QCOMPARE(got->content.psmos.at(1).iccid, samples::otherIccid);
        QCOMPARE(got->content.psmos.at(2).kind, Psmo::Kind::Delete);
        QCOMPARE(got->content.psmos.at(3).kind, Psmo::Kind::ListProfileInfo);
        QCOMPARE(got->content.psmos.at(3).listRequest.tagList, hex("5a9f70"));
        QCOMPARE(got->content.ecoCount, 0);
    }

    void packageResultFields()
    {
        auto got = EuiccPackageResult::decode(samples::packageResult().encode());
        QVERIFY2(got.ok(), qPrintable(got.errorMessage()));
        const auto *data = std::get_if<EuiccPackageResultData>(&got->content);
        QVERIFY(data);
        QCOMPARE(data->eimId, samples::eimId);
        QCOMPARE(data->seqNumber, 12);
        QCOMPARE(data->results.size(), 4);
        QCOMPARE(data->results.at(2).kind, EuiccResultData::Kind::Delete);
        QCOMPARE(data->results.at(2).result, 1);
        QCOMPARE(data->results.at(3).kind, EuiccResultData::Kind::ListProfileInfo);
        QCOMPARE(data->results.at(3).profiles.size(), 1);
        QCOMPARE(data->results.at(3).profiles.first().iccid, samples::iccid);
        QCOMPARE(got->euiccSignature, samples::signature('\x22'));
        QCOMPARE(got->receivedSigned, data->encode());
    }

    void simfleetPackageFields()
    {
        auto attach = SimfleetEimPackage::decode(samples::attachPackage().encode());
        QVERIFY2(attach.ok(), qPrintable(attach.errorMessage()));
        QCOMPARE(attach->kind, SimfleetEimPackage::Kind::Attach);
        QCOMPARE(attach->rand, samples::attachPackage().rand);
        QCOMPARE(attach->autn, samples::attachPackage().autn);
        auto report = SimfleetEimPackageResult::decode(samples::attachReport().encode());
        QVERIFY2(report.ok(), qPrintable(report.errorMessage()));
        QCOMPARE(report->iccid, samples::otherIccid);
        QCOMPARE(report->res, samples::attachReport().res);
        QVERIFY(report->fellBack);
        QCOMPARE(report->detail, samples::attachReport().detail);
        // A device that could not attach at all names no profile, and says what happened.
        SimfleetEimPackageResult unattached;
        unattached.eimTransactionId = samples::attachPackage().eimTransactionId;
        unattached.kind = SimfleetEimPackage::Kind::Attach;
        unattached.detail = QStringLiteral("no network here");
        unattached.attachError = SimfleetEimPackageResult::NoCoverage;
        auto failed = SimfleetEimPackageResult::decode(unattached.encode());
        QVERIFY2(failed.ok(), qPrintable(failed.errorMessage()));
        QVERIFY(failed->iccid.isEmpty() && failed->res.isEmpty() && !failed->fellBack);
        QCOMPARE(failed->detail, QStringLiteral("no network here"));
        QCOMPARE(failed->attachError, int(SimfleetEimPackageResult::NoCoverage));
        QCOMPARE(report->attachError, 0); // attached: no reason written
        auto attest = SimfleetEimPackage::decode(samples::attestPackage().encode());
        QVERIFY2(attest.ok(), qPrintable(attest.errorMessage()));
        QCOMPARE(attest->attestationRequest, samples::attestPackage().attestationRequest);
    }

    // Worked out from the module by hand: the bytes simfleet must write.
    void knownEncodings_data()
    {
        QTest::addColumn<QByteArray>("encoded");
        QTest::addColumn<QByteArray>("expected");
        // [79] implicit on the SEQUENCE; eidValue '5A' the EID's BCD; notifyStateChange [0]
        // NULL; rPLMN [1].
        QTest::addRow("getEimPackageRequest")
            << encode(MessageFromIpa(GetEimPackageRequest { samples::eid, true, hex("00f110") }))
            << hex("bf4f19" "5a10" "89049032000000000000000000000019" "8000" "810300f110");
        // EuiccPackageRequest 'BF51': the signed SEQUENCE (eimId [0], eidValue, counterValue [1],
        // psmoList [0] of one enable [3] with its iccid '5A' and rollbackFlag, a universal NULL
        // since enable's iccid is tagged), then eimSignature '5F37'.
        EuiccPackageRequest one;
        one.content.eimId = QStringLiteral("eim1");
        one.content.eid = samples::eid;
        one.content.counterValue = 5;
        one.content.psmos = { Psmo::enable(samples::iccid) };
        one.eimSignature = samples::signature('\x11');
        QTest::addRow("euiccPackageRequest with one enable")
            << one.encode()
            << QByteArray(hex("bf5172" "302d" "800465696d31" "5a10") + hex(eidHex) + hex("810105" "a010" "a30e" "5a0a") + hex(iccidHex)
                          + hex("0500" "5f3740") + samples::signature('\x11'));
        one.content.psmos = { Psmo::disable(samples::iccid) };
        QTest::addRow("the same package's signed part, disabling")
            << one.content.encode() << QByteArray(hex("302b" "800465696d31" "5a10") + hex(eidHex) + hex("810105" "a00e" "a40c" "5a0a") + hex(iccidHex));
        // [80] implicit; eimAcknowledgements [83] with SequenceNumbers [0].
        QTest::addRow("provideEimPackageResultResponse")
            << encode(MessageFromEim(ProvideEimPackageResultResponse { { 1, 2 } })) << hex("bf5009" "bf5306" "800101" "800102");
        QTest::addRow("provideEimPackageResultResponse without acknowledgements")
            << encode(MessageFromEim(ProvideEimPackageResultResponse {})) << hex("bf5000");
        // GetEimPackageResponse has tagged alternatives, so eimPackageError is a universal INTEGER.
        QTest::addRow("noEimPackageAvailable")
            << encode(MessageFromEim(GetEimPackageResponse { int(GetEimPackageResponse::NoEimPackageAvailable) })) << hex("bf4f03020101");
        // provideEimPackageResult [80] is explicit around the untagged CHOICE; euiccPackageResult
        // [81] explicit around EuiccPackageResult, whose euiccPackageErrorUnsigned is [2].
        EuiccPackageResult unsignedError;
        unsignedError.content = EuiccPackageErrorUnsigned { QStringLiteral("eim1"), 0 };
        QTest::addRow("provideEimPackageResult with an unsigned error")
            << encode(MessageFromIpa(ProvideEimPackageResult { unsignedError, {} })) << hex("bf500e" "bf510b" "a209" "800465696d31" "840100");
        // handleNotificationEsipa [61] explicit around a CHOICE of two untagged CHOICEs,
        // automatically tagged and so explicit too: pendingNotification [0].
        QTest::addRow("handleNotificationEsipa") << encode(MessageFromIpa(HandleNotification { hex("3000") })) << hex("bf3d04" "a002" "3000");
        // CancelSessionRequestEsipa: no component tagged, so transactionId [0] and
        // cancelSessionResponse [1], explicit around SGP.22's CHOICE taken out of its 'BF41'.
        QTest::addRow("cancelSessionRequestEsipa")
            << encode(MessageFromIpa(CancelSessionRequest { hex("0a"), hex("bf4103810105") })) << hex("bf4108" "80010a" "a103810105");
        QTest::addRow("cancelSessionResponseEsipa ok") << encode(MessageFromEim(CancelSessionResponse {})) << hex("bf4102a000");
        QTest::addRow("profileDownloadTriggerRequest")
            << ProfileDownloadTriggerRequest { QStringLiteral("LPA:1$a$b"), hex("01") }.encode() << hex("bf5410" "a00b" "80094c50413a3124612462" "820101");
        // profileDownloadError is the universal SEQUENCE (its sibling is tagged [55]), its
        // errorResponse [0].
        QTest::addRow("profileDownloadTriggerResult error")
            << ProfileDownloadTriggerResult { hex("01"), {}, hex("ee") }.encode() << hex("bf5408" "820101" "3003" "8001ee");
        // ipaEuiccDataRequest [82] implicit on IpaEuiccDataRequest's own [82]; tagList
        // [APPLICATION 28] '5C'. The SEQUENCE has tagged members, so no automatic tags:
        // euiccCiPKId is the universal OCTET STRING, searchCriteria [1] explicit (a CHOICE).
        QTest::addRow("ipaEuiccDataRequest for both certificates")
            << encode(MessageFromEim(GetEimPackageResponse { IpaEuiccDataRequest { hex("a5a6"), {} } })) << hex("bf4f07" "bf5204" "5c02a5a6");
        IpaEuiccDataRequest searching { hex("bf2b"), hex("0102"), IpaEuiccDataRequest::Search::SeqNumber, 5 };
        QTest::addRow("ipaEuiccDataRequest by sequence number") << searching.encode() << hex("bf520d" "5c02bf2b" "04020102" "a103800105");
        searching.search = IpaEuiccDataRequest::Search::ProfileManagementOperation;
        searching.notificationEvent = 0x1; // notificationInstall: bit 0, 7 unused bits
        QTest::addRow("ipaEuiccDataRequest by operation") << searching.encode() << hex("bf520e" "5c02bf2b" "04020102" "a104" "81020780");
        searching.search = IpaEuiccDataRequest::Search::EuiccPackageResults;
        QTest::addRow("ipaEuiccDataRequest for results") << searching.encode() << hex("bf520c" "5c02bf2b" "04020102" "a1028200");
        // ipaEuiccDataResponse [82] explicit around the untagged CHOICE, whose alternatives have
        // automatic tags: ipaEuiccData [0] implicit on the SEQUENCE, ipaEuiccDataError [1].
        QTest::addRow("ipaEuiccDataError")
            << encode(MessageFromIpa(ProvideEimPackageResult { IpaEuiccDataResponse { int(IpaEuiccDataResponse::IncorrectTagList) }, {} }))
            << hex("bf5006" "bf5203" "810101");
        // IpaEuiccData has tagged members: eumCertificate [5] implicit on the Certificate
        // SEQUENCE ('A5' replaces its '30'), ipaCapabilities [8] likewise ('A8').
        IpaEuiccData small;
        small.defaultSmdpAddress = QStringLiteral("a");
        small.associationToken = 0;
        small.eumCertificate = hex("3007" "3000" "3000" "030100");
        small.ipaCapabilities = hex("a804" "80020640");
        QTest::addRow("ipaEuiccData")
            << encode(MessageFromIpa(ProvideEimPackageResult { IpaEuiccDataResponse { small }, {} }))
            << hex("bf501a" "bf5217" "a015" "800161" "840100" "a507" "3000" "3000" "030100" "a804" "80020640");
        QTest::addRow("IpaEuiccDataResponse alone") << IpaEuiccDataResponse { int(IpaEuiccDataResponse::UndefinedError) }.encode() << hex("81017f");
        QTest::addRow("simfleet attach")
            << samples::attachPackage().encode()
            << QByteArray(hex("ff212c" "8004c1c2c3c4" "a124" "8010") + samples::attachPackage().rand + hex("8110") + samples::attachPackage().autn);
    }
    void knownEncodings()
    {
        QFETCH(QByteArray, encoded);
        QFETCH(QByteArray, expected);
        QCOMPARE(encoded.toHex(), expected.toHex());
    }

    // Section 2.11.1.1 and 2.11.2.1: what the eIM and the eUICC sign.
    void signedDataLayout()
    {
        const QByteArray signedPart = samples::packageRequest().content.encode();
        QCOMPARE(EuiccPackageRequest::signedData(signedPart), QByteArray(signedPart + hex("840100")));
        QCOMPARE(EuiccPackageRequest::signedData(signedPart, 300), QByteArray(signedPart + hex("8402012c")));
        const QByteArray data = std::get<EuiccPackageResultData>(samples::packageResult().content).encode();
        const QByteArray eimSignature = samples::signature('\x11');
        QCOMPARE(EuiccPackageResult::signedData(data, eimSignature), QByteArray(data + hex("5f3740") + eimSignature));
        // What arrived is what is signed, even where simfleet would encode it differently:
        // a configureAutoEnable PSMO is kept as it came.
        const QByteArray configure = hex("a7028000");
        const QByteArray signedBytes = hex("3021" "800465696d31" "5a10") + hex(eidHex) + hex("810101" "a004") + configure;
        auto got = EuiccPackageRequest::decode(der::tlv(0xBF51, QByteArray(signedBytes + hex("5f3740") + samples::signature('\x01'))));
        QVERIFY2(got.ok(), qPrintable(got.errorMessage()));
        QCOMPARE(got->receivedSigned, signedBytes);
        QCOMPARE(got->content.psmos.first().kind, Psmo::Kind::Other);
        QCOMPARE(got->content.psmos.first().otherTag, quint16(0xA7));
        QCOMPARE(got->content.encode(), signedBytes);
    }

    // Every strict prefix of a message is refused, never read past its end.
    void truncatedInputsAreRefused()
    {
        const QList<QByteArray> whole { encode(MessageFromEim(GetEimPackageResponse { samples::packageRequest() })),
                                        encode(MessageFromIpa(ProvideEimPackageResult { samples::packageResult(), {} })),
                                        encode(MessageFromIpa(GetEimPackageRequest { samples::eid, true, hex("00f110") })),
                                        encode(MessageFromEim(GetEimPackageResponse { samples::euiccDataRequest() })),
                                        encode(MessageFromIpa(ProvideEimPackageResult {
                                            IpaEuiccDataResponse { samples::euiccData(samples::certificateShape('\x01'), {}, {}, {}) }, {} })) };
        for (const QByteArray &bytes : whole) {
            for (qsizetype n = 0; n < bytes.size(); ++n) {
                const QByteArray prefix = bytes.first(n);
                QVERIFY2(!decodeFromEim(prefix).ok() && !decodeFromIpa(prefix).ok(), prefix.toHex().constData());
            }
        }
    }

    void hostileInputsAreRefused_data()
    {
        QTest::addColumn<bool>("fromIpa");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const QByteArray request = encode(MessageFromIpa(GetEimPackageRequest { samples::eid, false, {} }));
        QTest::addRow("trailing bytes") << true << QByteArray(request + hex("00")) << QStringLiteral("trailing");
        QTest::addRow("trailing bytes inside") << true << hex("bf4f14" "5a10" "89049032000000000000000000000019" "0500")
                                               << QStringLiteral("after its fields");
        QTest::addRow("wrong outer tag") << true << hex("bf5500") << QStringLiteral("'BF55' is none of its alternatives");
        QTest::addRow("a universal outer tag") << false << QByteArray(hex("30") + request.mid(2)) << QStringLiteral("none of its alternatives");
        QTest::addRow("oversized length") << true << hex("bf4f84000000105a10") << QStringLiteral("oversized");
        QTest::addRow("length past the end") << true << hex("bf4f8201005a10") << QStringLiteral("claims 256 bytes");
        QTest::addRow("EID of 15 bytes") << true << hex("bf4f11" "5a0f" "890490320000000000000000000000") << QStringLiteral("15 bytes");
        QTest::addRow("EID not BCD") << true << hex("bf4f12" "5a10" "8904903200000000000000000000001f") << QStringLiteral("not a decimal digit");
        QTest::addRow("rPLMN of 2 bytes") << true << hex("bf4f16" "5a10" "89049032000000000000000000000019" "810200f1")
                                          << QStringLiteral("not 3");
        QTest::addRow("unknown package") << false << hex("bf4f03" "bf5500") << QStringLiteral("'BF55'");
        // IpaEuiccDataRequest's content, in GetEimPackageResponse; IpaEuiccData's, in
        // ProvideEimPackageResult (the envelopes' own bytes are checked in knownEncodings).
        const auto dataRequest = [](const char *content) { return der::tlv(0xBF4F, der::tlv(0xBF52, hex(content))); };
        const auto dataResponse = [](const char *content) { return der::tlv(0xBF50, der::tlv(0xBF52, hex(content))); };
        const auto data = [](const char *content) { return der::tlv(0xBF50, der::tlv(0xBF52, der::tlv(0xA0, hex(content)))); };
        QTest::addRow("tagList missing") << false << dataRequest("04020102") << QStringLiteral("tagList: expected tag 5c");
        QTest::addRow("tagList cut short") << false << dataRequest("5c03a5a6bf") << QStringLiteral("cut short");
        QTest::addRow("tagList of three-octet tags") << false << dataRequest("5c03bf8101") << QStringLiteral("longer than two octets");
        QTest::addRow("tagList in the long form") << false << dataRequest("5c029f05") << QStringLiteral("under 31");
        QTest::addRow("tagList constructed") << false << dataRequest("7c03" "0401a5") << QStringLiteral("tagList: expected tag 5c");
        QTest::addRow("empty euiccCiPKId") << false << dataRequest("5c01a5" "0400") << QStringLiteral("euiccCiPKId is empty");
        QTest::addRow("unknown searchCriteria") << false << dataRequest("5c01a5" "a1028300") << QStringLiteral("none of seqNumber");
        QTest::addRow("two searchCriteria in one") << false << dataRequest("5c01a5" "a1048200" "8200") << QStringLiteral("more than one alternative");
        QTest::addRow("negative seqNumber") << false << dataRequest("5c01a5" "a103" "8001ff") << QStringLiteral("seqNumber");
        QTest::addRow("unknown NotificationEvent") << false << dataRequest("5c01a5" "a104" "81020308") << QStringLiteral("profileManagementOperation");
        QTest::addRow("euiccPackageResults not NULL") << false << dataRequest("5c01a5" "a103" "820100") << QStringLiteral("not a NULL");
        QTest::addRow("searchCriteria twice") << false << dataRequest("5c01a5" "a1028200" "a1028200")
                                              << QStringLiteral("searchCriteria 'A1' is out of order");
        QTest::addRow("request members out of order") << false << dataRequest("04020102" "5c01a5") << QStringLiteral("tagList: expected tag 5c");
        QTest::addRow("euiccCiPKId after searchCriteria")
            << false << dataRequest("5c01a5" "a1028200" "04020102") << QStringLiteral("euiccCiPKId '04' is out of order");
        QTest::addRow("bytes after the request") << false << hex("bf4f09" "bf5204" "5c02a5a6" "0500") << QStringLiteral("more than one package");
        QTest::addRow("empty ipaEuiccDataResponse") << true << dataResponse("") << QStringLiteral("IpaEuiccDataResponse: the encoding ends");
        QTest::addRow("two alternatives in ipaEuiccDataResponse")
            << true << dataResponse("810101" "0500") << QStringLiteral("trailing bytes after its alternative");
        QTest::addRow("unknown ipaEuiccDataResponse alternative")
            << true << dataResponse("8200") << QStringLiteral("neither ipaEuiccData ('A0') nor ipaEuiccDataError ('81')");
        // [82] taken for implicit, which a CHOICE cannot be: IpaEuiccData's members straight inside.
        QTest::addRow("ipaEuiccDataResponse tagged implicitly") << true << dataResponse("800161") << QStringLiteral("an alternative of tag '80'");
        QTest::addRow("ipaEuiccDataError not minimal") << true << dataResponse("81020001") << QStringLiteral("ipaEuiccDataError");
        QTest::addRow("certificate not a SEQUENCE inside 'A5'") << true << data("a503" "040100") << QStringLiteral("eumCertificate: not a certificate");
        QTest::addRow("certificate tagged explicitly")
            << true << data("a60a" "3008" "3000" "3000" "03020000") << QStringLiteral("a whole certificate inside 'A6'");
        QTest::addRow("certificate with a fourth part")
            << true << data("a509" "3000" "3000" "030100" "0500") << QStringLiteral("eumCertificate: not a certificate");
        QTest::addRow("certificate without its signature") << true << data("a504" "3000" "3000") << QStringLiteral("eumCertificate: not a certificate");
        QTest::addRow("certificate primitive '85'")
            << true << data("85020000") << QStringLiteral("eumCertificate 'A5' is out of order, repeated or in the wrong form ('85' found)");
        QTest::addRow("ipaCapabilities as '88'") << true << data("8803800100") << QStringLiteral("so its implicit [8] is 'A8'");
        QTest::addRow("data member out of order") << true << data("840100" "800161") << QStringLiteral("defaultSmdpAddress '80' is out of order");
        QTest::addRow("data member repeated") << true << data("840100" "840101") << QStringLiteral("associationToken '84' is out of order");
        QTest::addRow("unknown member before a known one")
            << true << data("9f7f00" "a9020000") << QStringLiteral("deviceInfo 'A9' is out of order");
        QTest::addRow("defaultSmdpAddress not UTF-8") << true << data("8002c328") << QStringLiteral("defaultSmdpAddress: a text field is not valid UTF-8");
        QTest::addRow("associationToken not minimal") << true << data("84030000ff") << QStringLiteral("associationToken");
        QTest::addRow("member cut short") << true << data("a5053000") << QStringLiteral("claims 5 bytes");
        QTest::addRow("transferEimPackageRequest") << false << hex("bf4e03" "020101") << QStringLiteral("not served");
        QTest::addRow("transferEimPackageResponse") << true << hex("bf4e02" "0500") << QStringLiteral("not served");
        QTest::addRow("unknown result") << true << hex("bf5003" "bf5500") << QStringLiteral("'BF55'");
        QTest::addRow("unknown EuiccPackageResult alternative") << true << hex("bf5005" "bf5102" "a300") << QStringLiteral("'A3'");
        QTest::addRow("unknown notification alternative") << true << hex("bf3d02" "a200") << QStringLiteral("'A2'");
        QTest::addRow("compact notification") << true << hex("bf3d04" "a002" "a000") << QStringLiteral("compact");
        QTest::addRow("unknown PSMO")
            << false << QByteArray(hex("bf4f27" "bf5124" "301f" "800465696d31" "5a10") + hex(eidHex) + hex("810101" "a002" "a900" "5f37") + '\x00')
            << QStringLiteral("PSMO of tag 'A9'");
        EuiccPackageRequest shortSignature = samples::packageRequest();
        shortSignature.eimSignature.chop(1);
        QTest::addRow("eimSignature of 63 bytes") << false << encode(MessageFromEim(GetEimPackageResponse { shortSignature }))
                                                  << QStringLiteral("63 bytes");
        QTest::addRow("euiccChallenge of 15 bytes") << true << QByteArray(hex("bf3911" "810f") + QByteArray(15, '\x01'))
                                                    << QStringLiteral("not 16");
        QTest::addRow("transaction ID of 17 bytes") << true << QByteArray(hex("bf3b16" "8011") + QByteArray(17, '\x01') + hex("bf3800"))
                                                    << QStringLiteral("not 1 to 16");
        QTest::addRow("empty transaction ID") << true << hex("bf3b05" "8000" "bf3800") << QStringLiteral("not 1 to 16");
        QTest::addRow("RAND of 15 bytes")
            << false << QByteArray(hex("bf4f2b" "ff2128" "8001aa" "a123" "800f") + QByteArray(15, '\x01') + hex("8110") + QByteArray(16, '\x02'))
            << QStringLiteral("not 16 each");
        QTest::addRow("unknown simfleet alternative") << false << hex("bf4f08" "ff2105" "8001aa" "a200") << QStringLiteral("neither");
        QTest::addRow("fellBack FALSE written out")
            << true << QByteArray(hex("bf5017" "ff2114" "8001aa" "a10f" "800a") + hex(iccidHex) + hex("820100")) << QStringLiteral("not TRUE");
        QTest::addRow("attachError 0")
            << true << QByteArray(hex("bf500d" "ff210a" "8001aa" "a105" "8301" "41" "8400")) << QStringLiteral("attachError");
        QTest::addRow("the SM-DS alternative") << false << hex("bf3b07" "a105" "80030a0b0c") << QStringLiteral("not supported");
        QTest::addRow("acknowledgement not [0]") << false << hex("bf5006" "bf5303" "020101") << QStringLiteral("SequenceNumber");
    }
    void hostileInputsAreRefused()
    {
        QFETCH(bool, fromIpa);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const QString message = fromIpa ? decodeFromIpa(bytes).errorMessage() : decodeFromEim(bytes).errorMessage();
        QVERIFY2(!message.isEmpty(), "accepted");
        QVERIFY2(message.contains(reason), qPrintable(message));
    }

    // The packages' own decoders, beside the envelopes.
    void packagesRefuseWhatIsNotThem()
    {
        const QByteArray request = samples::packageRequest().encode();
        QVERIFY(!EuiccPackageRequest::decode(QByteArray(request + hex("00"))).ok());
        QVERIFY(EuiccPackageRequest::decode(QByteArray(hex("bf52") + request.mid(2))).errorMessage().contains(QStringLiteral("expected tag bf51")));
        QVERIFY(!EuiccPackageResult::decode(request).ok());
        QVERIFY(!SimfleetEimPackage::decode(samples::attachReport().encode()).ok());
        QVERIFY(SimfleetEimPackage::decode(hex("ff2103" "8000" "00")).errorMessage().contains(QStringLiteral("not 1 to 16")));
        QVERIFY(ProfileDownloadTriggerRequest::decode(hex("bf5404" "a0028100")).errorMessage().contains(QStringLiteral("contactDefaultSmdp")));
        // An eCO package is read as one: counted, not misread as PSMOs.
        const QByteArray eco = hex("3021" "800465696d31" "5a10") + hex(eidHex) + hex("810101" "a104" "ab00" "a900");
        auto withEcos = EuiccPackageSigned::decode(eco);
        QVERIFY2(withEcos.ok(), qPrintable(withEcos.errorMessage()));
        QCOMPARE(withEcos->ecoCount, 2);
        QVERIFY(withEcos->psmos.isEmpty());
    }

    // Section 2.11.2.2 at a first check-in: the eUICC's real certificates cross as 'A5' and
    // 'A6' and come out as the DER crypto::Certificate reads, with the other members intact.
    void ipaEuiccDataFields()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
        auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Test CI"), validity);
        QVERIFY2(ci.ok(), qPrintable(ci.errorMessage()));
        auto eum = crypto::demopki::createManufacturer(ci.value(), QStringLiteral("Acme"), QStringLiteral("DE"), QStringLiteral("89049032"), validity);
        QVERIFY2(eum.ok(), qPrintable(eum.errorMessage()));
        auto eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000001"));
        QVERIFY2(eid.ok(), qPrintable(eid.errorMessage()));
        auto device = crypto::demopki::certifyDevice(eum.value(), eid.value(), crypto::EcPrivateKey::generate().publicKey(), validity);
        QVERIFY2(device.ok(), qPrintable(device.errorMessage()));
        const QByteArray eumDer = eum->certificate.toDer();
        const QByteArray euiccDer = device->toDer();
        const QByteArray euiccInfo1 = sgp22(0xBF20, "820302050083030200ff");
        const QByteArray bytes = encode(MessageFromIpa(
            ProvideEimPackageResult { IpaEuiccDataResponse { samples::euiccData(eumDer, euiccDer, euiccInfo1, sgp22(0xBF37, "bf2703800101")) }, {} }));
        // Implicit tags: the certificate's own tag replaced, its length and content as they were.
        QVERIFY(bytes.contains(QByteArray(QByteArray(1, '\xa5') + eumDer.mid(1))));
        QVERIFY(bytes.contains(QByteArray(QByteArray(1, '\xa6') + euiccDer.mid(1))));
        QVERIFY(!bytes.contains(eumDer));

        auto decoded = decodeFromIpa(bytes);
        QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
        const auto *result = std::get_if<ProvideEimPackageResult>(&decoded.value());
        QVERIFY(result);
        const auto *response = std::get_if<IpaEuiccDataResponse>(&result->content);
        QVERIFY(response);
        const auto *data = std::get_if<IpaEuiccData>(&response->content);
        QVERIFY(data);
        QCOMPARE(data->eumCertificate, eumDer);
        QCOMPARE(data->euiccCertificate, euiccDer);
        auto eumRead = crypto::Certificate::fromDer(data->eumCertificate);
        auto euiccRead = crypto::Certificate::fromDer(data->euiccCertificate);
        QVERIFY2(eumRead.ok(), qPrintable(eumRead.errorMessage()));
        QVERIFY2(euiccRead.ok(), qPrintable(euiccRead.errorMessage()));
        QCOMPARE(euiccRead->toDer(), euiccDer);
        QCOMPARE(data->defaultSmdpAddress, QStringLiteral("smdp.nordtel.example"));
        QCOMPARE(data->rootSmdsAddress, QStringLiteral("lpa.ds.gsma.com"));
        QCOMPARE(data->associationToken.value_or(-1), 300);
        QCOMPARE(data->euiccInfo1, euiccInfo1);
        QVERIFY(data->euiccInfo2.isEmpty());
        QCOMPARE(data->ipaCapabilities, hex("a804" "80020560"));
        QCOMPARE(data->deviceInfo, samples::deviceInfo());
        QCOMPARE(data->notificationsList, QByteArray(hex("bf2b0ba009") + sgp22(0xBF37, "bf2703800101")));
        QCOMPARE(encode(decoded.value()), bytes);
    }

    void ipaEuiccDataRequestFields()
    {
        auto got = IpaEuiccDataRequest::decode(hex("bf5212" "5c05a5a6bf20a9" "0403010203" "a104" "81020470"));
        QVERIFY2(got.ok(), qPrintable(got.errorMessage()));
        QCOMPARE(got->tagList, hex("a5a6bf20a9"));
        QCOMPARE(got->euiccCiPKId, hex("010203"));
        QCOMPARE(got->search, IpaEuiccDataRequest::Search::ProfileManagementOperation);
        QCOMPARE(got->notificationEvent, 0xe); // enable, disable, delete
        auto bySequence = IpaEuiccDataRequest::decode(hex("bf520a" "5c02bf2b" "a104" "8002012c"));
        QVERIFY2(bySequence.ok(), qPrintable(bySequence.errorMessage()));
        QCOMPARE(bySequence->search, IpaEuiccDataRequest::Search::SeqNumber);
        QCOMPARE(bySequence->seqNumber, 300);
        QVERIFY(bySequence->euiccCiPKId.isEmpty());
    }

    // tagList names data objects by tag; the constructed bit does not matter, since section
    // 2.11.2.2 itself writes ipaCapabilities 'A8' as '88'.
    void ipaEuiccDataRequestWants_data()
    {
        QTest::addColumn<QByteArray>("tagList");
        QTest::addColumn<int>("tag");
        QTest::addColumn<bool>("wanted");
        const QByteArray list = hex("80bf20a588");
        QTest::addRow("defaultSmdpAddress") << list << 0x80 << true;
        QTest::addRow("euiccInfo1") << list << 0xBF20 << true;
        QTest::addRow("eumCertificate") << list << 0xA5 << true;
        QTest::addRow("euiccCertificate") << list << 0xA6 << false;
        QTest::addRow("euiccInfo2") << list << 0xBF22 << false;
        QTest::addRow("ipaCapabilities as 'A8'") << list << 0xA8 << true;
        QTest::addRow("ipaCapabilities as '88'") << hex("a8") << 0x88 << true;
        QTest::addRow("a one-octet tag is not the two-octet tag it starts") << hex("bf20") << 0xBF << false;
        QTest::addRow("notificationsList") << hex("bf2b") << 0xBF2B << true;
        QTest::addRow("empty list") << QByteArray() << 0xA5 << false;
        QTest::addRow("malformed list") << hex("a5bf") << 0xA5 << false;
    }
    void ipaEuiccDataRequestWants()
    {
        QFETCH(QByteArray, tagList);
        QFETCH(int, tag);
        QFETCH(bool, wanted);
        IpaEuiccDataRequest request;
        request.tagList = tagList;
        QCOMPARE(request.wants(quint16(tag)), wanted);
    }

    // Members after those SGP.32 v1 has are extension additions of a later version (the
    // module's EXTENSIBILITY IMPLIED): skipped, so a newer IPA's certificates still arrive. They
    // are not kept, so such a value re-encodes without them.
    void ipaEuiccDataExtensionsAreSkipped()
    {
        auto request = IpaEuiccDataRequest::decode(hex("bf520b" "5c02a5a6" "a1028200" "9f7f00"));
        QVERIFY2(request.ok(), qPrintable(request.errorMessage()));
        QVERIFY(request->wants(0xA6));
        QCOMPARE(request->search, IpaEuiccDataRequest::Search::EuiccPackageResults);
        QCOMPARE(request->encode(), hex("bf5208" "5c02a5a6" "a1028200"));
        const QByteArray certificate = samples::certificateShape('\x01');
        auto response = IpaEuiccDataResponse::decode(der::tlv(0xA0, QByteArray(der::tlv(0xA6, certificate.mid(2)) + hex("ab00" "bf3f020500"))));
        QVERIFY2(response.ok(), qPrintable(response.errorMessage()));
        QCOMPARE(std::get<IpaEuiccData>(response->content).euiccCertificate, certificate);
        QCOMPARE(response->encode(), der::tlv(0xA0, der::tlv(0xA6, certificate.mid(2))));
    }

    // The two decoders on their own, as the fuzz target drives them.
    void ipaEuiccDataDecodersRefuseWhatIsNotThem()
    {
        const QByteArray request = samples::euiccDataRequest().encode();
        QVERIFY(IpaEuiccDataRequest::decode(QByteArray(request + hex("00"))).errorMessage().contains(QStringLiteral("trailing bytes")));
        QVERIFY(IpaEuiccDataRequest::decode(QByteArray(hex("bf51") + request.mid(2))).errorMessage().contains(QStringLiteral("expected tag bf52")));
        QVERIFY(!IpaEuiccDataRequest::decode({}).ok());
        for (qsizetype n = 0; n < request.size(); ++n)
            QVERIFY2(!IpaEuiccDataRequest::decode(request.first(n)).ok(), request.first(n).toHex().constData());
        const QByteArray response = IpaEuiccDataResponse { samples::euiccData(samples::certificateShape('\x01'), {}, {}, {}) }.encode();
        QVERIFY(IpaEuiccDataResponse::decode(QByteArray(response + hex("00"))).errorMessage().contains(QStringLiteral("trailing bytes")));
        for (qsizetype n = 0; n < response.size(); ++n)
            QVERIFY2(!IpaEuiccDataResponse::decode(response.first(n)).ok(), response.first(n).toHex().constData());
        // The response as ProvideEimPackageResult carries it, 'BF52' and all, is not the CHOICE.
        QVERIFY(IpaEuiccDataResponse::decode(der::tlv(0xBF52, response)).errorMessage().contains(QStringLiteral("'BF52'")));
    }

    void messageNamesAreSgp32s()
    {
        QCOMPARE(messageName(MessageFromIpa(GetEimPackageRequest {})), QStringLiteral("getEimPackageRequest"));
        QCOMPARE(messageName(MessageFromIpa(HandleNotification {})), QStringLiteral("handleNotificationEsipa"));
        QCOMPARE(messageName(MessageFromEim(ProvideEimPackageResultResponse {})), QStringLiteral("provideEimPackageResultResponse"));
        QCOMPARE(messageName(MessageFromEim(InitiateAuthenticationResponse {})), QStringLiteral("initiateAuthenticationResponseEsipa"));
    }
};

QTEST_GUILESS_MAIN(TestEsipa)
#include "tst_esipa.moc"
