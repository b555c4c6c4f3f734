#pragma once

#include "certifiedkey.h"
#include "core/result.h"

#include <QDateTime>
#include <QString>

namespace simfleet::identity {
class Eid;
}

namespace simfleet::crypto {

struct Validity
{
    QDateTime notBefore;
    QDateTime notAfter;
};

// The remote-provisioning PKI a demo workspace creates for itself (SGP.22 section 4.5.2):
// a CertificateIssuer root that certifies manufacturers (EUMs) and operators' profile servers,
// and manufacturers that certify devices within their EID range. A real workspace imports
// these certificates instead; only the issuing differs.
namespace demopki {

Result<CertifiedKey> createCertificateIssuer(const QString &name, const Validity &validity);

Result<CertifiedKey> createManufacturer(const CertifiedKey &issuer, const QString &name, const QString &country,
                                        const QString &eidPrefix, const Validity &validity);

// Certifies a device's attestation/authentication key. Refuses an EID outside the
// manufacturer's range, the way a real EUM's issuing system must.
Result<Certificate> certifyDevice(const CertifiedKey &manufacturer, const identity::Eid &eid,
                                  const EcPublicKey &deviceKey, const Validity &validity);

Result<CertifiedKey> createProfileServer(const CertifiedKey &issuer, const QString &operatorName,
                                         const QString &country, const QString &serverName,
                                         const Validity &validity);

} // namespace demopki

} // namespace simfleet::crypto
