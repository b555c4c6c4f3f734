#include "simulatedfield.h"
#include "simulationlog.h"
#include "flashlog.h"
#include "simulateddevicelink.h"

#include "core/clock.h"
#include "crypto/aes.h"
#include "crypto/constanttime.h"
#include "crypto/milenage.h"
#include "simulation/euiccsession.h"
#include "crypto/certificate.h"
#include "crypto/eckey.h"
#include "crypto/sha256.h"
#include "store/databaseconnection.h"
#include "store/transaction.h"

#include <QFile>
#include <QThread>
#include <QThreadPool>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::simulation {

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

// The field file's own upgrades: version 1 lets the devices keep their profiles' network and
// credentials, and remember a crash; version 2 indexes profiles by device.
Result<void> migrateField(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return fail(q.lastError().text());
    const int version = q.value(0).toInt();
    if (version >= 2)
        return {};
    store::Transaction tx(db);
    if (version < 1) {
        for (const char *sql : { "ALTER TABLE field_profile ADD COLUMN plmn TEXT NOT NULL DEFAULT ''",
                                 "ALTER TABLE field_profile ADD COLUMN credentials BLOB",
                                 "ALTER TABLE field_profile ADD COLUMN is_fallback INTEGER NOT NULL DEFAULT 0",
                                 "CREATE TABLE field_crash (eid TEXT PRIMARY KEY NOT NULL)" }) {
            if (auto ok = exec(q, QLatin1StringView(sql)); !ok)
                return ok;
        }
    }
    // Version 2: a device rewrites its own profiles, found by EID.
    for (const char *sql : { "CREATE INDEX IF NOT EXISTS field_profile_eid ON field_profile(eid)", "PRAGMA user_version = 2" }) {
        if (auto ok = exec(q, QLatin1StringView(sql)); !ok)
            return ok;
    }
    return tx.commit();
}

} // namespace

struct SimulatedField::DeviceState
{
    FieldDevice spec;
    QByteArray certDer;
    crypto::EcPrivateKey key;
    QList<devices::InstalledProfile> profiles;
    QHash<QString, QByteArray> credentials; // per ICCID, sealed under the secure element's storage key
    QString fallbackIccid;                  // the profile enabled before the last enable
    bool crashedBefore = false;             // CrashesMidDownload: it fails once, then works
    // One download at a time per device; the session lives only in memory, as a secure
    // element's volatile state does, so a restart abandons it.
    QMutex sessionMutex;
    std::unique_ptr<simulation::EuiccSession> session;
};

SimulatedField::SimulatedField(QString path, QByteArray seed, const Clock *clock)
    : m_path(std::move(path)),
      m_seed(std::move(seed)),
      m_clock(clock ? clock : &SystemClock::instance()),
      m_threads(std::make_unique<QThreadPool>())
{
    m_threads->setMaxThreadCount(std::max(64, QThread::idealThreadCount() * 16));
}

SimulatedField::~SimulatedField()
{
    // Every device finishes its answer and the threads end before the field's state goes away
    // (ending them also releases OpenSSL's per-thread state).
    m_threads->waitForDone();
    m_threads.reset();
    if (!m_flash || m_flash->devicesWritten().isEmpty())
        return;
    // The database takes in what the devices wrote; should this fail, the log keeps it and the
    // next open takes it in.
    auto connection = store::DatabaseConnection::open(m_path);
    if (!connection) {
        qCWarning(lcSimulation) << "the simulated field" << m_path << "keeps its flash log:" << connection.errorMessage();
        return;
    }
    QSqlDatabase db = connection.value()->database();
    if (auto ok = takeInFlashLog(db); !ok)
        qCWarning(lcSimulation) << "the simulated field" << m_path << "keeps its flash log:" << ok.errorMessage();
}

devices::DeviceLinksOpener SimulatedField::opener()
{
    return [](const QString &workspacePath) -> Result<std::unique_ptr<devices::DeviceLinkProvider>> {
        auto field = openForWorkspace(workspacePath);
        if (!field)
            return field.error();
        return std::unique_ptr<devices::DeviceLinkProvider>(std::move(field.value()));
    };
}

QString SimulatedField::pathForWorkspace(const QString &workspacePath)
{
    const QFileInfo info(workspacePath);
    return info.absolutePath() + u'/' + info.completeBaseName() + QStringLiteral(".field");
}

QString SimulatedField::flashLogPath(const QString &fieldPath)
{
    return fieldPath + QStringLiteral("-flash");
}

QList<protocol::Measurement> SimulatedField::firmwareMeasurements(const QString &hwmodel, const QString &swversion)
{
    QList<protocol::Measurement> out;
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
                                                               const crypto::Certificate &certificateIssuer,
                                                               const QList<FieldManufacturer> &manufacturers,
                                                               const std::vector<FieldDevice> &devices,
                                                               const Clock *clock)
{
    if (QFileInfo::exists(path))
        return fail(QStringLiteral("%1 already exists; a simulated field is created once").arg(path));
    QFile::remove(flashLogPath(path)); // a field deleted without its log left it behind
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
        q.prepare(QStringLiteral("INSERT INTO field_setting (key, value) VALUES ('certificate_issuer', ?)"));
        q.addBindValue(certificateIssuer.toDer());
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
    if (auto migrated = migrateField(db); !migrated)
        return migrated.error();
    field->m_issuerTrust = std::make_unique<crypto::ChainVerifier>();
    if (q.exec(QStringLiteral("SELECT value FROM field_setting WHERE key = 'certificate_issuer'")) && q.next()) {
        auto ci = crypto::Certificate::fromDer(q.value(0).toByteArray());
        if (!ci)
            return fail(QStringLiteral("the simulated field's certificate issuer is damaged"));
        field->m_certificateIssuer = ci.value();
        field->m_issuerTrust->addTrustAnchor(ci.value());
    }

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
    if (!q.exec(QStringLiteral("SELECT iccid, eid, state, plmn, credentials, is_fallback FROM field_profile ORDER BY rowid")))
        return fail(q.lastError().text());
    while (q.next()) {
        if (auto device = field->m_devices.value(q.value(1).toString())) {
            device->profiles.append({ q.value(0).toString(), q.value(2).toString(), q.value(3).toString() });
            device->credentials.insert(q.value(0).toString(), q.value(4).toByteArray());
            if (q.value(5).toBool())
                device->fallbackIccid = q.value(0).toString();
        }
    }
    if (!q.exec(QStringLiteral("SELECT eid FROM field_crash")))
        return fail(q.lastError().text());
    while (q.next()) {
        if (auto device = field->m_devices.value(q.value(0).toString()))
            device->crashedBefore = true;
    }
    QByteArray takenIn;
    if (q.exec(QStringLiteral("SELECT value FROM field_setting WHERE key = 'flash_taken_in'")) && q.next())
        takenIn = q.value(0).toByteArray();
    q.finish();

    // What the devices wrote since the database last took their flash in.
    auto flash = FlashLog::open(flashLogPath(path), crypto::sha256(field->m_seed).first(8));
    if (!flash)
        return flash.error();
    field->m_flash = std::move(flash).value();
    if (field->m_flash->generation() != takenIn) {
        for (const FlashRecord &record : field->m_flash->recovered())
            field->replay(record);
    }
    if (!field->m_flash->devicesWritten().isEmpty() || field->m_flash->generation() == takenIn) {
        if (auto ok = field->takeInFlashLog(db); !ok)
            return ok.error();
    }
    qCInfo(lcSimulation) << "simulated field" << path << "with" << field->m_devices.size() << "devices";
    return field;
}

Result<std::unique_ptr<SimulatedField>> SimulatedField::openForWorkspace(const QString &workspacePath, const Clock *clock)
{
    auto field = open(pathForWorkspace(workspacePath), clock);
    if (!field && field.error().code != u"field-busy")
        return failWith(field.error().code,
                        QStringLiteral("this workspace has no simulated field (%1); only simulated devices can be reached "
                                       "in this version")
                            .arg(field.errorMessage()));
    return field;
}

std::unique_ptr<devices::DeviceLink> SimulatedField::linkTo(const QString &eid)
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
    // Asked before every call to a device. The devices and their faults are fixed once the
    // field is open, so reading them takes no lock.
    const auto device = m_devices.constFind(eid);
    return device != m_devices.cend() ? device.value()->spec.fault : Fault::None;
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
        FlashRecord certified;
        certified.kind = FlashRecord::Kind::Certified;
        certified.eid = eid;
        certified.data = certDer;
        if (auto ok = commit(certified); !ok)
            return ok.error();
    }
    QMutexLocker lock(&m_mutex);
    if (device->certDer.isEmpty())
        device->certDer = certDer;
    if (device->key.isNull())
        device->key = key.value();
    return device.get();
}

Result<devices::DeviceInfo> SimulatedField::answerInfo(const QString &eid)
{
    auto device = ensureCertified(eid);
    if (!device)
        return device.error();
    QMutexLocker lock(&m_mutex);
    const FieldDevice &d = device.value()->spec;
    devices::DeviceInfo info;
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
    protocol::EatClaims claims;
    crypto::EcPrivateKey key;
    QList<QByteArray> chain;
    {
        QMutexLocker lock(&m_mutex);
        const FieldDevice &d = device.value()->spec;
        const FieldManufacturer &m = m_manufacturers[d.manufacturer];
        claims.nonce = nonce;
        claims.ueid = protocol::ueidForEid(d.eid);
        claims.oemid = m.oemid;
        claims.hwmodel = d.hwmodel;
        claims.hwversion = d.hwversion;
        claims.swname = d.swname;
        claims.swversion = d.swversion;
        claims.measurements = firmwareMeasurements(d.hwmodel, d.swversion);
        if (d.fault == Fault::TamperedFirmware)
            claims.measurements[0].digest = crypto::sha256(QByteArray(QByteArrayLiteral("patched bootloader ") + d.eid.toLatin1()));
        claims.debug = d.fault == Fault::DebugEnabled ? protocol::DebugStatus::Enabled
                                                      : protocol::DebugStatus::DisabledPermanently;
        claims.secureBoot = true;
        claims.tampered = false;
        claims.issuedAt = m_clock->now().addSecs(d.fault == Fault::ClockSkew ? m_timing.clockSkewSeconds : 0);
        key = device.value()->key;
        chain = { device.value()->certDer, m.eum.certificate.toDer() };
    }
    return protocol::signCoseSign1(protocol::encodeClaims(claims), chain, key);
}

Result<QList<devices::InstalledProfile>> SimulatedField::answerListProfiles(const QString &eid)
{
    QMutexLocker lock(&m_mutex);
    const auto device = m_devices.value(eid);
    if (!device)
        return fail(QStringLiteral("no device %1 in the field").arg(eid));
    return device->profiles;
}

Result<void> SimulatedField::commit(const FlashRecord &record)
{
    // The device's state reaches its own flash before it answers (a secure element commits
    // before it responds), and never inside a backend transaction.
    return m_flash->append(record);
}

void SimulatedField::replay(const FlashRecord &record)
{
    const auto device = m_devices.value(record.eid);
    if (!device)
        return;
    const auto profile = std::find_if(device->profiles.begin(), device->profiles.end(),
                                      [&record](const devices::InstalledProfile &p) { return p.iccid == record.iccid; });
    switch (record.kind) {
    case FlashRecord::Kind::Certified:
        device->certDer = record.data;
        break;
    case FlashRecord::Kind::Installed:
        if (profile == device->profiles.end())
            device->profiles.append({ record.iccid, QStringLiteral("disabled"), record.plmn });
        device->credentials.insert(record.iccid, record.data);
        break;
    case FlashRecord::Kind::Enabled:
        for (devices::InstalledProfile &p : device->profiles)
            p.state = p.iccid == record.iccid ? QStringLiteral("enabled") : QStringLiteral("disabled");
        device->fallbackIccid = record.fallback;
        break;
    case FlashRecord::Kind::Disabled:
        if (profile != device->profiles.end())
            profile->state = QStringLiteral("disabled");
        break;
    case FlashRecord::Kind::Deleted:
        if (profile != device->profiles.end())
            device->profiles.erase(profile);
        device->credentials.remove(record.iccid);
        if (device->fallbackIccid == record.iccid)
            device->fallbackIccid.clear();
        break;
    case FlashRecord::Kind::Crashed:
        device->crashedBefore = true;
        break;
    }
}

Result<void> SimulatedField::takeInFlashLog(QSqlDatabase &db)
{
    const QSet<QString> written = m_flash->devicesWritten();
    store::Transaction tx(db);
    QSqlQuery clear(db), insert(db), certified(db), crashed(db), taken(db);
    clear.prepare(QStringLiteral("DELETE FROM field_profile WHERE eid = ?"));
    insert.prepare(QStringLiteral("INSERT INTO field_profile (iccid, eid, state, plmn, credentials, is_fallback)"
                                  " VALUES (?, ?, ?, ?, ?, ?)"));
    certified.prepare(QStringLiteral("UPDATE field_device SET cert_der = ? WHERE eid = ?"));
    crashed.prepare(QStringLiteral("INSERT OR IGNORE INTO field_crash (eid) VALUES (?)"));
    const auto failed = [](const QSqlQuery &q) {
        return fail(QStringLiteral("the simulated field's file: %1").arg(q.lastError().text()));
    };
    QMutexLocker lock(&m_mutex);
    for (const QString &eid : written) {
        const auto device = m_devices.value(eid);
        if (!device)
            continue;
        clear.addBindValue(eid);
        if (!clear.exec())
            return failed(clear);
        for (const devices::InstalledProfile &p : device->profiles) {
            insert.addBindValue(p.iccid);
            insert.addBindValue(eid);
            insert.addBindValue(p.state);
            insert.addBindValue(p.plmn);
            insert.addBindValue(device->credentials.value(p.iccid));
            insert.addBindValue(p.iccid == device->fallbackIccid);
            if (!insert.exec())
                return failed(insert);
        }
        if (!device->certDer.isEmpty()) {
            certified.addBindValue(device->certDer);
            certified.addBindValue(eid);
            if (!certified.exec())
                return failed(certified);
        }
        if (device->crashedBefore) {
            crashed.addBindValue(eid);
            if (!crashed.exec())
                return failed(crashed);
        }
    }
    lock.unlock();
    taken.prepare(QStringLiteral("INSERT OR REPLACE INTO field_setting (key, value) VALUES ('flash_taken_in', ?)"));
    taken.addBindValue(m_flash->generation());
    if (!taken.exec())
        return failed(taken);
    if (auto ok = tx.commit(); !ok)
        return ok;
    // Killed here, the next open finds the log's generation taken in and only starts it afresh.
    return m_flash->restart();
}

Result<void> SimulatedField::answerProfileChange(const QString &eid, const QString &iccid, const QString &operation)
{
    auto changed = changeProfile(eid, iccid, operation);
    if (!changed)
        return changed.error();
    auto &[device, before] = changed.value();
    if (!device)
        return {}; // nothing to change
    FlashRecord record;
    record.eid = eid;
    record.iccid = iccid;
    if (operation == u"delete") {
        record.kind = FlashRecord::Kind::Deleted;
    } else if (operation == u"disable") {
        record.kind = FlashRecord::Kind::Disabled;
    } else {
        record.kind = FlashRecord::Kind::Enabled;
        record.fallback = before.fallbackAfter;
    }
    const Result<void> stored = commit(record);
    if (!stored) {
        // What the device could not commit did not happen.
        QMutexLocker lock(&m_mutex);
        device->profiles = before.profiles;
        device->credentials = before.credentials;
        device->fallbackIccid = before.fallback;
    }
    return stored;
}

Result<std::pair<std::shared_ptr<SimulatedField::DeviceState>, SimulatedField::ProfileSnapshot>>
SimulatedField::changeProfile(const QString &eid, const QString &iccid, const QString &operation)
{
    ProfileSnapshot before;
    std::shared_ptr<DeviceState> device;
    {
        QMutexLocker lock(&m_mutex);
        device = m_devices.value(eid);
        if (!device)
            return fail(QStringLiteral("no device %1 in the field").arg(eid));
        before.profiles = device->profiles;
        before.credentials = device->credentials;
        before.fallback = device->fallbackIccid;
        const auto it = std::find_if(device->profiles.begin(), device->profiles.end(),
                                     [&iccid](const devices::InstalledProfile &p) { return p.iccid == iccid; });
        if (it == device->profiles.end())
            return failWith(QStringLiteral("no-such-profile"), QStringLiteral("device %1 holds no profile %2").arg(eid, iccid));
        if (operation == u"enable" && device->spec.fault == Fault::RejectsEnable)
            return failWith(QStringLiteral("enable-rejected"), QStringLiteral("device %1 refused to enable profile %2").arg(eid, iccid));
        if (operation == u"delete") {
            if (it->state == u"enabled")
                return failWith(QStringLiteral("profile-enabled"),
                                QStringLiteral("profile %1 is enabled; disable it before deleting it").arg(iccid));
            device->credentials.remove(iccid);
            if (device->fallbackIccid == iccid)
                device->fallbackIccid.clear();
            device->profiles.erase(it);
        } else if (operation == u"enable") {
            if (it->state == u"enabled")
                return std::pair { std::shared_ptr<DeviceState>(), before }; // already so: enabling is idempotent
            // One enabled profile at a time (SGP.22 section 3.2.1): enabling one disables the
            // other, which stays as the fallback until the new one has attached.
            for (devices::InstalledProfile &p : device->profiles) {
                if (p.state == u"enabled")
                    device->fallbackIccid = p.iccid;
                p.state = p.iccid == iccid ? QStringLiteral("enabled") : QStringLiteral("disabled");
            }
            before.fallbackAfter = device->fallbackIccid;
        } else if (operation == u"disable") {
            it->state = QStringLiteral("disabled");
        } else {
            return fail(QStringLiteral("unknown profile operation %1").arg(operation));
        }
    }
    return std::pair { device, before };
}

crypto::SecretBytes SimulatedField::storageKey(const QString &eid) const
{
    return crypto::SecretBytes(crypto::sha256(QByteArray(m_seed + QByteArrayLiteral(":se-storage:") + eid.toLatin1())));
}

Result<QByteArray> SimulatedField::answerChallenge(const QString &eid)
{
    auto device = ensureCertified(eid);
    if (!device)
        return device.error();
    DeviceState *d = device.value();
    QMutexLocker session(&d->sessionMutex);
    if (!d->session) {
        QMutexLocker lock(&m_mutex);
        d->session = std::make_unique<simulation::EuiccSession>(simulation::EuiccSession::Identity {
            eid, d->key, { d->certDer, m_manufacturers.value(d->spec.manufacturer).eum.certificate.toDer() } });
    }
    return d->session->challenge();
}

Result<protocol::DeviceAuthentication> SimulatedField::answerAuthenticateServer(const QString &eid,
                                                                                const protocol::ServerAuthentication &request)
{
    auto device = ensureCertified(eid);
    if (!device)
        return device.error();
    if (m_certificateIssuer.isNull())
        return failWith(QStringLiteral("server-not-authenticated"),
                        QStringLiteral("this simulated field was made before devices carried their certificate issuer; "
                                       "create the demo workspace again"));
    DeviceState *d = device.value();
    QMutexLocker session(&d->sessionMutex);
    if (!d->session)
        return failWith(QStringLiteral("server-not-authenticated"), QStringLiteral("the device issued no challenge"));
    const qint64 skew = d->spec.fault == Fault::ClockSkew ? m_timing.clockSkewSeconds : 0;
    return d->session->authenticateServer(request, *m_issuerTrust, m_clock->now().addSecs(skew));
}

Result<QString> SimulatedField::answerLoadBoundPackage(const QString &eid, const QList<QByteArray> &segments)
{
    auto device = ensureCertified(eid);
    if (!device)
        return device.error();
    DeviceState *d = device.value();
    QMutexLocker session(&d->sessionMutex);
    if (!d->session)
        return failWith(QStringLiteral("package-rejected"), QStringLiteral("no download session is open on the device"));
    bool crashNow = false;
    {
        QMutexLocker lock(&m_mutex);
        crashNow = d->spec.fault == Fault::CrashesMidDownload && !d->crashedBefore;
        if (crashNow)
            d->crashedBefore = true;
    }
    if (crashNow) {
        // Remembered in the device's own file, so the retry after a restart succeeds.
        FlashRecord crashed;
        crashed.kind = FlashRecord::Kind::Crashed;
        crashed.eid = eid;
        if (auto ok = commit(crashed); !ok)
            return ok.error();
    }
    auto loaded = d->session->load(segments, [crashNow](int segment) { return crashNow && segment == 2; });
    d->session.reset(); // a load ends the session, whatever its outcome; the next download starts afresh
    if (!loaded)
        return loaded.error();
    const LoadedProfile &profile = loaded.value();

    // Seal the credentials under the secure element's storage key, bound to device and ICCID.
    const crypto::SecretBytes key = storageKey(eid);
    QByteArray both = profile.content.ki.view().toByteArray() + profile.content.opc.view().toByteArray();
    auto sealed = crypto::aesGcmSeal(key.view(), both, (eid + u':' + profile.metadata.iccid).toLatin1());
    crypto::wipeBytes(both);
    if (!sealed)
        return sealed.error();

    {
        QMutexLocker lock(&m_mutex);
        for (const devices::InstalledProfile &p : d->profiles) {
            if (p.iccid == profile.metadata.iccid)
                return failWith(QStringLiteral("already-installed"),
                                QStringLiteral("profile %1 is already installed on %2").arg(p.iccid, eid));
        }
        const qint64 capacity = d->spec.secureElement == store::SecureElementKind::IntegratedUicc ? 8 : 2;
        if (d->profiles.size() >= capacity)
            return failWith(QStringLiteral("no-memory"),
                            QStringLiteral("the secure element of %1 has no room for another profile; delete one first").arg(eid));
        d->profiles.append({ profile.metadata.iccid, QStringLiteral("disabled"), profile.metadata.plmn });
        d->credentials.insert(profile.metadata.iccid, sealed.value());
    }
    FlashRecord installed;
    installed.kind = FlashRecord::Kind::Installed;
    installed.eid = eid;
    installed.iccid = profile.metadata.iccid;
    installed.plmn = profile.metadata.plmn;
    installed.data = sealed.value();
    if (auto ok = commit(installed); !ok) {
        QMutexLocker lock(&m_mutex); // not committed, not installed
        d->profiles.removeIf([&](const devices::InstalledProfile &p) { return p.iccid == profile.metadata.iccid; });
        d->credentials.remove(profile.metadata.iccid);
        return ok.error();
    }
    return profile.metadata.iccid;
}

Result<devices::AttachReport> SimulatedField::answerAttach(const QString &eid, const QByteArray &rand, const QByteArray &autn)
{
    devices::InstalledProfile enabled;
    QByteArray sealed;
    QString fallback;
    bool noCoverage = false;
    {
        QMutexLocker lock(&m_mutex);
        const auto device = m_devices.value(eid);
        if (!device)
            return fail(QStringLiteral("no device %1 in the field").arg(eid));
        for (const devices::InstalledProfile &p : device->profiles) {
            if (p.state == u"enabled")
                enabled = p;
        }
        if (enabled.iccid.isEmpty())
            return failWith(QStringLiteral("no-enabled-profile"), QStringLiteral("device %1 has no enabled profile").arg(eid));
        sealed = device->credentials.value(enabled.iccid);
        fallback = device->fallbackIccid;
        noCoverage = device->spec.fault == Fault::NoCoverage && device->spec.faultOperator == enabled.plmn;
    }
    if (noCoverage) {
        // No network of this operator here: the device goes back to the profile it ran before.
        if (fallback.isEmpty())
            return failWith(QStringLiteral("no-coverage"),
                            QStringLiteral("device %1 finds no network %2 and has no profile to fall back to").arg(eid, enabled.plmn));
        if (auto ok = answerProfileChange(eid, fallback, QStringLiteral("enable")); !ok)
            return ok.error();
        return devices::AttachReport { fallback, {}, true,
                              QStringLiteral("no coverage of network %1 here; fell back to profile %2").arg(enabled.plmn, fallback) };
    }
    // AKA on the USIM (3GPP TS 33.102 section 6.3.3): recover SQN with AK, check MAC-A, answer RES.
    auto opened = crypto::aesGcmOpen(storageKey(eid).view(), sealed, (eid + u':' + enabled.iccid).toLatin1());
    if (!opened || opened->size() != 32)
        return failWith(QStringLiteral("attach-failed"), QStringLiteral("the profile's credentials on %1 are unreadable").arg(eid));
    auto milenage = crypto::Milenage::withOpc(crypto::SecretBytes(opened->view().first(16)), crypto::SecretBytes(opened->view().sliced(16)));
    if (!milenage || autn.size() != 16 || rand.size() != 16)
        return failWith(QStringLiteral("attach-failed"), QStringLiteral("the network's challenge is malformed"));
    const QByteArray amf = autn.sliced(6, 2);
    auto first = milenage->compute(rand, QByteArray(6, 0), amf);
    if (!first)
        return first.error();
    QByteArray sqn(6, 0);
    for (int i = 0; i < 6; ++i)
        sqn[i] = char(autn[i] ^ first->ak[i]);
    auto vector = milenage->compute(rand, sqn, amf);
    if (!vector)
        return vector.error();
    if (!crypto::equalConstantTime(vector->macA, autn.sliced(8, 8)))
        return failWith(QStringLiteral("attach-failed"),
                        QStringLiteral("the network failed authentication (MAC mismatch): the profile's credentials differ"));
    // Attached: the fallback is no longer needed as such.
    return devices::AttachReport { enabled.iccid, vector->res, false, QStringLiteral("attached to network %1").arg(enabled.plmn) };
}

} // namespace simfleet::simulation
