#include "attestationmessage.h"
#include "der.h"
#include "dervalues.h"
#include "esipa.h"
#include "profilepackage.h"

// simfleet's own eIM package and its result, SimfleetEimPackage and SimfleetEimPackageResult of
// SimfleetDefinitions.asn1: eimTransactionId [0], then an untagged CHOICE whose attestation
// alternative keeps its 'FF20' (the CHOICE has a tagged alternative, so no automatic tags) and
// whose attach alternative is [1].
namespace simfleet::protocol::esipa {

namespace {

constexpr quint16 tagPackage = 0xFF21;     // [PRIVATE 33], constructed
constexpr quint16 tagAttestation = 0xFF20; // [PRIVATE 32]: AttestationRequest, AttestationResponse
constexpr quint16 tagAttach = 0xA1;        // attachRequest, attachReport
constexpr qsizetype challengeSize = 16;    // RAND and AUTN (3GPP TS 33.102 section 6.3)

Error bad(const char *what, const QString &why)
{
    return fail(QStringLiteral("%1: %2").arg(QLatin1StringView(what), why));
}

// The package's head: FF21, one element, the transaction ID, then the chosen alternative.
struct Head
{
    QByteArray eimTransactionId;
    der::Element chosen;
};

Result<Head> readHead(QByteArrayView bytes, const char *what)
{
    der::Reader outer(bytes);
    auto top = outer.expect(tagPackage, what);
    if (!top)
        return top.error();
    if (!outer.atEnd())
        return bad(what, QStringLiteral("trailing bytes after it"));
    der::Reader r(top->content);
    auto tid = r.expect(0x80, "eimTransactionId");
    auto id = tid ? der::readTransactionId(tid->content) : Result<QByteArray>(tid.error());
    if (!id)
        return bad(what, id.errorMessage());
    auto chosen = r.next();
    if (!chosen)
        return bad(what, chosen.errorMessage());
    if (!r.atEnd())
        return bad(what, QStringLiteral("data after its alternative"));
    if (chosen->tag != tagAttestation && chosen->tag != tagAttach)
        return bad(what, QStringLiteral("an alternative of tag '%1', neither the attestation ('FF20') nor the attach ('A1')")
                             .arg(chosen->tag, 2, 16, QLatin1Char('0')));
    return Head { id.value(), chosen.value() };
}

} // namespace

QByteArray SimfleetEimPackage::encode() const
{
    QByteArray chosen = attestationRequest;
    if (kind == Kind::Attach)
        chosen = der::tlv(tagAttach, QByteArray(der::tlv(0x80, rand) + der::tlv(0x81, autn)));
    return der::tlv(tagPackage, QByteArray(der::tlv(0x80, eimTransactionId) + chosen));
}

Result<SimfleetEimPackage> SimfleetEimPackage::decode(QByteArrayView bytes)
{
    const char *what = "SimfleetEimPackage";
    auto head = readHead(bytes, what);
    if (!head)
        return head.error();
    SimfleetEimPackage out;
    out.eimTransactionId = head->eimTransactionId;
    const der::Element &chosen = head->chosen;
    if (chosen.tag == tagAttestation) {
        if (auto request = AttestationRequest::decode(chosen.encoded); !request)
            return bad(what, request.errorMessage());
        out.kind = Kind::Attest;
        out.attestationRequest = chosen.encoded.toByteArray();
        return out;
    }
    der::Reader r(chosen.content);
    auto rand = r.expect(0x80, "rand");
    auto autn = rand ? r.expect(0x81, "autn") : rand;
    if (!autn)
        return bad(what, autn.errorMessage());
    if (!r.atEnd())
        return bad(what, QStringLiteral("attachRequest holds more than RAND and AUTN"));
    if (rand->content.size() != challengeSize || autn->content.size() != challengeSize)
        return bad(what, QStringLiteral("RAND and AUTN are %1 and %2 bytes, not 16 each").arg(rand->content.size()).arg(autn->content.size()));
    out.kind = Kind::Attach;
    out.rand = rand->content.toByteArray();
    out.autn = autn->content.toByteArray();
    return out;
}

int SimfleetEimPackageResult::attachErrorOf(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NoEnabledProfile: return NoEnabledProfile;
    case ErrorCode::NoCoverage: return NoCoverage;
    case ErrorCode::AttachFailed: return AuthenticationFailed;
    default: return UndefinedError;
    }
}

ErrorCode SimfleetEimPackageResult::errorCodeOf(int attachError)
{
    switch (attachError) {
    case NoEnabledProfile: return ErrorCode::NoEnabledProfile;
    case NoCoverage: return ErrorCode::NoCoverage;
    default: return ErrorCode::AttachFailed;
    }
}

QByteArray SimfleetEimPackageResult::encode() const
{
    QByteArray chosen = attestationResponse;
    if (kind == SimfleetEimPackage::Kind::Attach) {
        // attachReport's components are untagged: automatic tags [0] to [4]. fellBack is
        // BOOLEAN DEFAULT FALSE, which DER leaves out when it is FALSE (X.690 section 11.5).
        // iccid is absent when the device could not attach at all (no profile it could run).
        QByteArray report = iccid.isEmpty() ? QByteArray() : der::tlv(0x80, iccidToEfIccid(iccid));
        if (!res.isEmpty())
            report += der::tlv(0x81, res);
        if (fellBack)
            report += der::boolean(true, 0x82);
        if (!detail.isEmpty())
            report += der::tlv(0x83, detail.toUtf8());
        if (attachError != 0)
            report += der::integer(attachError, 0x84);
        chosen = der::tlv(tagAttach, report);
    }
    return der::tlv(tagPackage, QByteArray(der::tlv(0x80, eimTransactionId) + chosen));
}

Result<SimfleetEimPackageResult> SimfleetEimPackageResult::decode(QByteArrayView bytes)
{
    const char *what = "SimfleetEimPackageResult";
    auto head = readHead(bytes, what);
    if (!head)
        return head.error();
    SimfleetEimPackageResult out;
    out.eimTransactionId = head->eimTransactionId;
    const der::Element &chosen = head->chosen;
    if (chosen.tag == tagAttestation) {
        if (auto response = AttestationResponse::decode(chosen.encoded); !response)
            return bad(what, response.errorMessage());
        out.kind = SimfleetEimPackage::Kind::Attest;
        out.attestationResponse = chosen.encoded.toByteArray();
        return out;
    }
    out.kind = SimfleetEimPackage::Kind::Attach;
    der::Reader r(chosen.content);
    if (auto iccidElement = r.optional(0x80)) {
        auto iccid = der::readIccid(iccidElement->content);
        if (!iccid)
            return bad(what, iccid.errorMessage());
        out.iccid = iccid.value();
    }
    if (auto res = r.optional(0x81)) {
        if (res->content.isEmpty())
            return bad(what, QStringLiteral("RES is present but empty"));
        out.res = res->content.toByteArray();
    }
    if (auto fellBack = r.optional(0x82)) {
        // DER writes a DEFAULT value by leaving it out: only TRUE ('FF') may be present.
        if (fellBack->content.size() != 1 || quint8(fellBack->content[0]) != 0xff)
            return bad(what, QStringLiteral("fellBack is present but not TRUE in DER"));
        out.fellBack = true;
    }
    if (auto detail = r.optional(0x83)) {
        auto text = der::readUtf8(detail->content, detail->content.size());
        if (!text || text->isEmpty())
            return bad(what, QStringLiteral("detail is empty or not UTF-8"));
        out.detail = text.value();
    }
    if (auto error = r.optional(0x84)) {
        auto code = der::readInteger(error->content);
        if (!code || code.value() < 1 || code.value() > 127)
            return bad(what, QStringLiteral("attachError is not a reason code from 1 to 127"));
        out.attachError = int(code.value());
    }
    if (!r.atEnd())
        return bad(what, QStringLiteral("attachReport holds data after its fields"));
    return out;
}

} // namespace simfleet::protocol::esipa
