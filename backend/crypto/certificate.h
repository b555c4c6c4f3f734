#pragma once

#include "core/result.h"
#include "eckey.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

struct x509_st;

namespace simfleet::crypto {

// The parts of an X.501 name simfleet uses. serialNumber carries a device's EID
// (GSMA SGP.22 section 4.5.2.1.0.3) or, in a manufacturer's name constraint, its EID prefix.
struct DistinguishedName
{
    QString country;
    QString organization;
    QString organizationalUnit;
    QString commonName;
    QString serialNumber;
};

// The role a certificate plays in the remote-provisioning PKI; it decides the basic
// constraints, key usage and GSMA certificate policy (SGP.22 section 4.5.2.1,
// id-rspRole-* under 2.23.146.1.2.1).
enum class CertificateRole {
    CertificateIssuer,  // GSMA CI root: CA, signs manufacturers and profile servers
    Manufacturer,       // EUM: CA for one EID range, signs device certificates
    Device,             // eUICC / trusted environment: signs evidence and authentication
    ProfileServer,      // SM-DP+: authenticates to devices and signs bound packages
};

// An X.509 v3 certificate (immutable, cheap to copy).
class Certificate
{
public:
    Certificate() = default;

    static Result<Certificate> fromDer(QByteArrayView der);
    static Result<Certificate> fromPem(QByteArrayView pem);
    // Every certificate in a PEM bundle, in order; fails if there is none or one is damaged.
    static Result<QList<Certificate>> listFromPem(QByteArrayView pem);
    // A certificate file as people get them: PEM (the first certificate in it) or DER. A file
    // that holds a private key instead is refused without reading the key.
    static Result<Certificate> fromFileContents(QByteArrayView contents);

    bool isNull() const { return !m_cert; }
    QByteArray toDer() const;
    QByteArray toPem() const;

    DistinguishedName subject() const;
    DistinguishedName issuer() const;
    // RFC 2253 one-line form, for people.
    QString subjectText() const;
    QString issuerText() const;
    QByteArray serialNumber() const; // big-endian bytes
    QDateTime notBefore() const;
    QDateTime notAfter() const;
    bool isCertificateAuthority() const;
    EcPublicKey publicKey() const;
    // The EID prefix a manufacturer certificate may certify, read from its name constraints
    // (a permitted directoryName with serialNumber = prefix), if it states one.
    std::optional<QString> permittedEidPrefix() const;
    // The role its GSMA certificate policy names (id-rspRole-*), if any.
    std::optional<CertificateRole> role() const;
    // The certificate policy OIDs, dotted (SGP.22 section 4.5.2.1.0.1 names the role there).
    QStringList policies() const;
    // The subject key identifier, or when it has none the SHA-1 of the public key (RFC 5280
    // section 4.2.1.2, method 1): how SGP.22 names a CI or EUM key (euiccCiPKId).
    QByteArray keyIdentifier() const;
    // The authority key identifier: the key id of the certificate that signed it; empty if absent.
    QByteArray authorityKeyIdentifier() const;
    QByteArray sha256Fingerprint() const;
    bool operator==(const Certificate &other) const;

    x509_st *handle() const { return m_cert.get(); }
    static Certificate adopt(x509_st *cert);
    static Result<Certificate> parseDer(QByteArrayView der); // always parses, never the cache
    // Another reference to an object OpenSSL owns (no copy).
    static Certificate share(x509_st *cert);

private:
    std::shared_ptr<x509_st> m_cert;
};

struct CertificateTemplate
{
    CertificateRole role = CertificateRole::Device;
    DistinguishedName subject;
    EcPublicKey subjectKey;
    QDateTime notBefore;
    QDateTime notAfter;
    QByteArray serialNumber;      // random 16 bytes when empty
    QString permittedEidPrefix;   // Manufacturer only: the EID range it may certify
};

// Signs the template with issuerKey (ECDSA with SHA-256). A CertificateIssuer template with a
// null issuer is self-signed.
Result<Certificate> issueCertificate(const CertificateTemplate &tmpl, const Certificate &issuer,
                                     const EcPrivateKey &issuerKey);

} // namespace simfleet::crypto
