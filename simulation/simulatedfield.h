#pragma once

#include "core/result.h"
#include "crypto/certificate.h"
#include "crypto/revocationlist.h"
#include "devices/devicelink.h"
#include "simulateddevice.h"

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QVariant>
#include <QVariantList>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace simfleet {
class Clock;
}

class QSqlDatabase;
class QThreadPool;

namespace simfleet::simulation {

class FlashLog;
struct FlashRecord;

// The simulated equipment "in the field" (DESIGN.md "The devices behind the backend"). Each
// device derives its P-256 key from the field's seed and its EID, has its certificate issued by
// its manufacturer at first contact, runs firmware with measurements and misbehaves as its fault
// says. Its state lives in the field's own files beside the workspace (the database, and the
// flash log its devices append their changes to), written by the devices alone and never inside
// the backend's transactions, so a backend crash can leave the two disagreeing, as real
// equipment would.
class SimulatedField : public devices::DeviceLinkProvider, private DeviceSurroundings
{
public:
    using Timing = FieldTiming;

    ~SimulatedField() override;

    // certificateIssuer is the root every device trusts to authenticate profile servers (the
    // CI public key an eUICC carries from the factory).
    static Result<std::unique_ptr<SimulatedField>> create(const QString &path, const QByteArray &seed,
                                                          const crypto::Certificate &certificateIssuer,
                                                          const QList<FieldManufacturer> &manufacturers,
                                                          const std::vector<FieldDevice> &devices,
                                                          const Clock *clock = nullptr);
    static Result<std::unique_ptr<SimulatedField>> open(const QString &path, const Clock *clock = nullptr);
    // The field beside a workspace, for a job that needs its devices; the message says what to do
    // when there is none or its devices are busy with another job.
    static Result<std::unique_ptr<SimulatedField>> openForWorkspace(const QString &workspacePath, const Clock *clock = nullptr);
    // openForWorkspace as the programs hand it to the layers above the backend.
    static devices::DeviceLinksOpener opener();
    // demo.simfleet -> demo.field
    static QString pathForWorkspace(const QString &workspacePath);
    // demo.field -> demo.field-flash
    static QString flashLogPath(const QString &fieldPath);

    std::unique_ptr<devices::DeviceLink> linkTo(const QString &eid) override;
    // One device, to ask it directly (tests, reconciliation); null for an EID the field lacks.
    // The devices are fixed once the field is open.
    SimulatedDevice *device(const QString &eid) const;
    void setTiming(Timing timing) { m_timing = timing; }
    const Timing &timing() const override { return m_timing; }
    qsizetype deviceCount() const { return m_devices.size(); }
    // Every device's EID, sorted.
    QStringList eids() const;
    QList<crypto::Certificate> manufacturerCertificates() const;
    // The manufacturer's current revocation list, listing the devices it revoked.
    Result<crypto::RevocationList> revocationList(const QString &manufacturer) const;
    Fault faultOf(const QString &eid) const;
    // Someone opened the device's enclosure: its tamper switch trips, and stays tripped in the
    // field's file (a tampered device does not heal). Refused for an EID the field lacks.
    Result<void> tamperWith(const QString &eid);
    // Devices with a positioning receiver are where their owners took them: each reports its
    // place in its evidence from now on, and keeps it in the field's file. All or none: refused,
    // with nothing moved, for an EID the field lacks or a place off the globe.
    struct Placement
    {
        QString eid;
        double latitude = 0;
        double longitude = 0;
    };
    Result<void> place(const QList<Placement> &placements);
    // A manufacturer's new devices join the field (`field create`): the manufacturer is added
    // when the field does not know it yet. Refused, with nothing added, when the manufacturer
    // certificate is signed by another certificate issuer than the one the field's devices carry
    // (one CI per field, as one eUICC carries one), or a device's EID is taken.
    Result<void> addDevices(const FieldManufacturer &manufacturer, const std::vector<FieldDevice> &devices);
    // The certificate issuer the field's devices carry; null for a field made before they did.
    const crypto::Certificate &certificateIssuer() const override { return m_certificateIssuer; }
    // Another certificate issuer whose key the devices carry for verifying profile servers
    // (SGP.22 section 4.5.2.2: an eUICC may hold several CI keys, listed in EUICCInfo1's
    // euiccCiPKIdListForVerification), such as the GSMA SGP.26 test CI: its certified servers
    // authenticate to the devices, which still sign under their own CI. For this process only;
    // call before the devices are asked anything.
    void alsoVerifyWith(const crypto::Certificate &certificateIssuer);
    // The eIM every device of the field is configured with (SGP.32's EimConfigurationData, as
    // the factory or ES10b.AddInitialEim gives it): its eimId and the public key
    // (SubjectPublicKeyInfo, DER) its eUICC packages must verify under. Stored in the field's
    // file; replaces the one it had (each device keeps its counters per eimId). Call before the
    // devices are asked anything.
    Result<void> associateEim(const QString &eimId, const QByteArray &publicKey);
    const EimTrust *eimTrust(const QString &eimId) const override;
    // The threads the field's devices compute and delay their answers on. Many devices may be
    // slow at once, so there are more threads than cores; they sleep, not spin.
    QThreadPool &deviceThreads() { return *m_threads; }

private:
    SimulatedField(QString path, QByteArray seed, const Clock *clock);
    // Writes field settings (key, value) in one transaction of the field's file.
    Result<void> writeSettings(const QList<std::pair<QString, QVariant>> &settings);
    // DeviceSurroundings: what every device of the field shares.
    QDateTime now() const override;
    const crypto::ChainVerifier *issuerTrust() const override;
    // A change of a device's state, in the flash log before the device answers.
    Result<void> commit(const FlashRecord &record) override;

    // Writes the state of every device the flash log names into the field's database, with the
    // log's generation, then starts the log afresh.
    Result<void> takeInFlashLog(QSqlDatabase &db);

    QString m_path;
    QByteArray m_seed;
    const Clock *m_clock;
    Timing m_timing;
    // Filled by open() and never changed after, so they are read without a lock; what a device
    // holds changes under the device's own lock.
    QHash<QString, std::shared_ptr<const FieldManufacturer>> m_manufacturers;
    std::unique_ptr<crypto::ChainVerifier> m_issuerTrust; // null: made before devices carried the CI
    crypto::Certificate m_certificateIssuer;
    std::optional<EimTrust> m_eim;
    QHash<QString, std::shared_ptr<SimulatedDevice>> m_devices;
    std::unique_ptr<FlashLog> m_flash;
    std::unique_ptr<QThreadPool> m_threads;
};

} // namespace simfleet::simulation
