#include "cancelsession.h"

#include "der.h"

namespace simfleet::protocol {

namespace {
// The module's AUTOMATIC TAGS: the CHOICE's ok alternative is [0], its error [1]; the signed
// SEQUENCE's members are [0] to [2].
constexpr quint16 tagCancelSession = 0xBF41;
constexpr quint16 tagSignature = 0x5F37;
}

QByteArray CancelSessionResponse::signedData() const
{
    return der::sequence(QByteArray(der::tlv(0x80, transactionId) + der::tlv(0x81, serverOid) + der::integer(qint64(reason), 0x82)));
}

QByteArray CancelSessionResponse::encode() const
{
    return der::tlv(tagCancelSession, der::tlv(0xA0, QByteArray(signedData() + der::tlv(tagSignature, signature))));
}

Result<CancelSessionResponse> CancelSessionResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("CancelSessionResponse: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagCancelSession, "CancelSessionResponse");
    if (!top || !outer.atEnd())
        return bad(top ? QStringLiteral("bytes after the response") : top.errorMessage());
    der::Reader choice(top->content);
    auto chosen = choice.next();
    if (!chosen || !choice.atEnd())
        return bad(chosen ? QStringLiteral("more than one answer") : chosen.errorMessage());
    if (chosen->tag == 0x81) {
        auto code = der::readInteger(chosen->content);
        return bad(QStringLiteral("the eUICC refused to cancel (code %1)").arg(code ? code.value() : -1));
    }
    if (chosen->tag != 0xA0)
        return bad(QStringLiteral("neither the ok nor the error answer"));
    der::Reader ok(chosen->content);
    auto signedPart = ok.expect(0x30, "euiccCancelSessionSigned");
    auto signature = signedPart ? ok.expect(tagSignature, "euiccCancelSessionSignature") : signedPart;
    if (!signature || !ok.atEnd())
        return bad(signature ? QStringLiteral("bytes after the signature") : signature.errorMessage());
    der::Reader s(signedPart->content);
    auto id = s.expect(0x80, "transactionId");
    auto oid = id ? s.expect(0x81, "smdpOid") : id;
    auto reason = oid ? s.expect(0x82, "reason") : oid;
    if (!reason || !s.atEnd())
        return bad(reason ? QStringLiteral("bytes after the reason") : reason.errorMessage());
    auto reasonValue = der::readInteger(reason->content);
    if (id->content.isEmpty() || id->content.size() > 16 || oid->content.isEmpty() || !reasonValue)
        return bad(QStringLiteral("a transaction ID, OID or reason out of range"));
    CancelSessionResponse out;
    out.transactionId = id->content.toByteArray();
    out.serverOid = oid->content.toByteArray();
    switch (reasonValue.value()) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 127: out.reason = Reason(reasonValue.value()); break;
    default: return bad(QStringLiteral("reason %1 is not one the module names").arg(reasonValue.value()));
    }
    out.signature = signature->content.toByteArray();
    return out;
}

} // namespace simfleet::protocol
