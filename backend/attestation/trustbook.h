#pragma once

#include "core/result.h"
#include "crypto/certificate.h"
#include "store/records.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::attestation {

// One certificate the workspace trusts, with the newest revocation list its key signed.
struct TrustedCertificate
{
    qint64 id = 0;
    store::CertificateRoleName role = store::CertificateRoleName::CertificateIssuer;
    crypto::Certificate certificate;
    QString name;
    QString eidPrefix; // a manufacturer's EID range, from its name constraints
    std::optional<QDateTime> revocationThisUpdate;
    std::optional<QDateTime> revocationNextUpdate;
    QString alert; // a sentence when its revocation list runs out soon or has run out
};

// What a CRL import did.
struct ImportedRevocationList
{
    QString issuer; // subject of the certificate that signed it
    QDateTime thisUpdate;
    QDateTime nextUpdate;
};

// The workspace's trust anchors (SGP.22 section 4.5.2): the certificate issuers (CI) it trusts,
// the manufacturers (EUM) whose devices it can verify, and their revocation lists. What is added
// here is what attestation then trusts (AttestationService reads the same tables). Changes take
// an Administrator (Permission::ManageTrust) and are audited; every file may be PEM or DER.
class TrustBook
{
public:
    // Revocation lists whose next update is this close are called out.
    static constexpr int revocationAlertDays = 7;

    // A self-signed CI root, valid now, made for the CI role.
    static Result<TrustedCertificate> addIssuer(store::Workspace &workspace, const access::Session &by,
                                                QByteArrayView fileContents);
    // An EUM certificate made for the EUM role, valid now, signed by a trusted CI (and not on its
    // list), whose EID range overlaps no other trusted manufacturer's.
    static Result<TrustedCertificate> addManufacturer(store::Workspace &workspace, const access::Session &by,
                                                      QByteArrayView fileContents);
    // A CRL signed by the trusted CI or EUM it names, current, newer than the one stored. An
    // EUM's list covers the devices it certified; the CI's the manufacturers (and profile servers).
    static Result<ImportedRevocationList> addRevocationList(store::Workspace &workspace, const access::Session &by,
                                                            QByteArrayView fileContents);
    static Result<QList<TrustedCertificate>> list(store::Workspace &workspace, const access::Session &by);
    // Stops trusting the CI or EUM whose key identifier this is (kept, marked retired).
    static Result<TrustedCertificate> retire(store::Workspace &workspace, const access::Session &by,
                                             const QByteArray &keyIdentifier);

    // The SGP.26 test certificates carry OU=TESTCERT (and O=RSPTEST): their private keys are
    // published, so whatever chains to them proves nothing.
    static bool isTestCertificateIssuer(const crypto::Certificate &issuer);
    // A sentence saying the workspace trusts a test CI, or empty.
    static Result<QString> testWorkspaceNotice(store::Workspace &workspace);
};

} // namespace simfleet::attestation
