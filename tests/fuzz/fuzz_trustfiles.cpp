// libFuzzer target for the files an Administrator hands to `trust add`, `operators
// set-profile-server` and `field create`: certificates (PEM or DER) checked for every SGP.22 role
// with their EID range and key identifiers, revocation lists, and private keys. Whatever the
// bytes, each reader ends with a value or an error that says something, and a refusal of a role
// is one sentence.

#include "crypto/certificate.h"
#include "crypto/eckey.h"
#include "crypto/revocationlist.h"
#include "crypto/rolecheck.h"
#include "crypto/secretbytes.h"

#include <cstddef>
#include <cstdint>

using namespace simfleet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    auto cert = crypto::Certificate::fromFileContents(input);
    if (!cert && cert.errorMessage().isEmpty())
        __builtin_trap();
    if (cert) {
        for (crypto::RspRole role : { crypto::RspRole::CertificateIssuer, crypto::RspRole::Euicc, crypto::RspRole::Manufacturer,
                                      crypto::RspRole::ProfileServerTls, crypto::RspRole::ProfileServerAuth,
                                      crypto::RspRole::ProfileServerBinding }) {
            auto made = crypto::checkRspRole(cert.value(), role);
            if (!made && (made.errorMessage().isEmpty() || made.errorMessage().contains(u'\n')))
                __builtin_trap();
        }
        (void)cert->permittedEidPrefix();
        (void)cert->subjectText();
        (void)cert->issuerText();
        (void)cert->keyIdentifier();
        (void)cert->authorityKeyIdentifier();
        (void)cert->role();
    }
    auto crl = crypto::RevocationList::fromFileContents(input);
    if (!crl && crl.errorMessage().isEmpty())
        __builtin_trap();
    if (crl) {
        (void)crl->issuerText();
        (void)crl->thisUpdate();
        (void)crl->nextUpdate();
        if (cert)
            (void)crl->lists(cert.value());
    }
    auto key = crypto::EcPrivateKey::fromFileContents(crypto::SecretBytes(input));
    if (!key && key.errorMessage().isEmpty())
        __builtin_trap();
    return 0;
}
