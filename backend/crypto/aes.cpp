#include "aes.h"
#include "constanttime.h"
#include "cryptoerror.h"
#include "osslhandles.h"
#include "random.h"

#include <openssl/core_names.h>

namespace simfleet::crypto {

namespace {

constexpr qsizetype blockSize = 16;
constexpr qsizetype gcmNonceSize = 12;
constexpr qsizetype gcmTagSize = 16;

const unsigned char *bytes(QByteArrayView v)
{
    return reinterpret_cast<const unsigned char *>(v.data());
}

unsigned char *bytes(QByteArray &a)
{
    return reinterpret_cast<unsigned char *>(a.data());
}

Result<const EVP_CIPHER *> cbcCipherFor(QByteArrayView key)
{
    if (key.size() == 16)
        return ossl::aes128Cbc();
    if (key.size() == 32)
        return ossl::aes256Cbc();
    return fail(QStringLiteral("AES key must be 16 or 32 bytes, got %1").arg(key.size()));
}

Result<QByteArray> aesCbc(QByteArrayView key, QByteArrayView iv, QByteArrayView input, bool encrypt)
{
    auto cipher = cbcCipherFor(key);
    if (!cipher)
        return cipher.error();
    if (iv.size() != blockSize)
        return fail(QStringLiteral("AES-CBC IV must be 16 bytes, got %1").arg(iv.size()));
    if (input.size() % blockSize != 0)
        return fail(QStringLiteral("AES-CBC input must be a whole number of 16-byte blocks, got %1 bytes")
                        .arg(input.size()));

    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    QByteArray out(input.size(), Qt::Uninitialized);
    int len = 0;
    if (!ctx || EVP_CipherInit_ex2(ctx.get(), *cipher, bytes(key), bytes(iv), encrypt ? 1 : 0, nullptr) != 1
        || EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1
        || EVP_CipherUpdate(ctx.get(), bytes(out), &len, bytes(input), int(input.size())) != 1)
        return fail(takeOpenSslError("AES-CBC failed"));
    int tail = 0;
    if (EVP_CipherFinal_ex(ctx.get(), bytes(out) + len, &tail) != 1)
        return fail(takeOpenSslError("AES-CBC failed"));
    return out;
}

} // namespace

Result<QByteArray> aesCbcEncrypt(QByteArrayView key, QByteArrayView iv, QByteArrayView plaintext)
{
    return aesCbc(key, iv, plaintext, true);
}

Result<QByteArray> aesCbcDecrypt(QByteArrayView key, QByteArrayView iv, QByteArrayView ciphertext)
{
    return aesCbc(key, iv, ciphertext, false);
}

Result<QByteArray> aesCmac(QByteArrayView key, QByteArrayView data)
{
    if (key.size() != 16 && key.size() != 32)
        return fail(QStringLiteral("AES-CMAC key must be 16 or 32 bytes, got %1").arg(key.size()));
    // EVP_MAC is fetched per call because an EVP_MAC_CTX carries the key; the cost is small
    // next to a segment's CBC work.
    static const ossl::Mac mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
    ossl::MacCtx ctx(EVP_MAC_CTX_new(mac.get()));
    char cipherName[16] = "AES-128-CBC";
    if (key.size() == 32)
        qstrncpy(cipherName, "AES-256-CBC", sizeof cipherName);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipherName, 0),
        OSSL_PARAM_construct_end(),
    };
    QByteArray out(blockSize, Qt::Uninitialized);
    std::size_t len = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), bytes(key), std::size_t(key.size()), params) != 1
        || EVP_MAC_update(ctx.get(), bytes(data), std::size_t(data.size())) != 1
        || EVP_MAC_final(ctx.get(), bytes(out), &len, std::size_t(out.size())) != 1)
        return fail(takeOpenSslError("AES-CMAC failed"));
    return out;
}

Result<void> aesCmacVerify(QByteArrayView key, QByteArrayView data, QByteArrayView expectedMac)
{
    if (expectedMac.size() < 8 || expectedMac.size() > blockSize)
        return fail(QStringLiteral("a CMAC to check must be 8 to 16 bytes, got %1").arg(expectedMac.size()));
    auto mac = aesCmac(key, data);
    if (!mac)
        return mac.error();
    if (!equalConstantTime(QByteArrayView(mac.value()).first(expectedMac.size()), expectedMac))
        return fail(QStringLiteral("MAC does not match: the data or its MAC was changed"));
    return {};
}

Result<QByteArray> aesGcmSeal(QByteArrayView key, QByteArrayView plaintext, QByteArrayView associatedData)
{
    if (key.size() != 32)
        return fail(QStringLiteral("AES-256-GCM key must be 32 bytes, got %1").arg(key.size()));
    const QByteArray nonce = randomBytes(gcmNonceSize);
    QByteArray out = nonce;
    out.resize(gcmNonceSize + plaintext.size() + gcmTagSize);
    unsigned char *ct = bytes(out) + gcmNonceSize;

    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    int tail = 0;
    if (!ctx || EVP_EncryptInit_ex2(ctx.get(), ossl::aes256Gcm(), bytes(key), bytes(nonce), nullptr) != 1
        || (!associatedData.isEmpty()
            && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associatedData), int(associatedData.size())) != 1)
        || EVP_EncryptUpdate(ctx.get(), ct, &len, bytes(plaintext), int(plaintext.size())) != 1
        || EVP_EncryptFinal_ex(ctx.get(), ct + len, &tail) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(gcmTagSize), ct + plaintext.size()) != 1)
        return fail(takeOpenSslError("AES-256-GCM sealing failed"));
    return out;
}

Result<SecretBytes> aesGcmOpen(QByteArrayView key, QByteArrayView sealed, QByteArrayView associatedData)
{
    if (key.size() != 32)
        return fail(QStringLiteral("AES-256-GCM key must be 32 bytes, got %1").arg(key.size()));
    if (sealed.size() < gcmNonceSize + gcmTagSize)
        return fail(QStringLiteral("sealed value is truncated: %1 bytes, at least %2 expected")
                        .arg(sealed.size())
                        .arg(gcmNonceSize + gcmTagSize));
    const qsizetype ctLen = sealed.size() - gcmNonceSize - gcmTagSize;
    const auto nonce = sealed.first(gcmNonceSize);
    const auto ct = sealed.sliced(gcmNonceSize, ctLen);
    QByteArray tag = sealed.last(gcmTagSize).toByteArray();

    SecretBytes out(static_cast<std::size_t>(ctLen));
    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    int tail = 0;
    unsigned char scratch[1];
    const bool ok = ctx && EVP_DecryptInit_ex2(ctx.get(), ossl::aes256Gcm(), bytes(key), bytes(nonce), nullptr) == 1
        && (associatedData.isEmpty()
            || EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associatedData), int(associatedData.size())) == 1)
        && EVP_DecryptUpdate(ctx.get(), ctLen ? out.data() : scratch, &len, bytes(ct), int(ctLen)) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(gcmTagSize), tag.data()) == 1
        && EVP_DecryptFinal_ex(ctx.get(), scratch, &tail) == 1;
    if (!ok) {
        clearOpenSslErrors();
        return fail(QStringLiteral("sealed value does not open: wrong key, or the value or its "
                                   "associated data was changed"));
    }
    return out;
}

} // namespace simfleet::crypto
