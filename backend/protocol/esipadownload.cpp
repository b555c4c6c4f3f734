#include "der.h"
#include "dervalues.h"
#include "esipacontent.h"

// The indirect download relayed over ESipa (SGP.32 sections 6.3.2.1 to 6.3.2.3 and 6.3.2.5), as
// the content of their envelope alternative. The answers are tagged CHOICEs of untagged
// alternatives, so automatically tagged: the ok SEQUENCE [0] ('A0'), the error INTEGER [1] ('81'),
// or [2] for AuthenticateClientResponseEsipa, whose [1] is the SM-DS alternative.
namespace simfleet::protocol::esipa::content {

namespace {

constexpr quint16 tagSignature = 0x5F37;
constexpr quint16 tagEuiccInfo1 = 0xBF20;
constexpr quint16 tagPrepareDownloadResponse = 0xBF21;
constexpr quint16 tagStoreMetadata = 0xBF25;
constexpr quint16 tagBoundProfilePackage = 0xBF36;
constexpr quint16 tagAuthenticateServerResponse = 0xBF38;
constexpr quint16 tagCancelSessionResponse = 0xBF41; // SGP.22's, as ES10b.CancelSession answers
constexpr qsizetype challengeSize = 16;
constexpr qsizetype hashCcSize = 32;

QByteArray optionalTlv(quint16 tag, QByteArrayView value)
{
    return value.isEmpty() ? QByteArray() : der::tlv(tag, value);
}

Result<QByteArray> readOptionalTransactionId(der::Reader &r)
{
    if (auto tid = r.optional(0x80))
        return der::readTransactionId(tid->content);
    return QByteArray();
}

Result<QByteArray> readTransactionId(der::Reader &r, quint16 tag = 0x80)
{
    auto tid = r.expect(tag, "transactionId");
    if (!tid)
        return tid.error();
    return der::readTransactionId(tid->content);
}

// The one alternative of a CHOICE answer, nothing after it.
Result<der::Element> onlyAlternative(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto chosen = r.next();
    if (!chosen)
        return chosen;
    if (!r.atEnd())
        return fail(QStringLiteral("more than one alternative"));
    return chosen;
}

// An element kept whole (an SGP.22 message or a certificate), which must carry its tag.
Result<QByteArray> readWhole(der::Reader &r, quint16 tag, const char *what)
{
    auto e = r.expect(tag, what);
    if (!e)
        return e.error();
    return e->encoded.toByteArray();
}

Result<QByteArray> readSignatureValue(der::Reader &r, const char *what)
{
    auto e = r.expect(tagSignature, what);
    if (!e)
        return e.error();
    if (e->content.isEmpty())
        return fail(QStringLiteral("%1 is empty").arg(QLatin1StringView(what)));
    return e->content.toByteArray();
}

Error unknownAlternative(quint16 tag)
{
    return fail(QStringLiteral("an alternative of tag %1, neither the ok answer nor the error").arg(tagName(tag)));
}

} // namespace

QByteArray encode(const InitiateAuthenticationRequest &m)
{
    return der::tlv(0x81, m.euiccChallenge) + optionalTlv(0x83, m.smdpAddress.toUtf8()) + m.euiccInfo1;
}

Result<InitiateAuthenticationRequest> decodeInitiateAuthenticationRequest(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto challenge = r.expect(0x81, "euiccChallenge");
    if (!challenge)
        return challenge.error();
    if (challenge->content.size() != challengeSize)
        return fail(QStringLiteral("the eUICC challenge is %1 bytes, not 16").arg(challenge->content.size()));
    InitiateAuthenticationRequest out { challenge->content.toByteArray(), {}, {} };
    if (auto address = r.optional(0x83)) {
        auto text = der::readUtf8(address->content, address->content.size());
        if (!text || text->isEmpty())
            return fail(QStringLiteral("smdpAddress is empty or not UTF-8"));
        out.smdpAddress = text.value();
    }
    if (auto info = r.optional(tagEuiccInfo1))
        out.euiccInfo1 = info->encoded.toByteArray();
    if (!r.atEnd())
        return fail(QStringLiteral("data after its fields"));
    return out;
}

QByteArray encode(const InitiateAuthenticationResponse &m)
{
    if (m.error)
        return der::integer(*m.error, 0x81);
    // ctxParams1 [2] is explicit around the untagged CHOICE CtxParams1.
    QByteArray ok = optionalTlv(0x80, m.transactionId) + m.serverSigned1 + der::tlv(tagSignature, m.serverSignature1)
                    + der::tlv(0x04, m.euiccCiPKIdToBeUsed) + m.serverCertificate + optionalTlv(0x0C, m.matchingId.toUtf8())
                    + optionalTlv(0xA2, m.ctxParams1);
    return der::tlv(0xA0, ok);
}

// A relayed step's answer: a CHOICE of its error code (an INTEGER under errorTag) and its ok
// alternatives. The error's code goes to *error; the alternative chosen is returned either way.
static Result<der::Element> answerOrErrorCode(QByteArrayView bytes, quint16 errorTag, const char *errorName, std::optional<int> *error)
{
    auto chosen = onlyAlternative(bytes);
    if (!chosen)
        return chosen.error();
    if (chosen->tag == errorTag) {
        auto code = readCode(chosen->content);
        if (!code)
            return fail(QStringLiteral("%1: %2").arg(QLatin1StringView(errorName), code.errorMessage()));
        *error = code.value();
    }
    return chosen;
}

Result<InitiateAuthenticationResponse> decodeInitiateAuthenticationResponse(QByteArrayView bytes)
{
    InitiateAuthenticationResponse out;
    auto chosen = answerOrErrorCode(bytes, 0x81, "initiateAuthenticationErrorEsipa", &out.error);
    if (!chosen)
        return chosen.error();
    if (out.error)
        return out;
    if (chosen->tag != 0xA0)
        return unknownAlternative(chosen->tag);
    der::Reader r(chosen->content);
    auto tid = readOptionalTransactionId(r);
    auto signed1 = tid ? readWhole(r, 0x30, "serverSigned1") : tid;
    auto signature = signed1 ? readSignatureValue(r, "serverSignature1") : signed1;
    auto keyId = signature ? r.expect(0x04, "euiccCiPKIdToBeUsed") : Result<der::Element>(signature.error());
    auto certificate = keyId ? readWhole(r, 0x30, "serverCertificate") : Result<QByteArray>(keyId.error());
    if (!certificate)
        return certificate.error();
    out.transactionId = tid.value();
    out.serverSigned1 = signed1.value();
    out.serverSignature1 = signature.value();
    out.euiccCiPKIdToBeUsed = keyId->content.toByteArray();
    out.serverCertificate = certificate.value();
    if (auto matchingId = r.optional(0x0C)) {
        auto text = der::readUtf8(matchingId->content, matchingId->content.size());
        if (!text)
            return fail(QStringLiteral("matchingId: %1").arg(text.errorMessage()));
        out.matchingId = text.value();
    }
    if (auto ctx = r.optional(0xA2)) {
        auto params = onlyAlternative(ctx->content);
        if (!params)
            return fail(QStringLiteral("ctxParams1: %1").arg(params.errorMessage()));
        out.ctxParams1 = params->encoded.toByteArray();
    }
    if (!r.atEnd())
        return fail(QStringLiteral("initiateAuthenticationOkEsipa holds data after its fields"));
    return out;
}

QByteArray encode(const AuthenticateClientRequest &m)
{
    return der::tlv(0x80, m.transactionId) + m.authenticateServerResponse;
}

// A relayed step's request: the session's transaction ID, then what ES10b answered, whole.
static Result<std::pair<QByteArray, QByteArray>> readTransactionAndAnswer(QByteArrayView bytes, quint16 tag, const char *name)
{
    der::Reader r(bytes);
    auto tid = readTransactionId(r);
    auto answer = tid ? readWhole(r, tag, name) : tid;
    if (!answer)
        return answer.error();
    if (!r.atEnd())
        return fail(QStringLiteral("data after its fields"));
    return std::pair { tid.value(), answer.value() };
}

Result<AuthenticateClientRequest> decodeAuthenticateClientRequest(QByteArrayView bytes)
{
    // authenticateServerResponse [56] is explicit around SGP32-AuthenticateServerResponse, an
    // untagged CHOICE with the alternatives of SGP.22's 'BF38': the same bytes as ES10b answered.
    auto read = readTransactionAndAnswer(bytes, tagAuthenticateServerResponse, "authenticateServerResponse");
    if (!read)
        return read.error();
    return AuthenticateClientRequest { read->first, read->second };
}

QByteArray encode(const AuthenticateClientResponse &m)
{
    if (m.error)
        return der::integer(*m.error, 0x82);
    QByteArray ok = optionalTlv(0x80, m.transactionId) + m.profileMetadata + m.smdpSigned2
                    + der::tlv(tagSignature, m.smdpSignature2) + m.smdpCertificate + optionalTlv(0x04, m.hashCc);
    return der::tlv(0xA0, ok);
}

Result<AuthenticateClientResponse> decodeAuthenticateClientResponse(QByteArrayView bytes)
{
    AuthenticateClientResponse out;
    auto chosen = answerOrErrorCode(bytes, 0x82, "authenticateClientErrorEsipa", &out.error);
    if (!chosen)
        return chosen.error();
    if (out.error)
        return out;
    if (chosen->tag == 0xA1)
        return fail(QStringLiteral("authenticateClientOkDSEsipa (a download found through an SM-DS) is not supported"));
    if (chosen->tag != 0xA0)
        return unknownAlternative(chosen->tag);
    der::Reader r(chosen->content);
    auto tid = readOptionalTransactionId(r);
    if (!tid)
        return tid.error();
    out.transactionId = tid.value();
    if (auto metadata = r.optional(tagStoreMetadata))
        out.profileMetadata = metadata->encoded.toByteArray();
    auto signed2 = readWhole(r, 0x30, "smdpSigned2");
    auto signature = signed2 ? readSignatureValue(r, "smdpSignature2") : signed2;
    auto certificate = signature ? readWhole(r, 0x30, "smdpCertificate") : signature;
    if (!certificate)
        return certificate.error();
    out.smdpSigned2 = signed2.value();
    out.smdpSignature2 = signature.value();
    out.smdpCertificate = certificate.value();
    if (auto hashCc = r.optional(0x04)) {
        if (hashCc->content.size() != hashCcSize)
            return fail(QStringLiteral("hashCc is %1 bytes, not 32").arg(hashCc->content.size()));
        out.hashCc = hashCc->content.toByteArray();
    }
    if (!r.atEnd())
        return fail(QStringLiteral("authenticateClientOkDPEsipa holds data after its fields"));
    return out;
}

QByteArray encode(const GetBoundProfilePackageRequest &m)
{
    return der::tlv(0x80, m.transactionId) + m.prepareDownloadResponse;
}

Result<GetBoundProfilePackageRequest> decodeGetBoundProfilePackageRequest(QByteArrayView bytes)
{
    // prepareDownloadResponse [33] is explicit around an untagged CHOICE with SGP.22's
    // alternatives: the 'BF21' ES10b answered.
    auto read = readTransactionAndAnswer(bytes, tagPrepareDownloadResponse, "prepareDownloadResponse");
    if (!read)
        return read.error();
    return GetBoundProfilePackageRequest { read->first, read->second };
}

QByteArray encode(const GetBoundProfilePackageResponse &m)
{
    if (m.error)
        return der::integer(*m.error, 0x81);
    return der::tlv(0xA0, QByteArray(optionalTlv(0x80, m.transactionId) + m.boundProfilePackage));
}

Result<GetBoundProfilePackageResponse> decodeGetBoundProfilePackageResponse(QByteArrayView bytes)
{
    GetBoundProfilePackageResponse out;
    auto chosen = answerOrErrorCode(bytes, 0x81, "getBoundProfilePackageErrorEsipa", &out.error);
    if (!chosen)
        return chosen.error();
    if (out.error)
        return out;
    if (chosen->tag != 0xA0)
        return unknownAlternative(chosen->tag);
    der::Reader r(chosen->content);
    auto tid = readOptionalTransactionId(r);
    auto package = tid ? readWhole(r, tagBoundProfilePackage, "boundProfilePackage") : tid;
    if (!package)
        return package.error();
    if (!r.atEnd())
        return fail(QStringLiteral("getBoundProfilePackageOkEsipa holds data after the package"));
    out.transactionId = tid.value();
    out.boundProfilePackage = package.value();
    return out;
}

QByteArray encode(const CancelSessionRequest &m)
{
    // CancelSessionRequestEsipa's components are untagged, so automatically tagged:
    // transactionId [0], and cancelSessionResponse [1], explicit around the untagged CHOICE
    // SGP32-CancelSessionResponse. SGP.22's answer is that CHOICE inside 'BF41': its content
    // moves from 'BF41' to 'A1'.
    der::Reader r(m.cancelSessionResponse);
    auto answer = r.next();
    const QByteArrayView choice = answer && answer->tag == tagCancelSessionResponse ? answer->content : QByteArrayView(m.cancelSessionResponse);
    return der::tlv(0x80, m.transactionId) + der::tlv(0xA1, choice);
}

Result<CancelSessionRequest> decodeCancelSessionRequest(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto tid = readTransactionId(r);
    if (!tid)
        return tid.error();
    auto response = r.expect(0xA1, "cancelSessionResponse");
    if (!response)
        return response.error();
    if (!r.atEnd())
        return fail(QStringLiteral("data after its fields"));
    auto chosen = onlyAlternative(response->content);
    if (!chosen)
        return fail(QStringLiteral("cancelSessionResponse: %1").arg(chosen.errorMessage()));
    if (chosen->tag != 0xA0 && chosen->tag != 0x81)
        return fail(QStringLiteral("cancelSessionResponse of tag %1 is neither SGP.22's ok answer nor its error").arg(tagName(chosen->tag)));
    return CancelSessionRequest { tid.value(), der::tlv(tagCancelSessionResponse, response->content) };
}

QByteArray encode(const CancelSessionResponse &m)
{
    if (m.error)
        return der::integer(*m.error, 0x81);
    return der::tlv(0xA0, {}); // cancelSessionOk: an empty SEQUENCE
}

Result<CancelSessionResponse> decodeCancelSessionResponse(QByteArrayView bytes)
{
    auto chosen = onlyAlternative(bytes);
    if (!chosen)
        return chosen.error();
    CancelSessionResponse out;
    if (chosen->tag == 0xA0) {
        if (!chosen->content.isEmpty())
            return fail(QStringLiteral("cancelSessionOk is not empty"));
        return out;
    }
    if (chosen->tag != 0x81)
        return unknownAlternative(chosen->tag);
    auto code = readCode(chosen->content);
    if (!code)
        return fail(QStringLiteral("cancelSessionError: %1").arg(code.errorMessage()));
    out.error = code.value();
    return out;
}

} // namespace simfleet::protocol::esipa::content
