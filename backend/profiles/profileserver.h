#pragma once

#include "core/result.h"
#include "crypto/chainverifier.h"
#include "crypto/certifiedkey.h"
#include "protocol/downloadprotocol.h"
#include "protocol/profilepackage.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <memory>

namespace simfleet::devices {
class DeviceLink;
}
namespace simfleet::store {
class Workspace;
struct OperatorRecord;
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

// An operator's profile server (SM-DP+; DESIGN.md ProfileServer): binds a profile to one device
// and delivers it over the device link. Each download is its own session: mutual
// authentication, one-time ECDH keys on both sides, session keys by X9.63, the package in
// encrypted, MAC-chained segments. Thread-safe: downloads to many devices run in parallel.
class ProfileServer
{
public:
    // deviceTrust holds the certificate issuer as its anchor; the device's chain must reach it.
    ProfileServer(QString address, crypto::CertifiedKey key, crypto::ChainVerifier deviceTrust);
    // The operator's profile server as the workspace holds it (its certificate and sealed key),
    // trusting the workspace's certificate issuers for devices. Needs an unlocked workspace.
    static Result<std::unique_ptr<ProfileServer>> ofOperator(const store::Workspace &workspace,
                                                             const store::OperatorRecord &op);

    // Returns the ICCID the device installed. Errors carry a stable code: timeout,
    // server-not-authenticated, device-not-authenticated, package-rejected, device-restarted.
    Result<QString> download(devices::DeviceLink &link, const DownloadOrder &order, std::chrono::milliseconds timeout,
                             const QDateTime &now) const;

    // The bound profile package (BF36) for a device that has authenticated (split out for tests
    // of hostile packages).
    Result<QByteArray> bind(const DownloadOrder &order, const protocol::DeviceAuthentication &device,
                                   const QByteArray &transactionId, const QByteArray &serverChallenge,
                                   const QDateTime &now) const;
    Result<protocol::ServerAuthentication> authenticate(const QByteArray &euiccChallenge, QByteArray *transactionId,
                                              QByteArray *serverChallenge) const;

    const QString &address() const { return m_address; }
    const crypto::Certificate &certificate() const { return m_key.certificate; }

private:
    Result<crypto::EcPublicKey> checkDevice(const QString &eid, const protocol::DeviceAuthentication &device,
                                            const QByteArray &transactionId, const QByteArray &serverChallenge,
                                            const QDateTime &now) const;

    QString m_address;
    crypto::CertifiedKey m_key;
    crypto::ChainVerifier m_deviceTrust;
};

} // namespace simfleet::profiles
