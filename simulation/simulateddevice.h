#pragma once

#include "core/result.h"
#include "crypto/certifiedkey.h"
#include "crypto/secretbytes.h"
#include "devices/devicelink.h"
#include "fault.h"
#include "protocol/eimpackage.h"
#include "protocol/profilemanagement.h"
#include "protocol/profilemetadata.h"
#include "protocol/entityattestationtoken.h"
#include "store/records.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>

#include <atomic>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

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

// An eIM an eUICC was configured with (EimConfigurationData, SGP.32 section 2.11.1.1.1): its
// identifier and the public key its eUICC packages are signed with. simfleet's configurations
// carry no association token.
struct EimTrust
{
    QString eimId;
    crypto::EcPublicKey publicKey;
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
    // The certificate issuer itself, whose key identifier the eUICC reports (EUICCInfo1); null
    // for such a field.
    virtual const crypto::Certificate &certificateIssuer() const = 0;
    virtual Result<void> commit(const FlashRecord &record) = 0;
    // The eIM the eUICC knows by this eimId (its eIM configuration data, SGP.32 section
    // 2.11.1.1.1: the public key it verifies that eIM's packages with); null when it knows none.
    virtual const EimTrust *eimTrust(const QString &eimId) const
    {
        Q_UNUSED(eimId);
        return nullptr;
    }
};

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
    // What the device holds, as the simulation reads it (tests, the field's own file).
    Result<QList<devices::InstalledProfile>> listProfiles() const;
    // ES10c (SGP.22 section 5.7): GetProfilesInfo, and EnableProfile, DisableProfile and
    // DeleteProfile by their request's tag; DER in, DER out. A request that does not decode is
    // refused without an answer, as a malformed command is.
    Result<QByteArray> profilesInfo(const QByteArray &request);
    Result<QByteArray> changeProfile(const QByteArray &request);
    // The notifications the eUICC keeps after an installation, enable, disable or delete until
    // they are delivered (SGP.22 section 3.5): ES10b.ListNotification, RetrieveNotificationsList
    // and RemoveNotificationFromList.
    Result<QByteArray> listNotifications(const QByteArray &request);
    Result<QByteArray> retrieveNotifications(const QByteArray &request);
    Result<QByteArray> removeNotification(const QByteArray &request);
    // ES10b.GetEUICCInfo, EUICCInfo1: the certificate issuer it verifies and signs under.
    Result<QByteArray> euiccInfo1();
    // ES10b.GetEUICCChallenge, AuthenticateServer, LoadBoundProfilePackage (SGP.22 section 3.1.2).
    Result<QByteArray> challenge();
    Result<QByteArray> authenticateServer(const QByteArray &request);
    Result<QByteArray> prepareDownload(const QByteArray &request);
    // Answers with the ProfileInstallationResult (BF37), signed: success, or the step that failed
    // and why. Fails without an answer only when the device restarted or could not even read the
    // package's transaction.
    Result<QByteArray> loadBoundPackage(const QByteArray &boundProfilePackage);
    Result<devices::AttachReport> attach(const QByteArray &rand, const QByteArray &autn);
    // ES10b.LoadEuiccPackage (SGP.32 section 5.9.1): an EuiccPackageRequest ('BF51') in, the
    // EuiccPackageResult out (DER). The package must be signed by an eIM the eUICC knows (else an
    // unsigned error), name this eUICC (invalidEid) and carry a counter above the last one of
    // that eIM it accepted (replayError); only then do its PSMOs run, in order. The counter is
    // committed before the first PSMO, so a package never runs twice, even across a restart.
    Result<QByteArray> loadEuiccPackage(const QByteArray &request);

    // What the device keeps across restarts: its field's file stores it, its flash log records
    // each change to it.
    struct Memory
    {
        // A pending notification: its metadata, and what the eUICC signed and keeps until it is
        // delivered: an installation result ('BF37') whole, or of another notification its
        // tbsOtherNotification and euiccNotificationSignature ('BF2F', '5F37'), to which the
        // certificates are added when it is retrieved.
        struct Notification
        {
            protocol::NotificationMetadata metadata;
            QByteArray data;
            // Reads a notification's data back (from the field's file or its flash log).
            static std::optional<Notification> fromData(QByteArray data);
        };
        QByteArray certDer;
        QList<devices::InstalledProfile> profiles;
        QHash<QString, QByteArray> credentials; // per ICCID, sealed under the storage key
        QHash<QString, QByteArray> metadata;    // per ICCID, its StoreMetadata (none for a profile
                                                // installed before devices kept it)
        QString fallbackIccid;                  // the profile enabled before the last enable
        bool crashedBefore = false;             // CrashesMidDownload: it fails once, then works
        QList<Notification> notifications;      // pending, oldest first
        qint64 lastSequenceNumber = 0;          // of the notifications, never reused
        QHash<QString, qint64> eimCounters;     // per eimId, the counterValue last accepted
    };
    Memory memory() const;
    void restore(Memory memory);
    // The enclosure's tamper switch (SimulatedField::tamperWith): from now on the device's
    // evidence says it was tampered with (the EAT's tamper state), as real equipment reports.
    void tripTamperSwitch() { m_tamperTripped.store(true); }
    bool tamperTripped() const { return m_tamperTripped.load(); }
    // Where the device's positioning receiver puts it (SimulatedField::place): from then on its
    // evidence carries the location claim. Devices never placed (meters) have no receiver.
    void moveTo(double latitude, double longitude);
    std::optional<protocol::ReportedLocation> position() const;
    // Applies a change found in the flash log.
    void replay(const FlashRecord &record);

private:
    Result<void> ensureCertified();
    // Loads and installs the package; the ICCID installed, or why not.
    Result<QString> install(const protocol::BoundProfilePackage &boundProfilePackage);
    QList<QByteArray> certificateChain() const;
    crypto::SecretBytes storageKey() const;
    // One profile operation (SGP.22 section 3.2), committed with its notification: the result
    // the eUICC answers with, or an error when it could not commit (it then answers nothing).
    Result<protocol::ProfileOperationResult> changeProfile(const QString &iccid, protocol::ProfileOperation operation);
    // Applies a profile operation in memory: its result, and when it changed something, what
    // the device held before, so a change that fails to commit can be undone.
    struct Change
    {
        protocol::ProfileOperationResult result = protocol::ProfileOperationResult::Ok;
        std::optional<Memory> before;
    };
    Change applyProfileChange(const QString &iccid, protocol::ProfileOperation operation);
    // Signs a notification of this operation on this profile to `address` and keeps it until
    // it is delivered; nothing when the profile's metadata names no address for it.
    Result<void> notify(protocol::NotificationEvent event, const QString &iccid, const QString &address);
    // Keeps a signed notification (the sequence number already taken): flash first.
    Result<void> keepNotification(Memory::Notification notification);
    qint64 takeSequenceNumber();
    // The ISD-P a profile lives in (GlobalPlatform: SGP.02's ISD-P prefix, then a number the
    // ICCID gives): the same for the profile's life, with nothing to store.
    static QByteArray isdpAid(const QString &iccid);
    // The result of one PSMO of an eUICC package; nothing when it could not run (an error, which
    // terminates the package).
    Result<protocol::EuiccResultData> runPsmo(const protocol::Psmo &psmo);

    const FieldDevice m_spec;
    const std::shared_ptr<const FieldManufacturer> m_manufacturer;
    const QByteArray m_fieldSeed;
    DeviceSurroundings *const m_surroundings;

    mutable QMutex m_mutex; // m_memory, m_key and m_position
    std::atomic<bool> m_tamperTripped { false };
    std::optional<protocol::ReportedLocation> m_position; // under m_mutex
    Memory m_memory;
    crypto::EcPrivateKey m_key;
    // One download at a time; the session lives only in memory, as a secure element's volatile
    // state does, so a restart abandons it.
    QMutex m_sessionMutex;
    std::unique_ptr<EuiccSession> m_session;
    // One eUICC package at a time: its counter is checked and committed before its PSMOs run.
    QMutex m_packageMutex;
};

} // namespace simfleet::simulation
