#pragma once

#include "protocol/entityattestationtoken.h"
#include "core/result.h"
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "crypto/revocationlist.h"
#include "devices/devicelink.h"
#include "fault.h"

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QVariantList>

#include <chrono>
#include <memory>
#include <vector>

namespace simfleet {
class Clock;
}

class QSqlDatabase;
class QThreadPool;

namespace simfleet::simulation {

class FlashLog;
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

// The simulated equipment "in the field" (DESIGN.md "The devices behind the backend"). Each
// device derives its P-256 key from the field's seed and its EID, has its certificate issued by
// its manufacturer at first contact, runs firmware with measurements and misbehaves as its fault
// says. Its state lives in the field's own files beside the workspace (the database, and the
// flash log its devices append their changes to), written by the devices alone and never inside
// the backend's transactions, so a backend crash can leave the two disagreeing, as real
// equipment would.
class SimulatedField : public devices::DeviceLinkProvider
{
public:
    struct Timing
    {
        std::chrono::milliseconds slowLatency { 1500 };
        qint64 clockSkewSeconds = 2 * 3600;
    };

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

    // What a genuine build of this software measures: the manufacturer publishes these as
    // reference values.
    static QList<protocol::Measurement> firmwareMeasurements(const QString &hwmodel, const QString &swversion);
    // The serial number a device's certificate will carry, known before the certificate exists,
    // so a manufacturer can revoke a device it has not yet certified.
    static QByteArray certificateSerial(const QString &eid);

    std::unique_ptr<devices::DeviceLink> linkTo(const QString &eid) override;
    void setTiming(Timing timing) { m_timing = timing; }
    const Timing &timing() const { return m_timing; }
    qsizetype deviceCount() const;
    QList<crypto::Certificate> manufacturerCertificates() const;
    // The manufacturer's current revocation list, listing the devices it revoked.
    Result<crypto::RevocationList> revocationList(const QString &manufacturer) const;

    // The device side of each DeviceLink call; run on the field's worker threads.
    Result<devices::DeviceInfo> answerInfo(const QString &eid);
    Result<QByteArray> answerEvidence(const QString &eid, const QByteArray &nonce);
    Result<QList<devices::InstalledProfile>> answerListProfiles(const QString &eid);
    Result<void> answerProfileChange(const QString &eid, const QString &iccid, const QString &operation);
    Result<QByteArray> answerChallenge(const QString &eid);
    Result<protocol::DeviceAuthentication> answerAuthenticateServer(const QString &eid,
                                                                    const protocol::ServerAuthentication &request);
    Result<QString> answerLoadBoundPackage(const QString &eid, const QList<QByteArray> &segments);
    Result<devices::AttachReport> answerAttach(const QString &eid, const QByteArray &rand, const QByteArray &autn);
    Fault faultOf(const QString &eid) const;
    // The threads the field's devices compute and delay their answers on. Many devices may be
    // slow at once, so there are more threads than cores; they sleep, not spin.
    QThreadPool &deviceThreads() { return *m_threads; }

private:
    SimulatedField(QString path, QByteArray seed, const Clock *clock);
    struct DeviceState;
    Result<DeviceState *> ensureCertified(const QString &eid);
    Result<void> migrate();
    struct ProfileSnapshot
    {
        QList<devices::InstalledProfile> profiles;
        QHash<QString, QByteArray> credentials;
        QString fallback;      // before the change
        QString fallbackAfter; // after an enable
    };
    // Applies a profile operation to the device's memory; returns the device (null when nothing
    // changes) and what it held before, so a failed commit can be undone.
    Result<std::pair<std::shared_ptr<DeviceState>, ProfileSnapshot>> changeProfile(const QString &eid, const QString &iccid,
                                                                                    const QString &operation);
    // A change of a device's state, in the flash log before the device answers.
    Result<void> commit(const FlashRecord &record);
    // Replays a record found in the flash log onto the devices' state in memory.
    void replay(const FlashRecord &record);
    // Writes the state of every device the flash log names into the field's database, with the
    // log's generation, then starts the log afresh.
    Result<void> takeInFlashLog(QSqlDatabase &db);
    crypto::SecretBytes storageKey(const QString &eid) const;

    QString m_path;
    QByteArray m_seed;
    const Clock *m_clock;
    Timing m_timing;
    mutable QMutex m_mutex;
    QHash<QString, FieldManufacturer> m_manufacturers;
    crypto::Certificate m_certificateIssuer;
    std::unique_ptr<crypto::ChainVerifier> m_issuerTrust;
    // Filled by open() and never changed after, so it is read without the lock; what a device
    // holds changes under m_mutex.
    QHash<QString, std::shared_ptr<DeviceState>> m_devices;
    std::unique_ptr<FlashLog> m_flash;
    std::unique_ptr<QThreadPool> m_threads;
};

} // namespace simfleet::simulation
