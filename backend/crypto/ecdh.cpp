#include "ecdh.h"
#include "cryptoerror.h"
#include "eckey.h"
#include "osslhandles.h"

namespace simfleet::crypto {

Result<SecretBytes> ecdh(const EcPrivateKey &own, const EcPublicKey &peer)
{
    if (own.isNull() || peer.isNull())
        return fail(QStringLiteral("ECDH needs both an own private key and a peer public key"));
    // The peer's point must be on the curve and not the point at infinity (SP 800-56A rev. 3
    // section 5.6.2.3.4). OpenSSL's own peer validation in EVP_PKEY_derive_set_peer is the full
    // one, which adds a scalar multiplication n * Q = O that proves nothing on P-256 (cofactor
    // 1) and cost a third of every ECDH; the partial check here is the one that matters.
    ossl::PKeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, peer.handle(), nullptr));
    if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
        clearOpenSslErrors();
        return fail(QStringLiteral("ECDH refused: the peer's public key is not a valid P-256 point"));
    }
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.handle(), nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.handle(), 0) != 1
        || EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
        return fail(takeOpenSslError("ECDH failed"));
    SecretBytes secret(len);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1 || len != secret.size())
        return fail(takeOpenSslError("ECDH failed"));
    return secret;
}

} // namespace simfleet::crypto
