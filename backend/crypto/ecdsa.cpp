#include "ecdsa.h"
#include "cryptoerror.h"
#include "eckey.h"
#include "osslhandles.h"

namespace simfleet::crypto {

namespace {

constexpr int scalarSize = 32;

const BIGNUM *p256Order()
{
    static const ossl::Bn order([] {
        BIGNUM *n = nullptr;
        BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        return n;
    }());
    return order.get();
}

Result<void> checkScalarRange(const BIGNUM *v, const char *name)
{
    if (BN_is_zero(v) || BN_is_negative(v))
        return fail(QStringLiteral("signature is malformed: %1 is zero or negative").arg(QLatin1StringView(name)));
    if (BN_cmp(v, p256Order()) >= 0)
        return fail(QStringLiteral("signature is malformed: %1 is not below the P-256 group order")
                        .arg(QLatin1StringView(name)));
    return {};
}

Result<QByteArray> encodeDer(const BIGNUM *r, const BIGNUM *s)
{
    ossl::EcdsaSig sig(ECDSA_SIG_new());
    ossl::Bn rc(BN_dup(r));
    ossl::Bn sc(BN_dup(s));
    if (!sig || !rc || !sc || ECDSA_SIG_set0(sig.get(), rc.get(), sc.get()) != 1)
        return fail(takeOpenSslError("ECDSA signature encoding failed"));
    rc.release();
    sc.release();
    return ossl::derBytes(sig.get(), i2d_ECDSA_SIG);
}

} // namespace

Result<QByteArray> ecdsaRawToDer(QByteArrayView raw)
{
    if (raw.size() != 2 * scalarSize)
        return fail(QStringLiteral("signature is malformed: r || s must be 64 bytes, got %1").arg(raw.size()));
    const auto *p = reinterpret_cast<const unsigned char *>(raw.data());
    ossl::Bn r(BN_bin2bn(p, scalarSize, nullptr));
    ossl::Bn s(BN_bin2bn(p + scalarSize, scalarSize, nullptr));
    if (!r || !s)
        return fail(takeOpenSslError("ECDSA signature decoding failed"));
    if (auto ok = checkScalarRange(r.get(), "r"); !ok)
        return ok.error();
    if (auto ok = checkScalarRange(s.get(), "s"); !ok)
        return ok.error();
    return encodeDer(r.get(), s.get());
}

Result<QByteArray> ecdsaDerToRaw(QByteArrayView der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, long(der.size())));
    if (!sig) {
        clearOpenSslErrors();
        return fail(QStringLiteral("signature is malformed: not a DER ECDSA-Sig-Value"));
    }
    if (p != reinterpret_cast<const unsigned char *>(der.data()) + der.size())
        return fail(QStringLiteral("signature is malformed: trailing bytes after the DER value"));
    const BIGNUM *r = ECDSA_SIG_get0_r(sig.get());
    const BIGNUM *s = ECDSA_SIG_get0_s(sig.get());
    if (auto ok = checkScalarRange(r, "r"); !ok)
        return ok.error();
    if (auto ok = checkScalarRange(s, "s"); !ok)
        return ok.error();
    QByteArray out(2 * scalarSize, Qt::Uninitialized);
    auto *o = reinterpret_cast<unsigned char *>(out.data());
    if (BN_bn2binpad(r, o, scalarSize) != scalarSize || BN_bn2binpad(s, o + scalarSize, scalarSize) != scalarSize)
        return fail(QStringLiteral("signature is malformed: r or s longer than 32 bytes"));
    // Only the canonical DER encoding is accepted, so one signature has one byte form.
    if (auto again = encodeDer(r, s); !again || again.value() != der)
        return fail(QStringLiteral("signature is malformed: not in canonical DER"));
    return out;
}

Result<QByteArray> ecdsaSign(const EcPrivateKey &key, QByteArrayView message, SignatureFormat format)
{
    if (key.isNull())
        return fail(QStringLiteral("no private key to sign with"));
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, ossl::sha256(), nullptr, key.handle()) != 1
        || EVP_DigestSign(ctx.get(), nullptr, &len, nullptr, 0) != 1)
        return fail(takeOpenSslError("ECDSA signing failed"));
    QByteArray der(qsizetype(len), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(der.data()), &len,
                       reinterpret_cast<const unsigned char *>(message.data()), std::size_t(message.size()))
        != 1)
        return fail(takeOpenSslError("ECDSA signing failed"));
    der.resize(qsizetype(len));
    if (format == SignatureFormat::Der)
        return der;
    return ecdsaDerToRaw(der);
}

Result<void> ecdsaVerify(const EcPublicKey &key, QByteArrayView message, QByteArrayView signature,
                         SignatureFormat format)
{
    if (key.isNull())
        return fail(QStringLiteral("no public key to verify with"));
    QByteArray der;
    if (format == SignatureFormat::Raw) {
        auto converted = ecdsaRawToDer(signature);
        if (!converted)
            return converted.error();
        der = std::move(converted).value();
    } else {
        if (auto checked = ecdsaDerToRaw(signature); !checked)
            return checked.error();
        der = signature.toByteArray();
    }
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, ossl::sha256(), nullptr, key.handle()) != 1)
        return fail(takeOpenSslError("ECDSA verification failed"));
    const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(der.constData()),
                                    std::size_t(der.size()),
                                    reinterpret_cast<const unsigned char *>(message.data()),
                                    std::size_t(message.size()));
    if (rc != 1) {
        clearOpenSslErrors();
        return fail(QStringLiteral("signature does not match"));
    }
    return {};
}

} // namespace simfleet::crypto
