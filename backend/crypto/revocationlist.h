#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>

#include <memory>

struct X509_crl_st;

namespace simfleet::crypto {

class Certificate;
class EcPrivateKey;

struct RevokedCertificate
{
    QByteArray serialNumber; // big-endian bytes, as Certificate::serialNumber()
    QDateTime revokedAt;
};

// An X.509 v2 certificate revocation list (RFC 5280 section 5).
class RevocationList
{
public:
    RevocationList() = default;

    static Result<RevocationList> issue(const Certificate &issuer, const EcPrivateKey &issuerKey,
                                        const QList<RevokedCertificate> &revoked, const QDateTime &thisUpdate,
                                        const QDateTime &nextUpdate);
    static Result<RevocationList> fromDer(QByteArrayView der);
    static Result<RevocationList> fromPem(QByteArrayView pem);
    // A list file as issuers publish them, PEM or DER.
    static Result<RevocationList> fromFileContents(QByteArrayView contents);

    bool isNull() const { return !m_crl; }
    QByteArray toDer() const;
    QByteArray toPem() const;
    bool lists(const Certificate &cert) const;
    // Whether issuer signed this list and it is current at time (thisUpdate <= time < nextUpdate).
    Result<void> checkIssuedBy(const Certificate &issuer, const QDateTime &time) const;
    // Who signed it, in the RFC 2253 form Certificate::subjectText() gives.
    QString issuerText() const;
    QDateTime thisUpdate() const;
    QDateTime nextUpdate() const;

    X509_crl_st *handle() const { return m_crl.get(); }

private:
    std::shared_ptr<X509_crl_st> m_crl;
};

} // namespace simfleet::crypto
