#pragma once

#include "core/result.h"
#include "crypto/certificate.h"
#include "crypto/eckey.h"
#include "protocol/profilemetadata.h"
#include "protocol/profilepackage.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace simfleet::crypto {
class ChainVerifier;
}
namespace simfleet::protocol {
struct BoundProfilePackage;
}

namespace simfleet::simulation {

// A profile the device verified completely and may now install.
struct LoadedProfile
{
    protocol::ProfileMetadata metadata;
    protocol::ProfileContent content;
};

// The device side of one download, as a secure element runs it (SGP.22 ES10b): it hands out a
// challenge, authenticates the profile server against its certificate issuer, answers with a
// signed one-time key, and then opens the bound package segment by segment. Nothing is
// installed by this class: load() returns the profile only after the last segment verified.
class EuiccSession
{
public:
    struct Identity
    {
        QString eid;
        crypto::EcPrivateKey key;
        QList<QByteArray> certificateChain; // the device's certificate, then its manufacturer's
    };

    explicit EuiccSession(Identity identity);

    // ES10b.GetEUICCChallenge: a fresh challenge; any earlier session is abandoned.
    QByteArray challenge();
    // The profile server this session authenticated (serverSigned1's serverAddress), which the
    // installation result is for; empty before one authenticated.
    const QString &serverAddress() const { return m_serverAddress; }

    // ES10b.AuthenticateServer (SGP.22 section 5.7.13), request and answer 'BF38': the server's
    // certificate must chain to the certificate issuer and name a profile server, its
    // signature must cover our challenge. The answer is euiccSigned1, signed with our key.
    Result<QByteArray> authenticateServer(const QByteArray &request, const crypto::ChainVerifier &certificateIssuer,
                                          const QDateTime &now);
    // ES10b.PrepareDownload (section 5.7.5), 'BF21': the binding certificate must chain to the
    // certificate issuer, its signature cover smdpSigned2 and our euiccSignature1; the answer
    // is a one-time key for this download, signed.
    Result<QByteArray> prepareDownload(const QByteArray &request, const crypto::ChainVerifier &certificateIssuer,
                                       const QDateTime &now);

    // ES10b.LoadBoundProfilePackage with the BF36 package. interrupted(i) is asked before the
    // i-th protected segment (from 1) is processed and may stop the load as a power loss
    // would; the session is then gone.
    Result<LoadedProfile> load(const QByteArray &boundProfilePackage, const std::function<bool(int)> &interrupted = {});
    // The same for a package already decoded (the device read its transaction first).
    Result<LoadedProfile> load(const protocol::BoundProfilePackage &package, const std::function<bool(int)> &interrupted = {});

private:
    Identity m_identity;
    QByteArray m_challenge;
    QByteArray m_transactionId;
    QByteArray m_euiccSignature1Object; // what the server's smdpSignature2 must cover
    QByteArray m_smdpSignature2Object;  // what our euiccSignature2 covered
    bool m_authenticated = false;
    QString m_serverAddress;
    crypto::Certificate m_serverCertificate; // CERT.DPauth of this session
    crypto::EcPublicKey m_serverKey; // the binding key (CERT.DPpb), once PrepareDownload checked it
    crypto::EcPrivateKey m_oneTimeKey; // dropped as soon as the session keys exist
};

} // namespace simfleet::simulation
