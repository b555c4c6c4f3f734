#include "scramverifier.h"
#include "cryptoerror.h"
#include "osslhandles.h"
#include "random.h"
#include "secretbytes.h"
#include "sha256.h"

#include <openssl/core_names.h>

namespace simfleet::crypto {

namespace {
unsigned char *mutableBytes(QByteArrayView v)
{
    return const_cast<unsigned char *>(reinterpret_cast<const unsigned char *>(v.data()));
}
} // namespace

Result<QByteArray> hmacSha256(QByteArrayView key, QByteArrayView data)
{
    static const ossl::Mac mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    ossl::MacCtx ctx(EVP_MAC_CTX_new(mac.get()));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    QByteArray out(32, Qt::Uninitialized);
    std::size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), mutableBytes(key), std::size_t(key.size()), params) != 1
        || EVP_MAC_update(ctx.get(), mutableBytes(data), std::size_t(data.size())) != 1
        || EVP_MAC_final(ctx.get(), mutableBytes(out), &len, std::size_t(out.size())) != 1 || len != 32)
        return fail(takeOpenSslError("HMAC-SHA-256 failed"));
    return out;
}

Result<ScramKeys> scramSha256Keys(QByteArrayView password, QByteArrayView salt, int iterations)
{
    if (iterations < 4096 && iterations != 1)
        return fail(QStringLiteral("SCRAM-SHA-256 takes at least 4096 iterations (RFC 7677 section 4)"));
    static const ossl::Kdf kdf(EVP_KDF_fetch(nullptr, "PBKDF2", nullptr));
    ossl::KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
    char digest[] = "SHA256";
    auto iter = std::uint64_t(iterations);
    int checks = 0; // SP 800-132's lower bounds are for other uses; RFC 5802 fixes the parameters
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, mutableBytes(password), std::size_t(password.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mutableBytes(salt), std::size_t(salt.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &checks),
        OSSL_PARAM_construct_end(),
    };
    SecretBytes salted(32);
    if (!ctx || EVP_KDF_derive(ctx.get(), salted.data(), salted.size(), params) != 1)
        return fail(takeOpenSslError("PBKDF2 failed"));
    auto clientKey = hmacSha256(salted.view(), "Client Key");
    auto serverKey = hmacSha256(salted.view(), "Server Key");
    if (!clientKey || !serverKey)
        return fail(clientKey.errorMessage() + serverKey.errorMessage());
    ScramKeys keys { sha256(clientKey.value()), serverKey.value() };
    clientKey.value().fill('\0');
    return keys;
}

Result<QString> postgresScramVerifier(QByteArrayView password, int iterations)
{
    const QByteArray salt = randomBytes(16);
    auto keys = scramSha256Keys(password, salt, iterations);
    if (!keys)
        return keys.error();
    return QStringLiteral("SCRAM-SHA-256$%1:%2$%3:%4")
        .arg(iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(keys->storedKey.toBase64()),
             QString::fromLatin1(keys->serverKey.toBase64()));
}

} // namespace simfleet::crypto
