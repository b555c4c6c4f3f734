#include "simulatedfield.h"
#include "deviceslog.h"
#include "simulateddevicelink.h"

#include "core/clock.h"
#include "crypto/certificate.h"
#include "crypto/eckey.h"
#include "crypto/sha256.h"
#include "store/databaseconnection.h"
#include "store/storewriter.h"
#include "store/transaction.h"

#include <QFile>
#include <QThread>
#include <QThreadPool>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::devices {

namespace {

constexpr int fieldApplicationId = 0x53464644; // "SFFD"

const QStringList fieldSchema {
    QStringLiteral("CREATE TABLE field_setting (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)"),
    QStringLiteral("CREATE TABLE manufacturer (name TEXT PRIMARY KEY NOT NULL, eid_prefix TEXT NOT NULL,"
                   " oemid INTEGER NOT NULL, cert_der BLOB NOT NULL, key_der BLOB NOT NULL)"),
    QStringLiteral("CREATE TABLE field_device (eid TEXT PRIMARY KEY NOT NULL, imei TEXT NOT NULL,"
                   " manufacturer TEXT NOT NULL REFERENCES manufacturer(name), hwmodel TEXT NOT NULL,"
                   " hwversion TEXT NOT NULL, swname TEXT NOT NULL, swversion TEXT NOT NULL,"
                   " secure_element TEXT NOT NULL, fault TEXT NOT NULL, fault_operator TEXT NOT NULL,"
                   " cert_der BLOB)"),
    QStringLiteral("CREATE TABLE field_profile (iccid TEXT PRIMARY KEY NOT NULL,"
                   " eid TEXT NOT NULL REFERENCES field_device(eid), state TEXT NOT NULL)"),
};

Result<void> exec(QSqlQuery &q, const QString &sql)
{
    if (!q.exec(sql))
        return fail(QStringLiteral("the simulated field's file: %1").arg(q.lastError().text()));
    return {};
}

} // namespace

struct SimulatedField::DeviceState
{
    FieldDevice spec;
    QByteArray certDer;
    crypto::EcPrivateKey key;
    QList<InstalledProfile> profiles;
};

SimulatedField::SimulatedField(QString path, QByteArray seed, const Clock *clock)
    : m_path(std::move(path)),
      m_seed(std::move(seed)),
      m_clock(clock ? clock : &SystemClock::instance()),
      m_threads(std::make_unique<QThreadPool>())
{
    m_threads->setMaxThreadCount(std::max(16, QThread::idealThreadCount() * 4));
}

SimulatedField::~SimulatedField()
{
    // Every device finishes its answer and the threads end before the field's state goes away
    // (ending them also releases OpenSSL's per-thread state).
    m_threads->waitForDone();
    m_threads.reset();
    m_writer.reset(); // the devices' last writes reach the file
}

QString SimulatedField::pathForWorkspace(const QString &workspacePath)
{
    const QFileInfo info(workspacePath);
    return info.absolutePath() + u'/' + info.completeBaseName() + QStringLiteral(".field");
}

QList<attestation::Measurement> SimulatedField::firmwareMeasurements(const QString &hwmodel, const QString &swversion)
{
    QList<attestation::Measurement> out;
    for (const char *component : { "bootloader", "se-os", "usim-host" }) {
        out.append({ QString::fromLatin1(component),
                     crypto::sha256(QStringLiteral("simfleet-firmware:%1:%2:%3")
                                        .arg(hwmodel, swversion, QLatin1StringView(component))
                                        .toUtf8()) });
    }
    return out;
}

QByteArray SimulatedField::certificateSerial(const QString &eid)
{
    QByteArray serial = crypto::sha256(QByteArray(QByteArrayLiteral("simfleet-device-certificate:") + eid.toLatin1())).first(16);
    serial[0] = char((serial[0] & 0x7f) | 0x01); // positive, and never a leading zero byte
    return serial;
}

Result<std::unique_ptr<SimulatedField>> SimulatedField::create(const QString &path, const QByteArray &seed,
                                                               const QList<FieldManufacturer> &manufacturers,
                                                               const std::vector<FieldDevice> &devices,
                                                               const Clock *clock)
{
    if (QFileInfo::exists(path))
        return fail(QStringLiteral("%1 already exists; a simulated field is created once").arg(path));
    {
        auto connection = store::DatabaseConnection::open(path);
        if (!connection)
            return connection.error();
        QSqlDatabase db = connection.value()->database();
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        store::Transaction tx(db);
        QSqlQuery q(db);
        for (const QString &sql : fieldSchema) {
            if (auto ok = exec(q, sql); !ok)
                return ok.error();
        }
        if (auto ok = exec(q, QStringLiteral("PRAGMA application_id = %1").arg(fieldApplicationId)); !ok)
            return ok.error();
        q.prepare(QStringLiteral("INSERT INTO field_setting (key, value) VALUES ('seed', ?)"));
        q.addBindValue(seed);
        if (!q.exec())
            return fail(q.lastError().text());
        q.prepare(QStringLiteral("INSERT INTO manufacturer (name, eid_prefix, oemid, cert_der, key_der)"
                                 " VALUES (?, ?, ?, ?, ?)"));
        for (const FieldManufacturer &m : manufacturers) {
            const crypto::SecretBytes key = m.eum.key.toPkcs8();
            q.addBindValue(m.name);
            q.addBindValue(m.eidPrefix);
            q.addBindValue(m.oemid);
            q.addBindValue(m.eum.certificate.toDer());
            q.addBindValue(key.view().toByteArray());
            if (!q.exec())
                return fail(q.lastError().text());
        }
        q.prepare(QStringLiteral("INSERT INTO field_device (eid, imei, manufacturer, hwmodel, hwversion, swname,"
                                 " swversion, secure_element, fault, fault_operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        for (const FieldDevice &d : devices) {
            q.bindValue(0, d.eid);
            q.bindValue(1, d.imei);
            q.bindValue(2, d.manufacturer);
            q.bindValue(3, d.hwmodel);
            q.bindValue(4, d.hwversion);
            q.bindValue(5, d.swname);
            q.bindValue(6, d.swversion);
            q.bindValue(7, store::secureElementName(d.secureElement));
            q.bindValue(8, faultName(d.fault));
            q.bindValue(9, d.faultOperator.isNull() ? QStringLiteral("") : d.faultOperator);
            if (!q.exec())
                return fail(QStringLiteral("the simulated field's file: %1").arg(q.lastError().text()));
        }
        if (auto ok = tx.commit(); !ok)
            return ok.error();
    }
    return open(path, clock);
}

Result<std::unique_ptr<SimulatedField>> SimulatedField::open(const QString &path, const Clock *clock)
{
    if (!QFileInfo::exists(path))
        return fail(QStringLiteral("there is no simulated field at %1").arg(path));
    auto connection = store::DatabaseConnection::open(path);
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value()->database();
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next() || q.value(0).toInt() != fieldApplicationId)
        return fail(QStringLiteral("%1 is not a simulated field").arg(path));
    if (!q.exec(QStringLiteral("SELECT value FROM field_setting WHERE key = 'seed'")) || !q.next())
        return fail(QStringLiteral("the simulated field %1 has no seed").arg(path));
    std::unique_ptr<SimulatedField> field(new SimulatedField(path, q.value(0).toByteArray(), clock));

    if (!q.exec(QStringLiteral("SELECT name, eid_prefix, oemid, cert_der, key_der FROM manufacturer")))
        return fail(q.lastError().text());
    while (q.next()) {
        FieldManufacturer m;
        m.name = q.value(0).toString();
        m.eidPrefix = q.value(1).toString();
        m.oemid = q.value(2).toLongLong();
        auto cert = crypto::Certificate::fromDer(q.value(3).toByteArray());
        auto key = crypto::EcPrivateKey::fromPkcs8(crypto::SecretBytes(q.value(4).toByteArray()));
        if (!cert || !key)
            return fail(QStringLiteral("the simulated field's manufacturer %1 is damaged").arg(m.name));
        m.eum = { cert.value(), key.value() };
        field->m_manufacturers.insert(m.name, m);
    }
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT eid, imei, manufacturer, hwmodel, hwversion, swname, swversion,"
                               " secure_element, fault, fault_operator, cert_der FROM field_device")))
        return fail(q.lastError().text());
    while (q.next()) {
        auto state = std::make_shared<DeviceState>();
        FieldDevice &d = state->spec;
        d.eid = q.value(0).toString();
        d.imei = q.value(1).toString();
        d.manufacturer = q.value(2).toString();
        d.hwmodel = q.value(3).toString();
        d.hwversion = q.value(4).toString();
        d.swname = q.value(5).toString();
        d.swversion = q.value(6).toString();
        d.secureElement = store::secureElementFromName(q.value(7).toString()).value_or(store::SecureElementKind::IntegratedUicc);
        d.fault = faultFromName(q.value(8).toString()).value_or(Fault::None);
        d.faultOperator = q.value(9).toString();
        state->certDer = q.value(10).toByteArray();
        field->m_devices.insert(d.eid, std::move(state));
    }
    if (!q.exec(QStringLiteral("SELECT iccid, eid, state FROM field_profile ORDER BY rowid")))
        return fail(q.lastError().text());
    while (q.next()) {
        if (auto device = field->m_devices.value(q.value(1).toString()))
            device->profiles.append({ q.value(0).toString(), q.value(2).toString() });
    }
    q.finish();
    auto writer = store::StoreWriter::start(path);
    if (!writer)
        return writer.error();
    field->m_writer = std::move(writer).value();
    qCInfo(lcDevices) << "simulated field" << path << "with" << field->m_devices.size() << "devices";
    return field;
}

std::unique_ptr<DeviceLink> SimulatedField::linkTo(const QString &eid)
{
    return std::make_unique<SimulatedDeviceLink>(this, eid);
}

qsizetype SimulatedField::deviceCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_devices.size();
}

QList<crypto::Certificate> SimulatedField::manufacturerCertificates() const
{
    QMutexLocker lock(&m_mutex);
    QList<crypto::Certificate> out;
    for (const FieldManufacturer &m : m_manufacturers)
        out.append(m.eum.certificate);
    return out;
}

Result<crypto::RevocationList> SimulatedField::revocationList(const QString &manufacturer) const
{
    QList<crypto::RevokedCertificate> revoked;
    FieldManufacturer m;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_manufacturers.contains(manufacturer))
            return fail(QStringLiteral("no manufacturer %1 in the simulated field").arg(manufacturer));
        m = m_manufacturers.value(manufacturer);
        for (const auto &device : m_devices) {
            if (device->spec.manufacturer == manufacturer && device->spec.fault == Fault::Revoked)
                revoked.append({ certificateSerial(device->spec.eid), m_clock->now().addDays(-1) });
        }
    }
    const QDateTime now = m_clock->now();
    return crypto::RevocationList::issue(m.eum.certificate, m.eum.key, revoked, now.addSecs(-60), now.addDays(30));
}

Fault SimulatedField::faultOf(const QString &eid) const
{
    QMutexLocker lock(&m_mutex);
    const auto device = m_devices.value(eid);
    return device ? device->spec.fault : Fault::None;
}

Result<SimulatedField::DeviceState *> SimulatedField::ensureCertified(const QString &eid)
{
    std::shared_ptr<DeviceState> device;
    FieldManufacturer manufacturer;
    {
        QMutexLocker lock(&m_mutex);
        device = m_devices.value(eid);
        if (!device)
            return fail(QStringLiteral("no device %1 in the field").arg(eid));
        if (!device->key.isNull() && !device->certDer.isEmpty())
            return device.get();
        manufacturer = m_manufacturers.value(device->spec.manufacturer);
    }
    // The key is derived, never stored: the field's seed and the EID give it back after a restart.
    crypto::SecretBytes scalar(crypto::sha256(QByteArray(m_seed + QByteArrayLiteral(":device-key:") + eid.toLatin1())));
    auto key = crypto::EcPrivateKey::fromScalar(scalar);
    if (!key)
        return key.error();
    QByteArray certDer;
    {
        QMutexLocker lock(&m_mutex);
        certDer = device->certDer;
    }
    if (certDer.isEmpty()) {
        crypto::CertificateTemplate t;
        t.role = crypto::CertificateRole::Device;
        t.subject = { {}, manufacturer.eum.certificate.subject().organization, {}, {}, eid };
        t.subjectKey = key->publicKey();
        t.notBefore = manufacturer.eum.certificate.notBefore();
        t.notAfter = manufacturer.eum.certificate.notAfter();
        t.serialNumber = certificateSerial(eid);
        auto cert = crypto::issueCertificate(t, manufacturer.eum.certificate, manufacturer.eum.key);
        if (!cert)
            return cert.error();
        certDer = cert->toDer();
        // Written by the device alone, outside any backend transaction.
        m_writer->submit([eid, certDer](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("UPDATE field_device SET cert_der = ? WHERE eid = ?"));
            q.addBindValue(certDer);
            q.addBindValue(eid);
            if (!q.exec())
                return fail(q.lastError().text());
            return {};
        });
    }
    QMutexLocker lock(&m_mutex);
    if (device->certDer.isEmpty())
        device->certDer = certDer;
    if (device->key.isNull())
        device->key = key.value();
    return device.get();
}

Result<DeviceInfo> SimulatedField::answerInfo(const QString &eid)
{
    auto device = ensureCertified(eid);
    if (!device)
        return device.error();
    QMutexLocker lock(&m_mutex);
    const FieldDevice &d = device.value()->spec;
    DeviceInfo info;
    info.eid = d.eid;
    info.imei = d.imei;
    info.secureElement = d.secureElement;
    // An integrated UICC holds several profiles; a trusted environment hosts fewer.
    const qint64 capacity = d.secureElement == store::SecureElementKind::IntegratedUicc ? 512 * 1024 : 128 * 1024;
    info.freeMemoryBytes = capacity - 40 * 1024 * device.value()->profiles.size();
    info.certificateChain = { device.value()->certDer, m_manufacturers.value(d.manufacturer).eum.certificate.toDer() };
    return info;
}

Result<QByteArray> SimulatedField::answerEvidence(const QString &eid, const QByteArray &nonce)
{
    auto device = ensureCertified(eid);
    if (!device)
        return device.error();
    attestation::EatClaims claims;
    crypto::EcPrivateKey key;
    QList<QByteArray> chain;
    {
        QMutexLocker lock(&m_mutex);
        const FieldDevice &d = device.value()->spec;
        const FieldManufacturer &m = m_manufacturers[d.manufacturer];
        claims.nonce = nonce;
        claims.ueid = attestation::ueidForEid(d.eid);
        claims.oemid = m.oemid;
        claims.hwmodel = d.hwmodel;
        claims.hwversion = d.hwversion;
        claims.swname = d.swname;
        claims.swversion = d.swversion;
        claims.measurements = firmwareMeasurements(d.hwmodel, d.swversion);
        if (d.fault == Fault::TamperedFirmware)
            claims.measurements[0].digest = crypto::sha256(QByteArray(QByteArrayLiteral("patched bootloader ") + d.eid.toLatin1()));
        claims.debug = d.fault == Fault::DebugEnabled ? attestation::DebugStatus::Enabled
                                                      : attestation::DebugStatus::DisabledPermanently;
        claims.secureBoot = true;
        claims.tampered = false;
        claims.issuedAt = m_clock->now().addSecs(d.fault == Fault::ClockSkew ? m_timing.clockSkewSeconds : 0);
        key = device.value()->key;
        chain = { device.value()->certDer, m.eum.certificate.toDer() };
    }
    return attestation::signCoseSign1(attestation::encodeClaims(claims), chain, key);
}

Result<QList<InstalledProfile>> SimulatedField::answerListProfiles(const QString &eid)
{
    QMutexLocker lock(&m_mutex);
    const auto device = m_devices.value(eid);
    if (!device)
        return fail(QStringLiteral("no device %1 in the field").arg(eid));
    return device->profiles;
}

Result<void> SimulatedField::answerProfileChange(const QString &eid, const QString &iccid, const QString &operation)
{
    QMutexLocker lock(&m_mutex);
    const auto device = m_devices.value(eid);
    if (!device)
        return fail(QStringLiteral("no device %1 in the field").arg(eid));
    const auto it = std::find_if(device->profiles.begin(), device->profiles.end(),
                                 [&iccid](const InstalledProfile &p) { return p.iccid == iccid; });
    if (it == device->profiles.end())
        return fail(QStringLiteral("device %1 holds no profile %2").arg(eid, iccid));
    if (operation == u"enable" && device->spec.fault == Fault::RejectsEnable)
        return fail(QStringLiteral("device %1 refused to enable profile %2").arg(eid, iccid));
    if (operation == u"delete") {
        if (it->state == u"enabled")
            return fail(QStringLiteral("profile %1 is enabled; disable it before deleting it").arg(iccid));
        device->profiles.erase(it);
    } else if (operation == u"enable") {
        // One enabled profile at a time (SGP.22 section 3.2.1): enabling one disables the other.
        for (InstalledProfile &p : device->profiles)
            p.state = p.iccid == iccid ? QStringLiteral("enabled") : QStringLiteral("disabled");
    } else if (operation == u"disable") {
        it->state = QStringLiteral("disabled");
    } else {
        return fail(QStringLiteral("unknown profile operation %1").arg(operation));
    }
    const QList<InstalledProfile> profiles = device->profiles;
    m_writer->submit([eid, profiles](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM field_profile WHERE eid = ?"));
        q.addBindValue(eid);
        if (!q.exec())
            return fail(q.lastError().text());
        q.prepare(QStringLiteral("INSERT INTO field_profile (iccid, eid, state) VALUES (?, ?, ?)"));
        for (const InstalledProfile &p : profiles) {
            q.addBindValue(p.iccid);
            q.addBindValue(eid);
            q.addBindValue(p.state);
            if (!q.exec())
                return fail(q.lastError().text());
        }
        return {};
    });
    return {};
}

} // namespace simfleet::devices
