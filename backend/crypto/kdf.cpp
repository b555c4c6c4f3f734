#include "kdf.h"
#include "cryptoerror.h"
#include "osslhandles.h"

#include <openssl/core_names.h>

namespace simfleet::crypto {

namespace {
void *mutableBytes(QByteArrayView v)
{
    // OSSL_PARAM takes non-const pointers for input octet strings it only reads.
    return const_cast<char *>(v.data());
}
} // namespace

Result<SecretBytes> x963Kdf(const SecretBytes &sharedSecret, QByteArrayView sharedInfo, std::size_t length)
{
    if (sharedSecret.isEmpty())
        return fail(QStringLiteral("X9.63 KDF needs a shared secret"));
    if (length == 0)
        return fail(QStringLiteral("X9.63 KDF output length must be positive"));
    static const ossl::Kdf kdf(EVP_KDF_fetch(nullptr, "X963KDF", nullptr));
    ossl::KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char *>(sharedSecret.data()),
                                          sharedSecret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, mutableBytes(sharedInfo),
                                          std::size_t(sharedInfo.size())),
        OSSL_PARAM_construct_end(),
    };
    SecretBytes out(length);
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), length, params) != 1)
        return fail(takeOpenSslError("X9.63 KDF failed"));
    return out;
}

Result<void> checkAcceptable(const ScryptParameters &p)
{
    // The parameters are read from the workspace file: a crafted one must not make unlocking
    // allocate gigabytes or run for minutes. Memory is 128 * N * r bytes; the work grows with
    // N * r * p. The defaults (32 MiB, N * r * p = 2^18) leave room for 8 times more memory and 16
    // times more work.
    const bool sane = p.n <= (1u << 20) && p.r >= 1 && p.r <= 32 && p.p >= 1 && p.p <= 16;
    if (!sane || 128ull * p.n * p.r > (256ull << 20) || std::uint64_t(p.n) * p.r * p.p > (1ull << 22))
        return fail(QStringLiteral("scrypt parameters N=%1, r=%2, p=%3 are beyond what simfleet accepts (at most 256 MiB and "
                                   "16 times its own work); the workspace is damaged or was made to stall whoever opens it")
                        .arg(p.n)
                        .arg(p.r)
                        .arg(p.p));
    return {};
}

Result<SecretBytes> scrypt(QByteArrayView passphrase, QByteArrayView salt, std::size_t length,
                           ScryptParameters parameters)
{
    if (salt.isEmpty())
        return fail(QStringLiteral("scrypt needs a salt"));
    if (length == 0)
        return fail(QStringLiteral("scrypt output length must be positive"));
    if (parameters.n < 2 || (parameters.n & (parameters.n - 1)) != 0)
        return fail(QStringLiteral("scrypt N must be a power of two above 1"));
    if (auto ok = checkAcceptable(parameters); !ok)
        return ok.error();
    static const ossl::Kdf kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    ossl::KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
    // scrypt uses 128 * N * r bytes; allow that plus headroom.
    std::uint64_t maxMem = 256ull * parameters.n * parameters.r + (1u << 20);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, mutableBytes(passphrase),
                                          std::size_t(passphrase.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mutableBytes(salt), std::size_t(salt.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &parameters.n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &parameters.r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &parameters.p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxMem),
        OSSL_PARAM_construct_end(),
    };
    SecretBytes out(length);
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), length, params) != 1)
        return fail(takeOpenSslError("scrypt failed"));
    return out;
}

} // namespace simfleet::crypto
