// libFuzzer target for the attestation evidence path: arbitrary bytes as a whole token
// (COSE_Sign1 parsing, certificate decoding, chain checks), and arbitrary bytes as the claims
// payload of a correctly signed token (claims decoding and every verdict step after the
// signature). Whatever the input, the verifier must return a verdict, never crash, leak or hang.

#include "attestation/attestationverifier.h"
#include "protocol/entityattestationtoken.h"
#include "crypto/demopki.h"
#include "identity/eid.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet;

namespace {

struct Fixture
{
    attestation::AttestationVerifier verifier;
    crypto::CertifiedKey eum;
    crypto::EcPrivateKey deviceKey;
    crypto::Certificate deviceCert;
    QString eid;
    QDateTime now { QDate(2026, 11, 1), QTime(12, 0), Qt::UTC };
};

Fixture &fixture()
{
    static Fixture *f = [] {
        auto *fx = new Fixture;
        const crypto::Validity validity { fx->now.addDays(-1), fx->now.addYears(1) };
        const auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Fuzz CI"), validity).value();
        fx->eum = crypto::demopki::createManufacturer(ci, QStringLiteral("Fuzzworks"), QStringLiteral("DE"),
                                                      QStringLiteral("89049032"), validity)
                      .value();
        fx->eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000001")).value().toString();
        fx->deviceKey = crypto::EcPrivateKey::generate();
        fx->deviceCert = crypto::demopki::certifyDevice(fx->eum, identity::Eid::parse(fx->eid).value(),
                                                        fx->deviceKey.publicKey(), validity)
                             .value();
        fx->verifier.addTrustAnchor(ci.certificate);
        fx->verifier.addManufacturer(fx->eum.certificate);
        fx->verifier.addReferenceValue({ QStringLiteral("Fuzzworks"), QStringLiteral("M"), QStringLiteral("OS"),
                                         QStringLiteral("1"), {}, {}, {} });
        return fx;
    }();
    return *f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    Fixture &f = fixture();
    const QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const auto anyNonce = [&f](const QByteArray &nonce) -> std::optional<attestation::IssuedNonce> {
        return attestation::IssuedNonce { nonce, f.eid, f.now, f.now.addSecs(300), false };
    };
    QByteArray evidence = input;
    if (data[0] & 1) {
        // The input as the claims of a token the device really signed.
        auto signedToken = protocol::signCoseSign1(input, { f.deviceCert.toDer(), f.eum.certificate.toDer() },
                                                      f.deviceKey);
        if (!signedToken)
            return 0;
        evidence = signedToken.value();
    }
    const auto verdict = f.verifier.verify(f.eid, evidence, anyNonce, f.now);
    if (verdict.reasonCode.isEmpty() || verdict.message.isEmpty())
        __builtin_trap();
    (void)attestation::AttestationVerifier::peekNonce(evidence);
    return 0;
}
