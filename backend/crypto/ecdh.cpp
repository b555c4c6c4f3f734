#include "ecdh.h"
#include "cryptoerror.h"
#include "eckey.h"
#include "osslhandles.h"

namespace simfleet::crypto {

Result<SecretBytes> ecdh(const EcPrivateKey &own, const EcPublicKey &peer)
{
    if (own.isNull() || peer.isNull())
        return fail(QStringLiteral("ECDH needs both an own private key and a peer public key"));
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.handle(), nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.handle(), 1) != 1
        || EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
        return fail(takeOpenSslError("ECDH failed"));
    SecretBytes secret(len);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1 || len != secret.size())
        return fail(takeOpenSslError("ECDH failed"));
    return secret;
}

} // namespace simfleet::crypto
