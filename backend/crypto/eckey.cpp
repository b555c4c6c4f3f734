#include "eckey.h"
#include "cryptoerror.h"
#include "osslhandles.h"

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>

namespace simfleet::crypto {

namespace {

constexpr qsizetype pointSize = 65;
constexpr char curveName[] = "prime256v1";

std::shared_ptr<EVP_PKEY> share(EVP_PKEY *key)
{
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

bool isP256(EVP_PKEY *key)
{
    char name[64] = {};
    std::size_t len = 0;
    return EVP_PKEY_is_a(key, "EC")
        && EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) == 1
        && qstrcmp(name, curveName) == 0;
}

// Full public-key validation (SP 800-56A 5.6.2.3.3): on the curve, not infinity, right order.
Result<void> validatePublic(EVP_PKEY *key)
{
    // On the curve, not the point at infinity, coordinates in range (SP 800-56A rev. 3 section
    // 5.6.2.3.4). The order check of full validation (n * Q = O) is a scalar multiplication and
    // proves nothing more on P-256: its cofactor is 1, so every such point has order n.
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!ctx || EVP_PKEY_public_check_quick(ctx.get()) != 1) {
        clearOpenSslErrors();
        return fail(QStringLiteral("public key is not a valid P-256 point"));
    }
    return {};
}

// The P-256 domain parameters as a key without key material, made once. OpenSSL 3.0 builds a
// fresh EC_GROUP (Montgomery constants, a modular inverse) for every key it makes from a group
// name; a key made from this template copies the group instead, a quarter of the cost. Shared
// read-only between threads, which OpenSSL allows for an EVP_PKEY.
EVP_PKEY *p256Parameters()
{
    static EVP_PKEY *const parameters = [] {
        EVP_PKEY *key = nullptr;
        ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
        if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_group_name(ctx.get(), curveName) != 1
            || EVP_PKEY_paramgen(ctx.get(), &key) != 1)
            qFatal("simfleet: the P-256 domain parameters could not be set up");
        return key;
    }();
    return parameters;
}

EVP_PKEY *keyFromParams(const OSSL_PARAM *params, int selection)
{
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 || EVP_PKEY_fromdata(ctx.get(), &key, selection,
                                                                          const_cast<OSSL_PARAM *>(params)) != 1)
        return nullptr;
    return key;
}

} // namespace

Result<EcPublicKey> EcPublicKey::fromUncompressedPoint(QByteArrayView point)
{
    if (point.size() != pointSize)
        return fail(QStringLiteral("P-256 public key must be 65 bytes (04 || X || Y), got %1").arg(point.size()));
    if (static_cast<unsigned char>(point[0]) != 0x04)
        return fail(QStringLiteral("P-256 public key must be in uncompressed form (first byte 04)"));
    // The point is decoded onto a copy of the shared group, and the decoding is the validation
    // (SP 800-56A rev. 3 section 5.6.2.3.4): EC_KEY_oct2key refuses coordinates outside the field
    // and a point off the curve, and the uncompressed form cannot encode the point at infinity.
    // (validatePublic would repeat the check on a context made for it: about 1 % of a change.)
    EVP_PKEY *raw = EVP_PKEY_dup(p256Parameters());
    if (!raw
        || EVP_PKEY_set1_encoded_public_key(raw, reinterpret_cast<const unsigned char *>(point.data()),
                                            std::size_t(point.size()))
            != 1) {
        EVP_PKEY_free(raw);
        clearOpenSslErrors();
        return fail(QStringLiteral("public key point is not on the P-256 curve"));
    }
    EcPublicKey key;
    key.m_key = share(raw);
    return key;
}

Result<EcPublicKey> EcPublicKey::fromSubjectPublicKeyInfo(QByteArrayView der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    EVP_PKEY *raw = d2i_PUBKEY(nullptr, &p, long(der.size()));
    if (!raw) {
        clearOpenSslErrors();
        return fail(QStringLiteral("not a DER SubjectPublicKeyInfo"));
    }
    EcPublicKey key;
    key.m_key = share(raw);
    if (!isP256(raw))
        return fail(QStringLiteral("public key is not on the P-256 curve"));
    if (auto valid = validatePublic(raw); !valid)
        return valid.error();
    return key;
}

QByteArray EcPublicKey::uncompressedPoint() const
{
    if (!m_key)
        return {};
    QByteArray out(pointSize, Qt::Uninitialized);
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(m_key.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                        reinterpret_cast<unsigned char *>(out.data()), std::size_t(out.size()),
                                        &len) != 1
        || len != std::size_t(pointSize))
        return {};
    return out;
}

QByteArray EcPublicKey::subjectPublicKeyInfo() const
{
    return ossl::derBytes(m_key.get(), i2d_PUBKEY);
}

bool EcPublicKey::operator==(const EcPublicKey &other) const
{
    if (!m_key || !other.m_key)
        return !m_key && !other.m_key;
    return EVP_PKEY_eq(m_key.get(), other.m_key.get()) == 1;
}

EcPublicKey EcPublicKey::adopt(evp_pkey_st *key)
{
    EcPublicKey k;
    k.m_key = share(key);
    return k;
}

EcPrivateKey EcPrivateKey::generate()
{
    EVP_PKEY *raw = nullptr;
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, p256Parameters(), nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1)
        qFatal("simfleet: P-256 key generation failed");
    return adopt(raw);
}

Result<EcPrivateKey> EcPrivateKey::fromScalar(const SecretBytes &scalar)
{
    if (scalar.size() != 32)
        return fail(QStringLiteral("P-256 private scalar must be 32 bytes, got %1").arg(scalar.size()));
    ossl::EcGroup group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    ossl::BnCtx bnCtx(BN_CTX_secure_new());
    ossl::Bn d(BN_secure_new());
    if (!group || !bnCtx || !d || !BN_bin2bn(scalar.data(), 32, d.get()))
        return fail(takeOpenSslError("P-256 key import failed"));
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0)
        return fail(QStringLiteral("P-256 private scalar must lie between 1 and the group order"));

    // OpenSSL 3 does not derive the public point on import, so compute Q = dG here.
    ossl::EcPoint q(EC_POINT_new(group.get()));
    unsigned char point[pointSize];
    if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bnCtx.get()) != 1
        || EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, point, sizeof point,
                              bnCtx.get())
            != sizeof point)
        return fail(takeOpenSslError("P-256 public point computation failed"));

    ossl::ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curveName, 0) != 1
        || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) != 1)
        return fail(takeOpenSslError("P-256 key import failed"));
    ossl::Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    EVP_PKEY *raw = params ? keyFromParams(params.get(), EVP_PKEY_KEYPAIR) : nullptr;
    if (!raw)
        return fail(takeOpenSslError("P-256 key import failed"));
    return adopt(raw);
}

Result<EcPrivateKey> EcPrivateKey::fromPkcs8(const SecretBytes &der)
{
    const unsigned char *p = der.data();
    EVP_PKEY *raw = d2i_AutoPrivateKey(nullptr, &p, long(der.size()));
    if (!raw) {
        clearOpenSslErrors();
        return fail(QStringLiteral("not a DER PKCS#8 private key"));
    }
    EcPrivateKey key = adopt(raw);
    if (!isP256(raw))
        return fail(QStringLiteral("private key is not a P-256 key"));
    return key;
}

Result<EcPrivateKey> EcPrivateKey::fromPem(QByteArrayView pem)
{
    ossl::Bio bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    EVP_PKEY *raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!raw) {
        clearOpenSslErrors();
        return fail(QStringLiteral("not a PEM private key (encrypted keys must be decrypted first)"));
    }
    EcPrivateKey key = adopt(raw);
    if (!isP256(raw))
        return fail(QStringLiteral("private key is not a P-256 key"));
    return key;
}

Result<EcPrivateKey> EcPrivateKey::fromFileContents(const SecretBytes &contents)
{
    if (contents.view().trimmed().startsWith("-----BEGIN"))
        return fromPem(contents.view());
    return fromPkcs8(contents);
}

QByteArray EcPrivateKey::publicPoint() const
{
    unsigned char point[pointSize];
    std::size_t len = 0;
    if (!m_key || EVP_PKEY_get_octet_string_param(m_key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) != 1)
        return {};
    return QByteArray(reinterpret_cast<const char *>(point), qsizetype(len));
}

EcPublicKey EcPrivateKey::publicKey() const
{
    if (!m_key)
        return {};
    // Re-import the public half alone so nothing that holds the public key can reach d.
    unsigned char point[pointSize];
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(m_key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) != 1)
        return {};
    auto pub = EcPublicKey::fromUncompressedPoint(QByteArrayView(point, qsizetype(len)));
    return pub ? pub.value() : EcPublicKey();
}

namespace {
// PKCS#8 PrivateKeyInfo through OpenSSL's encoder into secure memory, copied into a
// wiping buffer.
SecretBytes encodePrivateKey(EVP_PKEY *key, const char *format)
{
    OSSL_ENCODER_CTX *raw = OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, format, "PrivateKeyInfo", nullptr);
    std::unique_ptr<OSSL_ENCODER_CTX, ossl::Deleter<OSSL_ENCODER_CTX_free>> ctx(raw);
    unsigned char *data = nullptr;
    std::size_t len = 0;
    if (!ctx || OSSL_ENCODER_to_data(ctx.get(), &data, &len) != 1) {
        clearOpenSslErrors();
        return {};
    }
    SecretBytes out(QByteArrayView(data, qsizetype(len)));
    OPENSSL_clear_free(data, len);
    return out;
}
} // namespace

SecretBytes EcPrivateKey::toPkcs8() const
{
    return m_key ? encodePrivateKey(m_key.get(), "DER") : SecretBytes();
}

SecretBytes EcPrivateKey::toPem() const
{
    return m_key ? encodePrivateKey(m_key.get(), "PEM") : SecretBytes();
}

EcPrivateKey EcPrivateKey::adopt(evp_pkey_st *key)
{
    EcPrivateKey k;
    k.m_key = share(key);
    return k;
}

} // namespace simfleet::crypto
