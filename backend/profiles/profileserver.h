#pragma once

#include "core/result.h"
#include "crypto/chainverifier.h"
#include "crypto/certifiedkey.h"
#include "protocol/profilemetadata.h"
#include "protocol/profilepackage.h"
#include "protocol/profiletemplate.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace simfleet::devices {
class DeviceLink;
}
namespace simfleet::store {
class Workspace;
struct OperatorRecord;
}
namespace simfleet::protocol {
struct AuthenticateServerRequest;
struct PrepareDownloadRequest;
struct ProfileInstallationResult;
}

namespace simfleet::profiles {

// How the certificate rows of an operator's imported profile server are named after the
// operator: its authentication pair (CERT.DPauth, SGP.22 section 4.5.2.1) and binding pair (CERT.DPpb).
inline constexpr const char *profileServerAuthSuffix = " profile server (authentication)";
inline constexpr const char *profileServerBindingSuffix = " profile server (binding)";

// What one download delivers to one device.
struct DownloadOrder
{
    QString eid;
    protocol::ProfileContent profile;
    protocol::ProfileMetadata metadata; // profileSegments is filled in by the server
};

// One download's state on the server side, from InitiateAuthentication to the bound package
// (SGP.22 section 3.1.3): what the later steps must match.
struct DownloadSession
{
    QString eid;
    QByteArray transactionId;
    QByteArray serverChallenge;
    QByteArray euiccChallenge;
    crypto::EcPublicKey deviceKey;     // from CERT.EUICC, once AuthenticateClient checked it
    crypto::Certificate euiccCertificate; // CERT.EUICC itself, which the device's notifications carry
    QByteArray euiccSignature1Object;  // '5F37' data object, which smdpSignature2 covers
    QByteArray smdpSignature2Object;   // '5F37' data object, which euiccSignature2 covers
};

// An operator's profile server (SM-DP+; DESIGN.md ProfileServer): binds a profile to one device
// and delivers it over the device link, in the messages of SGP.22 (ES9+ on the server's side,
// ES10b on the device's): InitiateAuthentication gives the AuthenticateServer request, signed
// with the authentication key (CERT.DPauth); AuthenticateClient checks the device's answer and
// gives the PrepareDownload request, signed with the binding key (CERT.DPpb);
// GetBoundProfilePackage checks the device's one-time key and binds the profile to it.
// Thread-safe: downloads to many devices run in parallel.
class ProfileServer
{
public:
    // deviceTrust holds the certificate issuer as its anchor; the device's chain must reach it.
    // Without a binding pair the authentication pair serves both steps.
    ProfileServer(QString address, crypto::CertifiedKey authentication, crypto::ChainVerifier deviceTrust,
                  std::optional<crypto::CertifiedKey> binding = std::nullopt);
    // The operator's profile server as the workspace holds it (its certificates and sealed keys),
    // trusting the workspace's certificate issuers for devices. Needs an unlocked workspace.
    static Result<std::unique_ptr<ProfileServer>> ofOperator(const store::Workspace &workspace,
                                                             const store::OperatorRecord &op);

    // Returns the ICCID the device installed. Errors carry a stable code: timeout,
    // server-not-authenticated, device-not-authenticated, package-rejected, device-restarted.
    // finished, when given, keeps the session (the device's certificate, as authenticated).
    Result<QString> download(devices::DeviceLink &link, const DownloadOrder &order, std::chrono::milliseconds timeout,
                             const QDateTime &now, DownloadSession *finished = nullptr) const;

    // The three server steps, split out for tests of hostile messages.
    // ES9+.InitiateAuthentication: the AuthenticateServerRequest for this challenge (DER), under
    // a certificate issuer the eUICC's EUICCInfo1 names (DER) for both verifying and signing.
    Result<QByteArray> initiateAuthentication(const QString &eid, const QByteArray &euiccChallenge, const QByteArray &euiccInfo1,
                                              DownloadSession &session) const;
    // The same, as the request's parts (ES9+ over HTTPS sends them one by one). An empty eid
    // means the device is not known yet: AuthenticateClient learns it from CERT.EUICC.
    Result<protocol::AuthenticateServerRequest> authenticateServerRequest(const QString &eid, const QByteArray &euiccChallenge,
                                                                         const QByteArray &euiccInfo1,
                                                                         DownloadSession &session) const;
    // ES9+.AuthenticateClient: checks the AuthenticateServerResponse, gives the PrepareDownloadRequest.
    Result<QByteArray> authenticateClient(const QByteArray &authenticateServerResponse, DownloadSession &session,
                                          const QDateTime &now) const;
    // The same, as the request's parts. A session without an EID takes the one CERT.EUICC names,
    // once its chain and signature verified.
    Result<protocol::PrepareDownloadRequest> prepareDownloadRequest(const QByteArray &authenticateServerResponse,
                                                                    DownloadSession &session, const QDateTime &now) const;
    // ES9+.GetBoundProfilePackage: checks the PrepareDownloadResponse, gives the bound profile
    // package (BF36).
    Result<QByteArray> getBoundProfilePackage(const DownloadOrder &order, const QByteArray &prepareDownloadResponse,
                                              const DownloadSession &session) const;

    // The device's ProfileInstallationResult: the ICCID it installed, or the reason it did not.
    Result<QString> checkInstallationResult(const DownloadOrder &order, const QByteArray &answer,
                                            const DownloadSession &session) const;

    // The metadata the bound package stores for this order (StoreMetadataRequest, SGP.22 section
    // 5.5.3), which ES9+.AuthenticateClient also shows the device's user before the download.
    protocol::ProfileMetadata storedMetadata(const DownloadOrder &order) const;

    // The address devices are told the server has (serverSigned1's serverAddress, SGP.22
    // section 5.6.1); set before the server is shared.
    void setAddress(QString address) { m_address = std::move(address); }

    // The template profiles are personalised from; simfleet's built-in one until set.
    void setProfileTemplate(protocol::ProfileTemplate profileTemplate) { m_template = std::move(profileTemplate); }
    const protocol::ProfileTemplate &profileTemplate() const { return m_template; }

    const QString &address() const { return m_address; }
    const crypto::Certificate &certificate() const { return m_authentication.certificate; }
    // The certificate issuers a device's chain must reach: for its notifications too.
    const crypto::ChainVerifier &deviceTrust() const { return m_deviceTrust; }

    // The installation result signed by the session's device for its transaction.
    Result<protocol::ProfileInstallationResult> verifiedInstallationResult(const QByteArray &answer,
                                                                           const DownloadSession &session) const;
    // What the verified result says: the ICCID installed, or why not in the campaign's codes.
    static Result<QString> installedIccid(const DownloadOrder &order, const protocol::ProfileInstallationResult &result);

private:

    QString m_address;
    crypto::CertifiedKey m_authentication;
    crypto::CertifiedKey m_binding;
    crypto::ChainVerifier m_deviceTrust;
    protocol::ProfileTemplate m_template = protocol::ProfileTemplate::builtIn();
    // What every download sends or derives from the certificates, made once.
    QByteArray m_authenticationDer;
    QByteArray m_bindingDer;
    QByteArray m_ciKeyId;
    QList<QByteArray> m_deviceCiKeyIds; // of the certificate issuers deviceTrust holds
    QByteArray m_hostId;
};

// The certificate issuers a device's chain must reach (the workspace's CIs): for downloads and
// for the notifications devices sign.
Result<crypto::ChainVerifier> deviceTrustOf(const store::Workspace &workspace);

// The operator's own profile template (`operators set-profile-template`), opened from the
// workspace's sealed copy, or simfleet's built-in one when it has none. Needs an unlocked
// workspace when it has one.
Result<protocol::ProfileTemplate> profileTemplateOf(const store::Workspace &workspace, const store::OperatorRecord &op);

} // namespace simfleet::profiles
