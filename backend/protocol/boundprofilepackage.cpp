#include "boundprofilepackage.h"
#include "der.h"

namespace simfleet::protocol {

namespace {

constexpr quint16 tagBoundProfilePackage = 0xBF36;
constexpr quint16 tagInitialiseSecureChannel = 0xBF23;
constexpr quint16 tagRemoteOpId = 0x82;
constexpr quint16 tagTransactionId = 0x80;
constexpr quint16 tagControlRefTemplate = 0xA6;
constexpr quint16 tagOneTimeKey = 0x5F49;
constexpr quint16 tagSignature = 0x5F37;
constexpr quint16 tagConfigureIsdp = 0xBF24;

QByteArray sequenceOf(quint16 tag, const QList<QByteArray> &segments)
{
    QByteArray content;
    for (const QByteArray &s : segments)
        content += s;
    return der::tlv(tag, content);
}

// The raw TLVs inside one of the BPP's SEQUENCE OF fields, each with the tag it must carry.
Result<QList<QByteArray>> segmentsOf(const der::Element &sequence, quint16 tag, const char *what)
{
    QList<QByteArray> out;
    der::Reader reader(sequence.content);
    while (!reader.atEnd()) {
        auto e = reader.next();
        if (!e)
            return fail(QStringLiteral("%1: %2").arg(QLatin1StringView(what), e.errorMessage()));
        if (e->tag != tag)
            return fail(QStringLiteral("%1 holds a segment tagged %2").arg(QLatin1StringView(what)).arg(e->tag, 2, 16, QLatin1Char('0')));
        out.append(e->encoded.toByteArray());
    }
    if (out.isEmpty())
        return fail(QStringLiteral("%1 is empty").arg(QLatin1StringView(what)));
    return out;
}

} // namespace

QByteArray InitialiseSecureChannelRequest::dataObjects() const
{
    const QByteArray crt = der::tlv(0x80, QByteArray(1, char(0x88))) + der::tlv(0x81, QByteArray(1, char(0x10)))
        + der::tlv(0x84, hostId);
    return der::tlv(tagRemoteOpId, QByteArray(1, char(installBoundProfilePackage))) + der::tlv(tagTransactionId, transactionId)
        + der::tlv(tagControlRefTemplate, crt) + der::tlv(tagOneTimeKey, serverOneTimePublicKey);
}

QByteArray InitialiseSecureChannelRequest::signedData(QByteArrayView euiccOneTimePublicKey) const
{
    return dataObjects() + der::tlv(tagOneTimeKey, euiccOneTimePublicKey);
}

QByteArray InitialiseSecureChannelRequest::encode() const
{
    return der::tlv(tagInitialiseSecureChannel, QByteArray(dataObjects() + der::tlv(tagSignature, signature)));
}

Result<InitialiseSecureChannelRequest> InitialiseSecureChannelRequest::decode(QByteArrayView tlv)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("InitialiseSecureChannel: %1").arg(why)); };
    der::Reader outer(tlv);
    auto top = outer.expect(tagInitialiseSecureChannel, "InitialiseSecureChannelRequest");
    if (!top || !outer.atEnd())
        return bad(top ? QStringLiteral("trailing bytes") : top.errorMessage());
    der::Reader r(top->content);
    auto op = r.expect(tagRemoteOpId, "remoteOpId");
    auto tid = op ? r.expect(tagTransactionId, "transactionId") : op;
    auto crt = tid ? r.expect(tagControlRefTemplate, "controlRefTemplate") : tid;
    auto otpk = crt ? r.expect(tagOneTimeKey, "smdpOtpk") : crt;
    auto sign = otpk ? r.expect(tagSignature, "smdpSign") : otpk;
    if (!sign)
        return bad(sign.errorMessage());
    if (!r.atEnd())
        return bad(QStringLiteral("unexpected data after smdpSign"));
    auto opId = der::readInteger(op->content);
    if (!opId || *opId != installBoundProfilePackage)
        return bad(QStringLiteral("the remote operation is not installBoundProfilePackage"));
    if (tid->content.isEmpty() || tid->content.size() > 16)
        return bad(QStringLiteral("the transaction ID is not 1 to 16 bytes"));
    der::Reader c(crt->content);
    auto keyType = c.expect(0x80, "keyType");
    auto keyLen = keyType ? c.expect(0x81, "keyLen") : keyType;
    auto hostId = keyLen ? c.expect(0x84, "hostId") : keyLen;
    if (!hostId || !c.atEnd())
        return bad(QStringLiteral("the control reference template is malformed"));
    if (keyType->content != QByteArrayView("\x88", 1) || keyLen->content != QByteArrayView("\x10", 1))
        return bad(QStringLiteral("it asks for a key other than AES-128 (unsupported CRT values)"));
    if (hostId->content.isEmpty() || hostId->content.size() > 16)
        return bad(QStringLiteral("the host ID is not 1 to 16 bytes"));
    return InitialiseSecureChannelRequest { tid->content.toByteArray(), hostId->content.toByteArray(),
                                            otpk->content.toByteArray(), sign->content.toByteArray() };
}

QByteArray BoundProfilePackage::encode() const
{
    QByteArray content = initialiseSecureChannel.encode() + sequenceOf(0xA0, configureIsdp) + sequenceOf(0xA1, storeMetadata);
    if (!replaceSessionKeys.isEmpty())
        content += sequenceOf(0xA2, replaceSessionKeys);
    content += sequenceOf(0xA3, profileElements);
    return der::tlv(tagBoundProfilePackage, content);
}

Result<BoundProfilePackage> BoundProfilePackage::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the bound profile package %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagBoundProfilePackage, "BoundProfilePackage");
    if (!top)
        return bad(QStringLiteral("is not one: %1").arg(top.errorMessage()));
    if (!outer.atEnd())
        return bad(QStringLiteral("has trailing bytes"));
    der::Reader r(top->content);
    auto isc = r.expect(tagInitialiseSecureChannel, "initialiseSecureChannelRequest");
    if (!isc)
        return bad(QStringLiteral("does not start with InitialiseSecureChannel"));
    BoundProfilePackage out;
    auto request = InitialiseSecureChannelRequest::decode(isc->encoded);
    if (!request)
        return request.error();
    out.initialiseSecureChannel = request.value();
    auto first87 = r.expect(0xA0, "firstSequenceOf87");
    if (!first87)
        return bad(QStringLiteral("lacks ConfigureISDP (firstSequenceOf87)"));
    auto configure = segmentsOf(first87.value(), 0x87, "firstSequenceOf87");
    if (!configure)
        return configure.error();
    out.configureIsdp = configure.value();
    auto seq88 = r.expect(0xA1, "sequenceOf88");
    if (!seq88)
        return bad(QStringLiteral("lacks StoreMetadata (sequenceOf88)"));
    auto metadata = segmentsOf(seq88.value(), 0x88, "sequenceOf88");
    if (!metadata)
        return metadata.error();
    out.storeMetadata = metadata.value();
    if (auto second87 = r.optional(0xA2)) {
        auto replace = segmentsOf(*second87, 0x87, "secondSequenceOf87");
        if (!replace)
            return replace.error();
        out.replaceSessionKeys = replace.value();
    }
    auto seq86 = r.expect(0xA3, "sequenceOf86");
    if (!seq86)
        return bad(QStringLiteral("lacks its profile elements (sequenceOf86)"));
    auto elements = segmentsOf(seq86.value(), 0x86, "sequenceOf86");
    if (!elements)
        return elements.error();
    out.profileElements = elements.value();
    if (!r.atEnd())
        return bad(QStringLiteral("has data after its profile elements"));
    return out;
}

QByteArray encodeConfigureIsdp(QByteArrayView serverOid)
{
    // dpProprietaryData [24] (tag 'B8') { dpOid }: the server that made the profile. The
    // module's automatic tags make dpOid [0], tag '80'.
    return der::tlv(tagConfigureIsdp, der::tlv(0xB8, der::tlv(0x80, serverOid)));
}

Result<void> decodeConfigureIsdp(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto top = r.expect(tagConfigureIsdp, "ConfigureISDPRequest");
    if (!top || !r.atEnd())
        return fail(QStringLiteral("ConfigureISDP is malformed"));
    der::Reader inner(top->content);
    if (auto data = inner.optional(0xB8)) {
        der::Reader oid(data->content);
        if (!oid.expect(0x80, "dpOid"))
            return fail(QStringLiteral("ConfigureISDP names no profile server OID"));
    }
    return {};
}

} // namespace simfleet::protocol
