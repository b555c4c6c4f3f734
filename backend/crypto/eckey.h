#pragma once

#include "core/result.h"
#include "secretbytes.h"

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

struct evp_pkey_st;

namespace simfleet::crypto {

// A P-256 public key. Constructed only from validated encodings: a point that is not on the
// curve, the point at infinity, or any other curve is refused at the door.
class EcPublicKey
{
public:
    EcPublicKey() = default;

    // The 65-byte uncompressed form 04 || X || Y (SEC 1 section 2.3.3).
    static Result<EcPublicKey> fromUncompressedPoint(QByteArrayView point);
    // DER SubjectPublicKeyInfo (RFC 5480).
    static Result<EcPublicKey> fromSubjectPublicKeyInfo(QByteArrayView der);

    bool isNull() const { return !m_key; }
    QByteArray uncompressedPoint() const;
    QByteArray subjectPublicKeyInfo() const;
    bool operator==(const EcPublicKey &other) const;

    // For backend/crypto's own use.
    evp_pkey_st *handle() const { return m_key.get(); }
    static EcPublicKey adopt(evp_pkey_st *key);

private:
    std::shared_ptr<evp_pkey_st> m_key;
};

// A P-256 private key. Its scalar never leaves except as sealed PKCS#8 for the store.
class EcPrivateKey
{
public:
    EcPrivateKey() = default;

    static EcPrivateKey generate();
    // A key from a 32-byte scalar in [1, n-1]; simulated devices derive theirs from a seed.
    static Result<EcPrivateKey> fromScalar(const SecretBytes &scalar);
    static Result<EcPrivateKey> fromPkcs8(const SecretBytes &der);
    static Result<EcPrivateKey> fromPem(QByteArrayView pem);
    // A key file as people hand them over: PEM, or PKCS#8 DER.
    static Result<EcPrivateKey> fromFileContents(const SecretBytes &contents);

    bool isNull() const { return !m_key; }
    EcPublicKey publicKey() const;
    // The public key as an uncompressed point, without importing it as a key of its own.
    QByteArray publicPoint() const;
    SecretBytes toPkcs8() const;
    // Unencrypted PKCS#8 PEM, for keys a demo PKI writes to a file the owner alone can read.
    SecretBytes toPem() const;

    evp_pkey_st *handle() const { return m_key.get(); }
    static EcPrivateKey adopt(evp_pkey_st *key);

private:
    std::shared_ptr<evp_pkey_st> m_key;
};

} // namespace simfleet::crypto
