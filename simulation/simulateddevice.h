#pragma once

#include "core/result.h"
#include "crypto/certifiedkey.h"
#include "crypto/secretbytes.h"
#include "devices/devicelink.h"
#include "fault.h"
#include "protocol/profilemetadata.h"
#include "protocol/entityattestationtoken.h"
#include "store/records.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <chrono>
#include <memory>

namespace simfleet::crypto {
class ChainVerifier;
}
namespace simfleet::protocol {
struct BoundProfilePackage;
}

namespace simfleet::simulation {

class EuiccSession;
struct FlashRecord;

// A manufacturer's factory, as far as the simulation needs it: it certifies its devices'
// keys and publishes the revocation list of the ones it revoked.
struct FieldManufacturer
{
    QString name;
    QString eidPrefix;
    qint64 oemid = 0;
    crypto::CertifiedKey eum;
};

// One simulated device as it left the factory.
struct FieldDevice
{
    QString eid;
    QString imei;
    QString manufacturer;
    QString hwmodel;
    QString hwversion;
    QString swname;
    QString swversion;
    store::SecureElementKind secureElement = store::SecureElementKind::IntegratedUicc;
    Fault fault = Fault::None;
    QString faultOperator; // NoCoverage: the network (MCC || MNC) it cannot reach
};

// How late the misbehaving devices are.
struct FieldTiming
{
    std::chrono::milliseconds slowLatency { 1500 };
    qint64 clockSkewSeconds = 2 * 3600;
};

// What a device needs from the world around it: the time, how its faults behave, the
// certificate issuer its eUICC trusts (SGP.22 section 4.5.2: the CI public key it carries from
// the factory), and flash memory its changes must reach before it answers. The simulated field
// provides it for many devices in one process; a device agent behind a socket provides its own.
class DeviceSurroundings
{
public:
    virtual ~DeviceSurroundings() = default;
    virtual QDateTime now() const = 0;
    virtual const FieldTiming &timing() const = 0;
    // Null for a field made before devices carried their certificate issuer.
    virtual const crypto::ChainVerifier *issuerTrust() const = 0;
    virtual Result<void> commit(const FlashRecord &record) = 0;
};

enum class ProfileOperation { Enable, Disable, Delete };

// One simulated device: its eUICC (installed profiles, their credentials sealed under the secure
// element's storage key, the download session), its attestation key and firmware, and its fault.
// The device derives its P-256 key from the field's seed and its EID, is certified by its
// manufacturer at first contact, and commits every change to flash before it answers. Its state
// is under its own lock, so devices answer in parallel; one download runs at a time per device.
class SimulatedDevice
{
public:
    SimulatedDevice(FieldDevice spec, std::shared_ptr<const FieldManufacturer> manufacturer, QByteArray fieldSeed,
                    DeviceSurroundings *surroundings);
    ~SimulatedDevice();
    SimulatedDevice(const SimulatedDevice &) = delete;
    SimulatedDevice &operator=(const SimulatedDevice &) = delete;

    // What a genuine build of this software measures: the manufacturer publishes these as
    // reference values.
    static QList<protocol::Measurement> firmwareMeasurements(const QString &hwmodel, const QString &swversion);
    // The serial number a device's certificate will carry, known before the certificate exists,
    // so a manufacturer can revoke a device it has not yet certified.
    static QByteArray certificateSerial(const QString &eid);

    // Fixed for the device's life, so read without its lock.
    const FieldDevice &spec() const { return m_spec; }

    // The device side of each DeviceLink call.
    Result<devices::DeviceInfo> info();
    Result<QByteArray> evidence(const QByteArray &nonce);
    // The same over the wire: AttestationRequest in, AttestationResponse out (DER).
    Result<QByteArray> attest(const QByteArray &request);
    Result<QList<devices::InstalledProfile>> listProfiles() const;
    Result<void> changeProfile(const QString &iccid, ProfileOperation operation);
    // ES10b.GetEUICCChallenge, AuthenticateServer, LoadBoundProfilePackage (SGP.22 section 3.1.2).
    Result<QByteArray> challenge();
    Result<QByteArray> authenticateServer(const QByteArray &request);
    Result<QByteArray> prepareDownload(const QByteArray &request);
    // Answers with the ProfileInstallationResult (BF37), signed: success, or the step that failed
    // and why. Fails without an answer only when the device restarted or could not even read the
    // package's transaction.
    Result<QByteArray> loadBoundPackage(const QByteArray &boundProfilePackage);
    Result<devices::AttachReport> attach(const QByteArray &rand, const QByteArray &autn);

    // What the device keeps across restarts: its field's file stores it, its flash log records
    // each change to it.
    struct Memory
    {
        QByteArray certDer;
        QList<devices::InstalledProfile> profiles;
        QHash<QString, QByteArray> credentials; // per ICCID, sealed under the storage key
        QString fallbackIccid;                  // the profile enabled before the last enable
        bool crashedBefore = false;             // CrashesMidDownload: it fails once, then works
    };
    Memory memory() const;
    void restore(Memory memory);
    // Applies a change found in the flash log.
    void replay(const FlashRecord &record);

private:
    Result<void> ensureCertified();
    // Loads and installs the package; the ICCID installed, or why not.
    Result<QString> install(const protocol::BoundProfilePackage &boundProfilePackage);
    QList<QByteArray> certificateChain() const;
    crypto::SecretBytes storageKey() const;
    // Applies a profile operation in memory and returns what it held before (nothing when the
    // operation changes nothing), so a change that fails to commit can be undone.
    Result<std::optional<Memory>> applyProfileChange(const QString &iccid, ProfileOperation operation);

    const FieldDevice m_spec;
    const std::shared_ptr<const FieldManufacturer> m_manufacturer;
    const QByteArray m_fieldSeed;
    DeviceSurroundings *const m_surroundings;

    mutable QMutex m_mutex; // m_memory and m_key
    Memory m_memory;
    crypto::EcPrivateKey m_key;
    // One download at a time; the session lives only in memory, as a secure element's volatile
    // state does, so a restart abandons it.
    QMutex m_sessionMutex;
    std::unique_ptr<EuiccSession> m_session;
};

} // namespace simfleet::simulation
