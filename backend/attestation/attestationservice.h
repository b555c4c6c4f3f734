#pragma once

#include "attestationverdict.h"
#include "attestationverifier.h"
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QThreadPool>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::devices {
class DeviceLinkProvider;
}

namespace simfleet::access {
class Session;
}

namespace simfleet::attestation {

struct AttestationOptions
{
    std::chrono::milliseconds answerTimeout { 10000 };
    qint64 nonceLifetimeSeconds = 300; // DESIGN.md: single use, expires in minutes
    int chunk = 512;                    // verdicts verified and stored together
};

struct DeviceAttestation
{
    qint64 deviceId = 0;
    QString eid;
    AttestationVerdict verdict;
    QByteArray evidence;
    QByteArray issuedNonce;    // the challenge sent to the device
    QByteArray presentedNonce; // the challenge the evidence answers (read once, before verifying)
};

// Attests devices through their links: issues a fresh nonce per device (stored before it is
// sent), asks every device for evidence at once, verifies the answers in parallel and stores
// evidence and verdict per device, with one audit entry per run. Call it on the thread that
// opened the workspace.
class AttestationService
{
public:
    AttestationService(store::Workspace &workspace, devices::DeviceLinkProvider &links,
                       AttestationOptions options = {});
    ~AttestationService();

    // The verifier configured with the workspace's trust anchors, manufacturers, revocation lists
    // and reference values.
    Result<AttestationVerifier> loadVerifier() const;

    using Progress = std::function<void(qsizetype done, qsizetype total)>;
    // Attests the devices given, as `by`: Operations, Administrators, and operator account
    // managers for devices in their scope (a device outside it refuses the whole request, in the
    // words used for a device that does not exist).
    Result<QList<DeviceAttestation>> attest(const access::Session &by, const QList<std::pair<qint64, QString>> &devices,
                                            const Progress &progress = {});

    // The devices, among those given, whose latest stored verdict lets credentials go out now:
    // not the verdict row, which anyone who can write the workspace file can forge, but its
    // stored evidence verified again (chain, signature, a nonce issued to this device, claims,
    // today's revocation list), answered no more than maxAgeSeconds ago by the device's own
    // signed clock. Every other device is attested afresh by the caller.
    Result<QSet<qint64>> stillAffirming(const access::Session &by, const QList<qint64> &deviceIds, qint64 maxAgeSeconds) const;

    // A challenge for one device: 32 bytes, the time it was issued (milliseconds since the epoch,
    // 6 bytes big-endian) and a counter (2 bytes) in front of 24 random bytes.
    static QByteArray issueNonce(const QDateTime &issuedAt);

private:
    store::Workspace &m_workspace;
    devices::DeviceLinkProvider &m_links;
    AttestationOptions m_options;
    // The service's own threads for verifying and collecting in parallel, started from the
    // thread that attests and so at its priority: a campaign run from the desktop lowers its
    // threads' priority so the GUI thread is never starved, which Qt's global pool (started from
    // whichever thread first used it) would not honour.
    std::unique_ptr<QThreadPool> m_pool;
};

} // namespace simfleet::attestation
