#include "authenticateserver.h"
#include "der.h"

#include <QStringDecoder>

namespace simfleet::protocol {

namespace {

constexpr quint16 tagAuthenticateServer = 0xBF38;
constexpr quint16 tagSignature = 0x5F37;
constexpr quint16 tagEuiccInfo2 = 0xBF22;

// CtxParams1 (an untagged CHOICE, its alternative [0] by the module's automatic tags):
// ctxParamsForCommonAuthentication { matchingId [0] OPTIONAL, deviceInfo [1] { tac [0],
// deviceCapabilities [1] { eutranEpcSupportedRelease [5] }, imei [2] OPTIONAL } }.
QByteArray encodeCtxParams1(const QString &matchingId, const QByteArray &tac, const QByteArray &imei)
{
    // An M2M module on LTE: E-UTRAN (EPC) release 15.
    const QByteArray capabilities = der::tlv(0x85, QByteArray::fromHex("0f0000"));
    QByteArray deviceInfo = der::tlv(0x80, tac) + der::tlv(0xA1, capabilities);
    if (!imei.isEmpty())
        deviceInfo += der::tlv(0x82, imei);
    QByteArray common;
    if (!matchingId.isEmpty())
        common += der::tlv(0x80, matchingId.toUtf8());
    common += der::tlv(0xA1, deviceInfo);
    return der::tlv(0xA0, common);
}

struct CtxParams
{
    QString matchingId;
    QByteArray tac;
    QByteArray imei;
};

// The ctxParamsForCommonAuthentication alternative, the only one of SGP.22 v2.5 (section 5.7.13).
Result<CtxParams> decodeCtxParams1(QByteArrayView ctxParams1)
{
    der::Reader outer(ctxParams1);
    auto ctx = outer.expect(0xA0, "ctxParams1");
    if (!ctx || !outer.atEnd())
        return fail(QStringLiteral("ctxParams1 is not ctxParamsForCommonAuthentication"));
    CtxParams out;
    der::Reader c(ctx->content);
    if (auto matching = c.optional(0x80)) {
        QStringDecoder utf8(QStringDecoder::Utf8);
        out.matchingId = utf8(matching->content);
        if (utf8.hasError())
            return fail(QStringLiteral("the matchingId is not UTF-8"));
    }
    auto deviceInfo = c.expect(0xA1, "deviceInfo");
    if (!deviceInfo)
        return fail(deviceInfo.errorMessage());
    der::Reader d(deviceInfo->content);
    auto tac = d.expect(0x80, "tac");
    if (!tac || tac->content.size() != 4)
        return fail(QStringLiteral("the device information has no TAC"));
    out.tac = tac->content.toByteArray();
    if (!d.expect(0xA1, "deviceCapabilities"))
        return fail(QStringLiteral("the device information has no capabilities"));
    if (auto imei = d.optional(0x82))
        out.imei = imei->content.toByteArray();
    return out;
}

} // namespace

QByteArray encodeGetEuiccChallengeResponse(QByteArrayView challenge)
{
    return der::tlv(0xBF2E, der::tlv(0x80, challenge));
}

Result<QByteArray> decodeGetEuiccChallengeResponse(QByteArrayView bytes)
{
    der::Reader outer(bytes);
    auto response = outer.expect(0xBF2E, "GetEuiccChallengeResponse");
    if (!response || !outer.atEnd())
        return fail(QStringLiteral("the device's GetEuiccChallengeResponse is malformed: %1")
                        .arg(response ? QStringLiteral("bytes follow it") : response.errorMessage()));
    der::Reader inner(response->content);
    auto challenge = inner.expect(0x80, "euiccChallenge");
    if (!challenge || !inner.atEnd() || challenge->content.size() != 16)
        return fail(QStringLiteral("the device's challenge is not 16 bytes in GetEuiccChallengeResponse"));
    return challenge->content.toByteArray();
}

QByteArray AuthenticateServerRequest::serverSigned1() const
{
    return der::sequence(QByteArray(der::tlv(0x80, transactionId) + der::tlv(0x81, euiccChallenge)
                                    + der::tlv(0x83, serverAddress.toUtf8()) + der::tlv(0x84, serverChallenge)));
}

QByteArray AuthenticateServerRequest::encode() const
{
    return der::tlv(tagAuthenticateServer,
                    QByteArray(serverSigned1() + der::tlv(tagSignature, serverSignature1) + der::tlv(0x04, ciKeyId)
                               + serverCertificate + ctxParams1()));
}

QByteArray AuthenticateServerRequest::ctxParams1() const
{
    return encodeCtxParams1(matchingId, tac, imei);
}

Result<AuthenticateServerRequest> AuthenticateServerRequest::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("AuthenticateServer: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagAuthenticateServer, "AuthenticateServerRequest");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one AuthenticateServerRequest"));
    der::Reader r(top->content);
    AuthenticateServerRequest out;
    auto signed1 = r.expect(0x30, "serverSigned1");
    auto signature = signed1 ? r.expect(tagSignature, "serverSignature1") : signed1;
    auto ci = signature ? r.expect(0x04, "euiccCiPKIdToBeUsed") : signature;
    if (!ci)
        return bad(ci.errorMessage());
    auto certificate = r.expect(0x30, "serverCertificate");
    if (!certificate)
        return bad(certificate.errorMessage());
    auto ctx = r.expect(0xA0, "ctxParams1");
    if (!ctx || !r.atEnd())
        return bad(QStringLiteral("ctxParams1 is missing or followed by more data"));
    der::Reader s(signed1->content);
    auto tid = s.expect(0x80, "transactionId");
    auto challenge = tid ? s.expect(0x81, "euiccChallenge") : tid;
    auto address = challenge ? s.expect(0x83, "serverAddress") : challenge;
    auto serverChallenge = address ? s.expect(0x84, "serverChallenge") : address;
    if (!serverChallenge || !s.atEnd())
        return bad(QStringLiteral("serverSigned1 is malformed"));
    if (tid->content.isEmpty() || tid->content.size() > 16 || challenge->content.size() != 16
        || serverChallenge->content.size() != 16)
        return bad(QStringLiteral("a transaction ID or challenge has the wrong size"));
    out.transactionId = tid->content.toByteArray();
    out.euiccChallenge = challenge->content.toByteArray();
    out.serverAddress = QString::fromUtf8(address->content);
    out.serverChallenge = serverChallenge->content.toByteArray();
    out.serverSignature1 = signature->content.toByteArray();
    out.ciKeyId = ci->content.toByteArray();
    out.serverCertificate = certificate->encoded.toByteArray();
    // The signature covers the bytes as sent; they must be what this encoder writes (DER).
    if (out.serverSigned1() != signed1->encoded)
        return bad(QStringLiteral("serverSigned1 is not in DER"));
    auto context = decodeCtxParams1(ctx->encoded);
    if (!context)
        return bad(context.errorMessage());
    out.matchingId = context->matchingId;
    out.tac = context->tac;
    out.imei = context->imei;
    return out;
}

QByteArray EuiccInfo2::encode() const
{
    // Profile package version 2.3.0, SGP.22 2.5.0, firmware 1.0.0; the extended card resource
    // (ETSI TS 102 226: installed applications, free non-volatile and volatile memory); USIM
    // support (UICCCapability bit 1); additionalProfile and crlSupport; the CI key for
    // verification and signing; protection profile 1.0.0; no SAS accreditation number.
    const QByteArray ciList = der::tlv(0x04, ciKeyId);
    const QByteArray content = der::tlv(0x81, QByteArray::fromHex("020300")) + der::tlv(0x82, QByteArray::fromHex("020500"))
        + der::tlv(0x83, QByteArray::fromHex("010000"))
        + der::tlv(0x84, QByteArray::fromHex("810100820400080000830200a0")) + der::namedBits({ 1 }, 0x85)
        + der::namedBits({ 0, 1 }, 0x88) + der::tlv(0xA9, ciList) + der::tlv(0xAA, ciList)
        + der::tlv(0x04, QByteArray::fromHex("010000")) + der::tlv(0x0C, QByteArray());
    return der::tlv(tagEuiccInfo2, content);
}

QByteArray AuthenticateServerResponse::euiccSigned1() const
{
    return der::sequence(QByteArray(der::tlv(0x80, transactionId) + der::tlv(0x83, serverAddress.toUtf8())
                                    + der::tlv(0x84, serverChallenge) + euiccInfo2 + ctxParams1));
}

QByteArray AuthenticateServerResponse::signatureObject() const
{
    return der::tlv(tagSignature, euiccSignature1);
}

QByteArray AuthenticateServerResponse::encode() const
{
    // authenticateResponseOk, [0] by the CHOICE's automatic tags.
    return der::tlv(tagAuthenticateServer,
                    der::tlv(0xA0, QByteArray(euiccSigned1() + signatureObject() + euiccCertificate + eumCertificate)));
}

Result<AuthenticateServerResponse> AuthenticateServerResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the device's authentication: %1").arg(why)); };
    auto ok = der::okAnswer(bytes, tagAuthenticateServer, "AuthenticateServerResponse", "authenticateErrorCode");
    if (!ok)
        return bad(ok.errorMessage());
    der::Reader r(ok->content);
    auto signed1 = r.expect(0x30, "euiccSigned1");
    auto signature = signed1 ? r.expect(tagSignature, "euiccSignature1") : signed1;
    if (!signature)
        return bad(signature.errorMessage());
    auto euicc = r.expect(0x30, "euiccCertificate");
    auto eum = euicc ? r.expect(0x30, "eumCertificate") : euicc;
    if (!eum || !r.atEnd())
        return bad(QStringLiteral("the device's certificates are missing or followed by more data"));
    AuthenticateServerResponse out;
    der::Reader s(signed1->content);
    auto tid = s.expect(0x80, "transactionId");
    auto address = tid ? s.expect(0x83, "serverAddress") : tid;
    auto challenge = address ? s.expect(0x84, "serverChallenge") : address;
    if (!challenge)
        return bad(challenge.errorMessage());
    auto info = s.expect(tagEuiccInfo2, "euiccInfo2");
    auto ctx = info ? s.expect(0xA0, "ctxParams1") : info;
    if (!ctx || !s.atEnd())
        return bad(QStringLiteral("euiccSigned1 is malformed"));
    out.transactionId = tid->content.toByteArray();
    out.serverAddress = QString::fromUtf8(address->content);
    out.serverChallenge = challenge->content.toByteArray();
    out.euiccInfo2 = info->encoded.toByteArray();
    out.ctxParams1 = ctx->encoded.toByteArray();
    out.euiccSignature1 = signature->content.toByteArray();
    out.euiccCertificate = euicc->encoded.toByteArray();
    out.eumCertificate = eum->encoded.toByteArray();
    if (out.euiccSigned1() != signed1->encoded)
        return bad(QStringLiteral("euiccSigned1 is not in DER"));
    return out;
}

Result<QString> AuthenticateServerResponse::matchingId() const
{
    auto context = decodeCtxParams1(ctxParams1);
    if (!context)
        return fail(QStringLiteral("the device's ctxParams1: %1").arg(context.errorMessage()));
    return context->matchingId;
}

} // namespace simfleet::protocol
