#include "demopki.h"
#include "identity/eid.h"

namespace simfleet::crypto::demopki {

Result<CertifiedKey> createCertificateIssuer(const QString &name, const Validity &validity)
{
    CertifiedKey ci { {}, EcPrivateKey::generate() };
    CertificateTemplate t;
    t.role = CertificateRole::CertificateIssuer;
    t.subject = { {}, name, {}, name + QStringLiteral(" Root CA"), {} };
    t.subjectKey = ci.key.publicKey();
    t.notBefore = validity.notBefore;
    t.notAfter = validity.notAfter;
    auto cert = issueCertificate(t, Certificate(), ci.key);
    if (!cert)
        return cert.error();
    ci.certificate = std::move(cert).value();
    return ci;
}

Result<CertifiedKey> createManufacturer(const CertifiedKey &issuer, const QString &name, const QString &country,
                                        const QString &eidPrefix, const Validity &validity)
{
    CertifiedKey eum { {}, EcPrivateKey::generate() };
    CertificateTemplate t;
    t.role = CertificateRole::Manufacturer;
    t.subject = { country, name, {}, name + QStringLiteral(" EUM"), {} };
    t.subjectKey = eum.key.publicKey();
    t.notBefore = validity.notBefore;
    t.notAfter = validity.notAfter;
    t.permittedEidPrefix = eidPrefix;
    auto cert = issueCertificate(t, issuer.certificate, issuer.key);
    if (!cert)
        return cert.error();
    eum.certificate = std::move(cert).value();
    return eum;
}

Result<Certificate> certifyDevice(const CertifiedKey &manufacturer, const identity::Eid &eid,
                                  const EcPublicKey &deviceKey, const Validity &validity)
{
    const auto prefix = manufacturer.certificate.permittedEidPrefix();
    if (!prefix)
        return fail(QStringLiteral("manufacturer certificate states no EID range"));
    if (!eid.startsWith(*prefix))
        return fail(QStringLiteral("EID %1 lies outside the range %2… that this manufacturer may certify")
                        .arg(eid.toString(), *prefix));
    CertificateTemplate t;
    t.role = CertificateRole::Device;
    const DistinguishedName eum = manufacturer.certificate.subject();
    t.subject = { {}, eum.organization, {}, {}, eid.toString() };
    t.subjectKey = deviceKey;
    t.notBefore = validity.notBefore;
    t.notAfter = validity.notAfter;
    return issueCertificate(t, manufacturer.certificate, manufacturer.key);
}

Result<CertifiedKey> createProfileServer(const CertifiedKey &issuer, const QString &operatorName,
                                         const QString &country, const QString &serverName,
                                         const Validity &validity)
{
    CertifiedKey server { {}, EcPrivateKey::generate() };
    CertificateTemplate t;
    t.role = CertificateRole::ProfileServer;
    t.subject = { country, operatorName, QStringLiteral("Profile server"), serverName, {} };
    t.subjectKey = server.key.publicKey();
    t.notBefore = validity.notBefore;
    t.notAfter = validity.notAfter;
    auto cert = issueCertificate(t, issuer.certificate, issuer.key);
    if (!cert)
        return cert.error();
    server.certificate = std::move(cert).value();
    return server;
}

} // namespace simfleet::crypto::demopki
