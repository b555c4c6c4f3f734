#include "simulatedfield.h"
#include "simulationlog.h"
#include "flashlog.h"
#include "simulateddevicelink.h"

#include "core/clock.h"
#include "crypto/chainverifier.h"
#include "crypto/sha256.h"
#include "store/databaseconnection.h"
#include "store/workspaceaddress.h"
#include "store/sqlhelpers.h"
#include "store/transaction.h"

#include <QFile>
#include <QThread>
#include <QThreadPool>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <cmath>

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
    return store::execute(q, sql, "writing the simulated field's file");
}

// The field file's own upgrades: version 1 lets the devices keep their profiles' network and
// credentials, and remember a crash; version 2 indexes profiles by device; version 3 keeps each
// profile's metadata and each device's pending notifications with their sequence numbers;
// version 4 each eUICC's eIM counters.
Result<void> migrateField(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return fail(q.lastError().text());
    const int version = q.value(0).toInt();
    if (version >= 4)
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
    if (version < 2) {
        if (auto ok = exec(q, QStringLiteral("CREATE INDEX IF NOT EXISTS field_profile_eid ON field_profile(eid)")); !ok)
            return ok;
    }
    if (version < 3) {
        for (const char *sql : { "ALTER TABLE field_profile ADD COLUMN metadata BLOB",
                                 "ALTER TABLE field_device ADD COLUMN last_notification INTEGER NOT NULL DEFAULT 0",
                                 "CREATE TABLE field_notification (eid TEXT NOT NULL REFERENCES field_device(eid),"
                                 " seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (eid, seq))" }) {
            if (auto ok = exec(q, QLatin1StringView(sql)); !ok)
                return ok;
        }
    }
    // Version 4: each eUICC's counter of the eUICC packages it accepted, per eIM (SGP.32).
    for (const char *sql : { "CREATE TABLE field_eim_counter (eid TEXT NOT NULL REFERENCES field_device(eid),"
                             " eim_id TEXT NOT NULL, counter INTEGER NOT NULL, PRIMARY KEY (eid, eim_id))",
                             "PRAGMA user_version = 4" }) {
        if (auto ok = exec(q, QLatin1StringView(sql)); !ok)
            return ok;
    }
    return tx.commit();
}

Result<void> insertManufacturer(QSqlDatabase &db, const FieldManufacturer &m)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO manufacturer (name, eid_prefix, oemid, cert_der, key_der) VALUES (?, ?, ?, ?, ?)"));
    const crypto::SecretBytes key = m.eum.key.toPkcs8();
    q.addBindValue(m.name);
    q.addBindValue(m.eidPrefix);
    q.addBindValue(m.oemid);
    q.addBindValue(m.eum.certificate.toDer());
    q.addBindValue(key.view().toByteArray());
    if (!q.exec())
        return fail(QStringLiteral("the simulated field's file: %1").arg(q.lastError().text()));
    return {};
}

Result<void> insertDevices(QSqlDatabase &db, const std::vector<FieldDevice> &devices)
{
    QSqlQuery q(db);
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
    return {};
}

} // namespace

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
    const QFileInfo info(store::localBasePath(workspacePath));
    return info.absolutePath() + u'/' + info.completeBaseName() + QStringLiteral(".field");
}

QString SimulatedField::flashLogPath(const QString &fieldPath)
{
    return fieldPath + QStringLiteral("-flash");
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
        for (const FieldManufacturer &m : manufacturers) {
            if (auto ok = insertManufacturer(db, m); !ok)
                return ok.error();
        }
        if (auto ok = insertDevices(db, devices); !ok)
            return ok.error();
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
    if (q.exec(QStringLiteral("SELECT value FROM field_setting WHERE key = 'certificate_issuer'")) && q.next()) {
        auto ci = crypto::Certificate::fromDer(q.value(0).toByteArray());
        if (!ci)
            return fail(QStringLiteral("the simulated field's certificate issuer is damaged"));
        field->m_issuerTrust = std::make_unique<crypto::ChainVerifier>();
        field->m_issuerTrust->addTrustAnchor(ci.value());
        field->m_certificateIssuer = ci.value();
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
        const QString name = m.name;
        field->m_manufacturers.insert(name, std::make_shared<const FieldManufacturer>(std::move(m)));
    }
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT eid, imei, manufacturer, hwmodel, hwversion, swname, swversion,"
                               " secure_element, fault, fault_operator, cert_der, last_notification FROM field_device")))
        return fail(q.lastError().text());
    QHash<QString, SimulatedDevice::Memory> memories;
    while (q.next()) {
        FieldDevice d;
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
        memories[d.eid].certDer = q.value(10).toByteArray();
        memories[d.eid].lastSequenceNumber = q.value(11).toLongLong();
        auto manufacturer = field->m_manufacturers.value(d.manufacturer);
        const QString eid = d.eid;
        field->m_devices.insert(eid, std::make_shared<SimulatedDevice>(std::move(d), std::move(manufacturer), field->m_seed,
                                                                       static_cast<DeviceSurroundings *>(field.get())));
    }
    if (!q.exec(QStringLiteral("SELECT iccid, eid, state, plmn, credentials, is_fallback, metadata FROM field_profile ORDER BY rowid")))
        return fail(q.lastError().text());
    while (q.next()) {
        const auto memory = memories.find(q.value(1).toString());
        if (memory == memories.end())
            continue;
        memory->profiles.append({ q.value(0).toString(), q.value(2).toString(), q.value(3).toString() });
        memory->credentials.insert(q.value(0).toString(), q.value(4).toByteArray());
        if (q.value(5).toBool())
            memory->fallbackIccid = q.value(0).toString();
        if (!q.value(6).toByteArray().isEmpty())
            memory->metadata.insert(q.value(0).toString(), q.value(6).toByteArray());
    }
    if (!q.exec(QStringLiteral("SELECT eid, data FROM field_notification ORDER BY eid, seq")))
        return fail(q.lastError().text());
    while (q.next()) {
        const auto memory = memories.find(q.value(0).toString());
        auto notification = SimulatedDevice::Memory::Notification::fromData(q.value(1).toByteArray());
        if (memory != memories.end() && notification)
            memory->notifications.append(std::move(*notification));
    }
    if (!q.exec(QStringLiteral("SELECT eid, eim_id, counter FROM field_eim_counter")))
        return fail(q.lastError().text());
    while (q.next()) {
        const auto memory = memories.find(q.value(0).toString());
        if (memory != memories.end())
            memory->eimCounters.insert(q.value(1).toString(), q.value(2).toLongLong());
    }
    if (q.exec(QStringLiteral("SELECT substr(key, 10) FROM field_setting WHERE key LIKE 'tampered:%'"))) {
        while (q.next()) {
            if (const auto tampered = field->m_devices.value(q.value(0).toString()))
                tampered->tripTamperSwitch();
        }
    }
    if (q.exec(QStringLiteral("SELECT substr(key, 10), value FROM field_setting WHERE key LIKE 'position:%'"))) {
        while (q.next()) {
            const QStringList where = q.value(1).toString().split(QLatin1Char(','));
            const auto placed = field->m_devices.value(q.value(0).toString());
            bool latOk = false, lonOk = false;
            const double latitude = where.value(0).toDouble(&latOk), longitude = where.value(1).toDouble(&lonOk);
            if (placed && where.size() == 2 && latOk && lonOk)
                placed->moveTo(latitude, longitude);
        }
    }
    if (q.exec(QStringLiteral("SELECT key, value FROM field_setting WHERE key IN ('eim_id', 'eim_public_key')"))) {
        QString eimId;
        QByteArray publicKey;
        while (q.next())
            (q.value(0).toString() == QLatin1StringView("eim_id") ? void(eimId = q.value(1).toString())
                                                                 : void(publicKey = q.value(1).toByteArray()));
        if (!eimId.isEmpty()) {
            auto key = crypto::EcPublicKey::fromSubjectPublicKeyInfo(publicKey);
            if (!key)
                return fail(QStringLiteral("the simulated field's eIM key is damaged: %1").arg(key.errorMessage()));
            field->m_eim = EimTrust { eimId, key.value() };
        }
    }
    if (!q.exec(QStringLiteral("SELECT eid FROM field_crash")))
        return fail(q.lastError().text());
    while (q.next()) {
        const auto memory = memories.find(q.value(0).toString());
        if (memory != memories.end())
            memory->crashedBefore = true;
    }
    for (auto it = memories.begin(); it != memories.end(); ++it)
        field->m_devices.value(it.key())->restore(std::move(it.value()));
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
        for (const FlashRecord &record : field->m_flash->recovered()) {
            if (SimulatedDevice *device = field->device(record.eid))
                device->replay(record);
        }
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
    if (!field && field.error().code != ErrorCode::FieldBusy)
        return failWith(field.error().code,
                        QStringLiteral("this workspace has no simulated field (%1); only simulated devices can be reached "
                                       "in this version")
                            .arg(field.errorMessage()));
    return field;
}

Result<void> SimulatedField::addDevices(const FieldManufacturer &manufacturer, const std::vector<FieldDevice> &devices)
{
    if (m_certificateIssuer.isNull() || !m_issuerTrust
        || !m_issuerTrust->verifyAt(manufacturer.eum.certificate, {}, m_clock->now()).ok())
        return fail(QStringLiteral("the simulated field %1 holds devices of another certificate issuer (%2); devices "
                                   "certified under %3 need a workspace of their own")
                        .arg(m_path, m_certificateIssuer.isNull() ? QStringLiteral("none recorded") : m_certificateIssuer.subjectText(),
                             manufacturer.eum.certificate.issuerText()));
    const auto known = m_manufacturers.value(manufacturer.name);
    if (known && !(known->eum.certificate == manufacturer.eum.certificate))
        return fail(QStringLiteral("the simulated field already has a manufacturer named %1 with another certificate")
                        .arg(manufacturer.name));
    for (const FieldDevice &d : devices) {
        if (m_devices.contains(d.eid))
            return fail(QStringLiteral("the simulated field already has a device %1").arg(d.eid));
    }
    auto connection = store::DatabaseConnection::open(m_path);
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value()->database();
    {
        store::Transaction tx(db);
        if (!known) {
            if (auto ok = insertManufacturer(db, manufacturer); !ok)
                return ok;
        }
        if (auto ok = insertDevices(db, devices); !ok)
            return ok;
        if (auto ok = tx.commit(); !ok)
            return ok;
    }
    std::shared_ptr<const FieldManufacturer> shared = known ? known : std::make_shared<const FieldManufacturer>(manufacturer);
    m_manufacturers.insert(manufacturer.name, shared);
    for (const FieldDevice &d : devices)
        m_devices.insert(d.eid, std::make_shared<SimulatedDevice>(d, shared, m_seed, static_cast<DeviceSurroundings *>(this)));
    return {};
}

std::unique_ptr<devices::DeviceLink> SimulatedField::linkTo(const QString &eid)
{
    return std::make_unique<SimulatedDeviceLink>(this, m_devices.value(eid), eid);
}

SimulatedDevice *SimulatedField::device(const QString &eid) const
{
    return m_devices.value(eid).get();
}

QList<crypto::Certificate> SimulatedField::manufacturerCertificates() const
{
    QList<crypto::Certificate> out;
    for (const auto &m : m_manufacturers)
        out.append(m->eum.certificate);
    return out;
}

Result<crypto::RevocationList> SimulatedField::revocationList(const QString &manufacturer) const
{
    const auto m = m_manufacturers.value(manufacturer);
    if (!m)
        return fail(QStringLiteral("no manufacturer %1 in the simulated field").arg(manufacturer));
    const QDateTime now = m_clock->now();
    QList<crypto::RevokedCertificate> revoked;
    for (const auto &device : m_devices) {
        if (device->spec().manufacturer == manufacturer && device->spec().fault == Fault::Revoked)
            revoked.append({ SimulatedDevice::certificateSerial(device->spec().eid), now.addDays(-1) });
    }
    return crypto::RevocationList::issue(m->eum.certificate, m->eum.key, revoked, now.addSecs(-60), now.addDays(30));
}

Fault SimulatedField::faultOf(const QString &eid) const
{
    const SimulatedDevice *d = device(eid);
    return d ? d->spec().fault : Fault::None;
}

QDateTime SimulatedField::now() const
{
    return m_clock->now();
}

void SimulatedField::alsoVerifyWith(const crypto::Certificate &certificateIssuer)
{
    if (!m_issuerTrust)
        m_issuerTrust = std::make_unique<crypto::ChainVerifier>();
    m_issuerTrust->addTrustAnchor(certificateIssuer);
}

const crypto::ChainVerifier *SimulatedField::issuerTrust() const
{
    return m_issuerTrust.get();
}

Result<void> SimulatedField::commit(const FlashRecord &record)
{
    // The device's state reaches its own flash before it answers (a secure element commits
    // before it responds), and never inside a backend transaction.
    return m_flash->append(record);
}

Result<void> SimulatedField::takeInFlashLog(QSqlDatabase &db)
{
    const QSet<QString> written = m_flash->devicesWritten();
    store::Transaction tx(db);
    QSqlQuery clear(db), insert(db), certified(db), crashed(db), taken(db), clearNotifications(db), notified(db), counted(db),
        eimCounted(db);
    eimCounted.prepare(QStringLiteral("INSERT OR REPLACE INTO field_eim_counter (eid, eim_id, counter) VALUES (?, ?, ?)"));
    clear.prepare(QStringLiteral("DELETE FROM field_profile WHERE eid = ?"));
    insert.prepare(QStringLiteral("INSERT INTO field_profile (iccid, eid, state, plmn, credentials, is_fallback, metadata)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?)"));
    clearNotifications.prepare(QStringLiteral("DELETE FROM field_notification WHERE eid = ?"));
    notified.prepare(QStringLiteral("INSERT INTO field_notification (eid, seq, data) VALUES (?, ?, ?)"));
    counted.prepare(QStringLiteral("UPDATE field_device SET last_notification = ? WHERE eid = ?"));
    certified.prepare(QStringLiteral("UPDATE field_device SET cert_der = ? WHERE eid = ?"));
    crashed.prepare(QStringLiteral("INSERT OR IGNORE INTO field_crash (eid) VALUES (?)"));
    const auto failed = [](const QSqlQuery &q) {
        return fail(QStringLiteral("the simulated field's file: %1").arg(q.lastError().text()));
    };
    for (const QString &eid : written) {
        const SimulatedDevice *device = this->device(eid);
        if (!device)
            continue;
        const SimulatedDevice::Memory memory = device->memory();
        clear.addBindValue(eid);
        if (!clear.exec())
            return failed(clear);
        for (const devices::InstalledProfile &p : memory.profiles) {
            insert.addBindValue(p.iccid);
            insert.addBindValue(eid);
            insert.addBindValue(p.state);
            insert.addBindValue(p.plmn);
            insert.addBindValue(memory.credentials.value(p.iccid));
            insert.addBindValue(p.iccid == memory.fallbackIccid);
            insert.addBindValue(memory.metadata.value(p.iccid));
            if (!insert.exec())
                return failed(insert);
        }
        clearNotifications.addBindValue(eid);
        if (!clearNotifications.exec())
            return failed(clearNotifications);
        for (const SimulatedDevice::Memory::Notification &n : memory.notifications) {
            notified.addBindValue(eid);
            notified.addBindValue(n.metadata.sequenceNumber);
            notified.addBindValue(n.data);
            if (!notified.exec())
                return failed(notified);
        }
        counted.addBindValue(memory.lastSequenceNumber);
        counted.addBindValue(eid);
        if (!counted.exec())
            return failed(counted);
        if (!memory.certDer.isEmpty()) {
            certified.addBindValue(memory.certDer);
            certified.addBindValue(eid);
            if (!certified.exec())
                return failed(certified);
        }
        for (auto counter = memory.eimCounters.cbegin(); counter != memory.eimCounters.cend(); ++counter) {
            eimCounted.addBindValue(eid);
            eimCounted.addBindValue(counter.key());
            eimCounted.addBindValue(counter.value());
            if (!eimCounted.exec())
                return failed(eimCounted);
        }
        if (memory.crashedBefore) {
            crashed.addBindValue(eid);
            if (!crashed.exec())
                return failed(crashed);
        }
    }
    taken.prepare(QStringLiteral("INSERT OR REPLACE INTO field_setting (key, value) VALUES ('flash_taken_in', ?)"));
    taken.addBindValue(m_flash->generation());
    if (!taken.exec())
        return failed(taken);
    if (auto ok = tx.commit(); !ok)
        return ok;
    // Killed here, the next open finds the log's generation taken in and only starts it afresh.
    return m_flash->restart();
}

Result<void> SimulatedField::writeSettings(const QList<std::pair<QString, QVariant>> &settings)
{
    auto connection = store::DatabaseConnection::open(m_path);
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value()->database();
    store::Transaction tx(db);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO field_setting (key, value) VALUES (?, ?)"));
    for (const auto &[key, value] : settings) {
        q.bindValue(0, key);
        q.bindValue(1, value);
        if (!q.exec())
            return fail(QStringLiteral("the simulated field's file: %1").arg(q.lastError().text()));
    }
    return tx.commit();
}

Result<void> SimulatedField::tamperWith(const QString &eid)
{
    SimulatedDevice *target = device(eid);
    if (!target)
        return fail(QStringLiteral("the simulated field has no device %1").arg(eid));
    if (auto ok = writeSettings({ { QStringLiteral("tampered:") + eid, QStringLiteral("1") } }); !ok)
        return ok;
    target->tripTamperSwitch();
    return {};
}

Result<void> SimulatedField::place(const QList<Placement> &placements)
{
    QList<std::pair<QString, QVariant>> settings;
    for (const Placement &p : placements) {
        if (!device(p.eid))
            return fail(QStringLiteral("the simulated field has no device %1").arg(p.eid));
        if (!std::isfinite(p.latitude) || !std::isfinite(p.longitude) || std::abs(p.latitude) > 90.0
            || std::abs(p.longitude) > 180.0)
            return fail(QStringLiteral("latitude %1, longitude %2 of device %3 is not on the globe")
                            .arg(p.latitude).arg(p.longitude).arg(p.eid));
        settings.append({ QStringLiteral("position:") + p.eid,
                          QStringLiteral("%1,%2").arg(p.latitude, 0, 'f', 6).arg(p.longitude, 0, 'f', 6) });
    }
    if (auto ok = writeSettings(settings); !ok)
        return ok;
    for (const Placement &p : placements)
        device(p.eid)->moveTo(p.latitude, p.longitude);
    return {};
}

Result<void> SimulatedField::associateEim(const QString &eimId, const QByteArray &publicKey)
{
    auto key = crypto::EcPublicKey::fromSubjectPublicKeyInfo(publicKey);
    if (!key)
        return fail(QStringLiteral("the eIM's public key is not a P-256 SubjectPublicKeyInfo: %1").arg(key.errorMessage()));
    if (eimId.isEmpty())
        return fail(QStringLiteral("an eIM needs an identifier (eimId)"));
    if (auto ok = writeSettings({ { QStringLiteral("eim_id"), eimId }, { QStringLiteral("eim_public_key"), publicKey } }); !ok)
        return ok;
    m_eim = EimTrust { eimId, key.value() };
    return {};
}

const EimTrust *SimulatedField::eimTrust(const QString &eimId) const
{
    return m_eim && m_eim->eimId == eimId ? &*m_eim : nullptr;
}

QStringList SimulatedField::eids() const
{
    QStringList out = m_devices.keys();
    out.sort();
    return out;
}

} // namespace simfleet::simulation
