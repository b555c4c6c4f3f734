#include "attestationmessage.h"
#include "der.h"

namespace simfleet::protocol {

namespace {
constexpr quint16 tagAttestation = 0xFF20; // [PRIVATE 32], constructed
constexpr qsizetype nonceSize = 32;
} // namespace

QByteArray AttestationRequest::encode() const
{
    return der::tlv(tagAttestation, der::tlv(0x80, nonce));
}

Result<AttestationRequest> AttestationRequest::decode(QByteArrayView bytes)
{
    der::Reader outer(bytes);
    auto top = outer.expect(tagAttestation, "AttestationRequest");
    if (!top || !outer.atEnd())
        return fail(QStringLiteral("not one AttestationRequest"));
    der::Reader r(top->content);
    auto nonce = r.expect(0x80, "nonce");
    if (!nonce || !r.atEnd() || nonce->content.size() != nonceSize)
        return fail(QStringLiteral("the attestation request carries no 32-byte nonce"));
    return AttestationRequest { nonce->content.toByteArray() };
}

QByteArray AttestationResponse::encode() const
{
    // The CHOICE's tag is explicit: the chosen alternative inside it.
    if (error != ErrorCode::None)
        return der::tlv(tagAttestation, der::integer(qint64(error), 0x81));
    return der::tlv(tagAttestation, der::tlv(0x80, evidence));
}

Result<AttestationResponse> AttestationResponse::decode(QByteArrayView bytes)
{
    der::Reader outer(bytes);
    auto top = outer.expect(tagAttestation, "AttestationResponse");
    if (!top || !outer.atEnd())
        return fail(QStringLiteral("not one AttestationResponse"));
    der::Reader r(top->content);
    auto choice = r.next();
    if (!choice || !r.atEnd())
        return fail(QStringLiteral("the attestation response holds neither evidence nor an error"));
    AttestationResponse out;
    if (choice->tag == 0x80) {
        if (choice->content.isEmpty())
            return fail(QStringLiteral("the attestation response's evidence is empty"));
        out.evidence = choice->content.toByteArray();
        return out;
    }
    if (choice->tag != 0x81)
        return fail(QStringLiteral("the attestation response holds neither evidence nor an error"));
    auto code = der::readInteger(choice->content);
    if (!code)
        return code.error();
    switch (code.value()) {
    case 1: out.error = ErrorCode::NotSupported; break;
    case 2: out.error = ErrorCode::Busy; break;
    default: out.error = ErrorCode::Undefined; break;
    }
    return out;
}

} // namespace simfleet::protocol
