#include "preparedownload.h"
#include "der.h"

namespace simfleet::protocol {

namespace {
constexpr quint16 tagPrepareDownload = 0xBF21;
constexpr quint16 tagSignature = 0x5F37;
constexpr quint16 tagOneTimeKey = 0x5F49;
} // namespace

QByteArray PrepareDownloadRequest::smdpSigned2() const
{
    return der::sequence(QByteArray(der::tlv(0x80, transactionId) + der::boolean(confirmationCodeRequired)));
}

QByteArray PrepareDownloadRequest::signedData(QByteArrayView euiccSignature1Object) const
{
    return smdpSigned2() + euiccSignature1Object.toByteArray();
}

QByteArray PrepareDownloadRequest::signatureObject() const
{
    return der::tlv(tagSignature, smdpSignature2);
}

QByteArray PrepareDownloadRequest::encode() const
{
    return der::tlv(tagPrepareDownload, QByteArray(smdpSigned2() + signatureObject() + smdpCertificate));
}

Result<PrepareDownloadRequest> PrepareDownloadRequest::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("PrepareDownload: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagPrepareDownload, "PrepareDownloadRequest");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one PrepareDownloadRequest"));
    der::Reader r(top->content);
    auto signed2 = r.expect(0x30, "smdpSigned2");
    auto signature = signed2 ? r.expect(tagSignature, "smdpSignature2") : signed2;
    if (!signature)
        return bad(signature.errorMessage());
    if (r.optional(0x04))
        return bad(QStringLiteral("a confirmation code is asked for, which an M2M device cannot give"));
    auto certificate = r.expect(0x30, "smdpCertificate");
    if (!certificate || !r.atEnd())
        return bad(QStringLiteral("the binding certificate is missing or followed by more data"));
    der::Reader s(signed2->content);
    auto tid = s.expect(0x80, "transactionId");
    auto cc = tid ? s.expect(0x01, "ccRequiredFlag") : tid;
    if (!cc)
        return bad(cc.errorMessage());
    if (s.optional(0x5F49) || !s.atEnd())
        return bad(QStringLiteral("smdpSigned2 names a one-time key already used (a retried binding, which this device does not support)"));
    PrepareDownloadRequest out;
    out.transactionId = tid->content.toByteArray();
    out.confirmationCodeRequired = cc->content.size() == 1 && cc->content[0] != 0;
    out.smdpSignature2 = signature->content.toByteArray();
    out.smdpCertificate = certificate->encoded.toByteArray();
    if (out.smdpSigned2() != signed2->encoded)
        return bad(QStringLiteral("smdpSigned2 is not in DER"));
    return out;
}

QByteArray PrepareDownloadResponse::euiccSigned2() const
{
    return der::sequence(QByteArray(der::tlv(0x80, transactionId) + der::tlv(tagOneTimeKey, euiccOneTimePublicKey)));
}

QByteArray PrepareDownloadResponse::signedData(QByteArrayView smdpSignature2Object) const
{
    return euiccSigned2() + smdpSignature2Object.toByteArray();
}

QByteArray PrepareDownloadResponse::encode() const
{
    // downloadResponseOk, [0] by the CHOICE's automatic tags.
    return der::tlv(tagPrepareDownload, der::tlv(0xA0, QByteArray(euiccSigned2() + der::tlv(tagSignature, euiccSignature2))));
}

Result<PrepareDownloadResponse> PrepareDownloadResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the device's PrepareDownload answer: %1").arg(why)); };
    auto ok = der::okAnswer(bytes, tagPrepareDownload, "PrepareDownloadResponse", "downloadErrorCode");
    if (!ok)
        return bad(ok.errorMessage());
    der::Reader r(ok->content);
    auto signed2 = r.expect(0x30, "euiccSigned2");
    auto signature = signed2 ? r.expect(tagSignature, "euiccSignature2") : signed2;
    if (!signature || !r.atEnd())
        return bad(QStringLiteral("euiccSignature2 is missing or followed by more data"));
    der::Reader s(signed2->content);
    auto tid = s.expect(0x80, "transactionId");
    auto key = tid ? s.expect(tagOneTimeKey, "euiccOtpk") : tid;
    if (!key)
        return bad(key.errorMessage());
    PrepareDownloadResponse out { tid->content.toByteArray(), key->content.toByteArray(), signature->content.toByteArray() };
    if (out.euiccSigned2() != signed2->encoded)
        return bad(QStringLiteral("euiccSigned2 is not in DER"));
    return out;
}

} // namespace simfleet::protocol
