#include "demoworkspace.h"

#include "access/accessservice.h"
#include "access/workspaceupgrade.h"
#include "simulationlog.h"

#include "core/clock.h"
#include "demostories.h"
#include "crypto/demopki.h"
#include "crypto/random.h"
#include "identity/eid.h"
#include "identity/imei.h"
#include "eim/eimidentity.h"
#include "store/auditauthor.h"
#include "store/auditlog.h"
#include "store/certificaterepository.h"
#include "store/customerrepository.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "store/workspaceaddress.h"
#include "store/referencevaluerepository.h"
#include "simulation/simulatedfield.h"
#include "crypto/sha256.h"

#include <QFile>

#include <tuple>
#include <vector>
#include <QHash>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

namespace simfleet::simulation {

namespace {

using store::CertificateRoleName;

struct DemoOperator
{
    const char *name;
    const char *country;
    const char *mcc;
    const char *mnc;
    const char *iccidPrefix; // 89 + ITU-T E.164 country code + issuer
};

// Test numbering (ITU-T E.212: MCC 001 is for test networks, 999 for internal use), so the
// demo can never collide with a live network's subscribers.
const DemoOperator demoOperators[] = {
    { "Nordlink Mobile", "Sweden", "001", "01", "894601" },
    { "Rheinfunk", "Germany", "001", "02", "894902" },
    { "Albion Telecom", "United Kingdom", "001", "03", "894403" },
    { "Iberia Movil", "Spain", "999", "710", "893471" },
};

struct DemoManufacturer
{
    const char *name;
    const char *country;
    const char *eidPrefix; // 89 + country (3 digits) + issuer (3 digits)
    const char *tac;       // type allocation code of its IMEIs
    const char *model;
    const char *hwversion;
    const char *swname;
    const char *swversion;    // what most of its devices run; has reference values
    const char *oldSwversion; // what a few still run; no reference values were published
    qint64 oemid;             // a private enterprise number (fictional)
};

const DemoManufacturer demoManufacturers[] = {
    { "Meterworks", "DE", "89049032", "35209900", "MeterOne M2", "2.1", "MeterOS", "3.2.1", "3.1.7", 64901 },
    { "CarSense", "GB", "89044045", "35411207", "DriveBox 4", "4.0", "DriveOS", "7.4.0", "7.2.3", 64902 },
    { "TrackTag", "SE", "89046070", "35875604", "TagLite LTE-M", "1.3", "TagFirm", "1.9.2", "1.8.0", 64903 },
};

struct DemoCustomer
{
    const char *name;
    const char *useCase;
    const char *fleet;
    int manufacturer;
    int homeOperator;
    double latitude; // centre of the fleet's area
    double longitude;
    double spread;
    const char *labelPattern;
};

const DemoCustomer demoCustomers[] = {
    { "Stadtwerke Rheinau", "metering", "Rheinau smart meters", 0, 1, 49.49, 8.47, 0.08, "Meter %1" },
    { "Cover & Go Insurance", "pay-as-you-drive", "PAYD car units", 1, 2, 52.5, -1.5, 2.5, "Policy car %1" },
    { "TransAlp Logistics", "tracking", "Container trackers", 2, 0, 47.0, 10.0, 6.0, "Container %1" },
};

// (latitude, longitude, radius in degrees) of the places a customer's devices gather around;
// none: the customer's own centre and spread.
const std::vector<std::tuple<double, double, double>> &placesOf(int customer)
{
    static const std::vector<std::tuple<double, double, double>> none;
    static const std::vector<std::tuple<double, double, double>> cars {
        { 51.507, -0.128, 0.25 }, { 53.480, -2.243, 0.15 }, { 52.486, -1.890, 0.15 }, { 53.801, -1.549, 0.12 },
        { 51.455, -2.588, 0.10 }, { 55.864, -4.252, 0.12 }, { 53.408, -2.992, 0.10 }, { 54.978, -1.618, 0.10 },
        { 52.954, -1.158, 0.08 }, { 50.909, -1.404, 0.08 }, { 52.205, 0.122, 0.06 },  { 51.752, -1.258, 0.06 },
    };
    static const std::vector<std::tuple<double, double, double>> containers {
        { 51.948, 4.142, 0.08 },  { 53.541, 9.984, 0.08 },  { 51.263, 4.400, 0.06 },  { 44.406, 8.933, 0.05 },
        { 48.137, 11.575, 0.10 }, { 45.464, 9.190, 0.10 },  { 45.764, 4.836, 0.08 },  { 48.208, 16.373, 0.08 },
        { 47.558, 7.588, 0.05 },  { 50.110, 8.682, 0.08 },  { 47.070, 15.440, 0.06 }, { 46.948, 7.447, 0.05 },
    };
    return customer == 1 ? cars : customer == 2 ? containers : none;
}

// Everything a demo workspace keeps beside it, for removing a demo that could not be made whole.
void removeDemoFiles(const QString &path)
{
    const QString fieldFile = SimulatedField::pathForWorkspace(path);
    const DemoWorkspace::EimTlsFiles tls = DemoWorkspace::eimTlsFiles(path);
    for (const QString &file : QStringList { path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm"),
                                             store::Workspace::keyFilePath(path), fieldFile, fieldFile + QStringLiteral("-wal"),
                                             fieldFile + QStringLiteral("-shm"), SimulatedField::flashLogPath(fieldFile),
                                             tls.certificate, tls.key, tls.root })
        QFile::remove(file);
}

int fleetSize(const DemoFleetSizes &sizes, int customer)
{
    return customer == 0 ? sizes.meters : customer == 1 ? sizes.carUnits : sizes.trackers;
}

QString eidFor(const DemoManufacturer &m, int serial)
{
    // Individual numbers start at 10 000 000 so the demo never clashes with the sample CSV.
    const QString payload = QString(QLatin1StringView(m.eidPrefix)) + QStringLiteral("00000")
        + QStringLiteral("%1").arg(10000000 + serial, 17, 10, QLatin1Char('0'));
    return identity::Eid::fromPayload(payload).value().toString();
}

QString imeiFor(const DemoManufacturer &m, int serial)
{
    const QString body = QString(QLatin1StringView(m.tac)) + QStringLiteral("%1").arg(100000 + serial, 6, 10, QLatin1Char('0'));
    return identity::Imei::parse(body).value().toString();
}

// The demo's scenario: a small, fixed share of each fleet misbehaves in each way, so every
// verdict and failure the product handles can be seen on a laptop.
simulation::Fault faultFor(int i, int homeOperator, QString *faultOperator)
{
    using simulation::Fault;
    struct Rule { int modulus; int remainder; Fault fault; };
    static const Rule rules[] = {
        { 97, 3, Fault::Offline },       { 89, 5, Fault::Slow },           { 83, 7, Fault::TamperedFirmware },
        { 79, 11, Fault::DebugEnabled }, { 73, 13, Fault::Revoked },       { 71, 17, Fault::ClockSkew },
        { 67, 19, Fault::CrashesMidDownload }, { 61, 23, Fault::RejectsEnable }, { 59, 29, Fault::NoCoverage },
    };
    for (const Rule &r : rules) {
        if (i % r.modulus == r.remainder) {
            if (r.fault == Fault::NoCoverage)
                *faultOperator = QString(QLatin1StringView(demoOperators[(homeOperator + 1) % 4].mcc))
                    + QLatin1StringView(demoOperators[(homeOperator + 1) % 4].mnc);
            return r.fault;
        }
    }
    return Fault::None;
}

struct DemoPlan
{
    crypto::CertifiedKey ci;
    QList<simulation::FieldManufacturer> manufacturers;
    std::vector<simulation::FieldDevice> fieldDevices;
    // Where each field device is enrolled (its installer's or owner's address), in the same order.
    std::vector<std::pair<double, double>> enrolledAt;
    // The car units and trackers carry a positioning receiver: they report where they are.
    QList<SimulatedField::Placement> receivers;
    QList<crypto::RevocationList> revocationLists;
};

Result<qint64> storeCertificate(QSqlDatabase &db, CertificateRoleName role, const QString &name,
                                const crypto::Certificate &certificate, std::optional<qint64> operatorId,
                                const QString &eidPrefix)
{
    store::CertificateRecord record;
    record.role = role;
    record.name = name;
    record.der = certificate.toDer();
    record.operatorId = operatorId;
    record.eidPrefix = eidPrefix;
    record.notAfter = certificate.notAfter();
    return store::CertificateRepository(db).insert(record);
}

// Everything inside one writer job: the demo appears whole or not at all. The workspace holds
// the certificate issuer's and manufacturers' certificates only (their keys belong to them and
// to the simulated factory), and its operators' profile-server keys, sealed.
Result<void> populate(QSqlDatabase &db, const store::SecretVault &vault, const QDateTime &now, const DemoPlan &plan,
                      const DemoFleetSizes &sizes, DemoContents &contents)
{
    const crypto::Validity validity { now.addDays(-1), now.addYears(10) };
    if (auto id = storeCertificate(db, CertificateRoleName::CertificateIssuer, QStringLiteral("simfleet Demo CI"),
                                   plan.ci.certificate, std::nullopt, {});
        !id)
        return id.error();
    ++contents.certificates;
    store::ReferenceValueRepository references(db);
    for (const simulation::FieldManufacturer &m : plan.manufacturers) {
        if (auto id = storeCertificate(db, CertificateRoleName::Manufacturer, m.name, m.eum.certificate, std::nullopt,
                                       m.eidPrefix);
            !id)
            return id.error();
        ++contents.certificates;
    }
    // The manufacturers publish reference values for their current software.
    for (const DemoManufacturer &m : demoManufacturers) {
        store::ReferenceValueRecord r;
        r.manufacturer = QLatin1StringView(m.name);
        r.hwmodel = QLatin1StringView(m.model);
        r.swname = QLatin1StringView(m.swname);
        r.swversion = QLatin1StringView(m.swversion);
        r.oemid = m.oemid;
        for (const auto &measurement : simulation::SimulatedDevice::firmwareMeasurements(r.hwmodel, r.swversion))
            r.measurements.append({ measurement.component, measurement.digest });
        r.addedAt = now;
        if (auto ok = references.add(r); !ok)
            return ok.error();
    }
    store::RevocationListRepository crls(db);
    for (qsizetype i = 0; i < plan.revocationLists.size(); ++i) {
        const crypto::RevocationList &crl = plan.revocationLists.at(i);
        if (auto ok = crls.add({ 0, plan.manufacturers.at(i).eum.certificate.subjectText(), crl.toDer(), crl.thisUpdate(),
                                 crl.nextUpdate() },
                               now);
            !ok)
            return ok.error();
    }

    store::OperatorRepository operators(db);
    store::CertificateRepository certificates(db);
    QList<qint64> operatorIds;
    for (const DemoOperator &o : demoOperators) {
        store::OperatorRecord op;
        op.name = QLatin1StringView(o.name);
        op.country = QLatin1StringView(o.country);
        op.mcc = QLatin1StringView(o.mcc);
        op.mnc = QLatin1StringView(o.mnc);
        op.msinFirst = 1000000;
        op.msinLast = 1999999;
        op.iccidPrefix = QLatin1StringView(o.iccidPrefix);
        op.iccidDigits = 19;
        op.iccidFirst = 1000000;
        op.iccidLast = 1999999;
        auto id = operators.insert(op, now);
        if (!id)
            return id.error();
        auto sealedOp = vault.seal({ "operator", id.value(), "op_sealed" }, crypto::randomSecret(16));
        if (!sealedOp)
            return sealedOp.error();
        if (auto ok = operators.setSealedOp(id.value(), sealedOp.value()); !ok)
            return ok;
        auto server = crypto::demopki::createProfileServer(plan.ci, op.name, op.country,
                                                           QStringLiteral("smdp.%1.example")
                                                               .arg(op.name.toLower().remove(u' ')),
                                                           validity);
        if (!server)
            return server.error();
        auto cid = storeCertificate(db, CertificateRoleName::ProfileServer, op.name + QStringLiteral(" profile server"),
                                    server->certificate, id.value(), {});
        if (!cid)
            return cid.error();
        auto sealedKey = vault.seal({ "certificate", cid.value(), "private_key_sealed" }, server->key.toPkcs8());
        if (!sealedKey)
            return sealedKey.error();
        if (auto ok = certificates.setPrivateKeySealed(cid.value(), sealedKey.value()); !ok)
            return ok;
        ++contents.certificates;
        operatorIds.append(id.value());
        ++contents.operators;
    }

    store::CustomerRepository customers(db);
    store::FleetRepository fleets(db);
    store::DeviceRepository deviceRows(db);
    std::size_t fieldIndex = 0;
    for (const DemoCustomer &c : demoCustomers) {
        auto customerId = customers.insert({ 0, QLatin1StringView(c.name), QLatin1StringView(c.useCase) }, now);
        if (!customerId)
            return customerId.error();
        auto fleetId = fleets.insert({ 0, customerId.value(), QLatin1StringView(c.fleet), operatorIds.at(c.homeOperator) },
                                     now);
        if (!fleetId)
            return fleetId.error();
        ++contents.customers;
        ++contents.fleets;
        const DemoManufacturer &m = demoManufacturers[c.manufacturer];
        const int count = fleetSize(sizes, int(&c - demoCustomers));
        auto stored = deviceRows.insertMany(
            count,
            [&](qsizetype i, store::DeviceRecord &d) {
                const simulation::FieldDevice &f = plan.fieldDevices[fieldIndex + std::size_t(i)];
                d.eid = f.eid;
                d.imei = f.imei;
                d.serial = QStringLiteral("%1-%2").arg(QString(QLatin1StringView(m.name)).left(3).toUpper()).arg(i + 1, 6, 10,
                                                                                                    QLatin1Char('0'));
                d.model = f.hwmodel;
                d.secureElement = f.secureElement;
                d.label = QString(QLatin1StringView(c.labelPattern)).arg(i + 1);
                std::tie(d.latitude, d.longitude) = plan.enrolledAt[fieldIndex + std::size_t(i)];
                d.fleetId = fleetId.value();
            },
            now);
        if (!stored)
            return stored.error();
        fieldIndex += std::size_t(count);
        contents.devices += count;
    }

    const QJsonObject details { { QStringLiteral("operators"), contents.operators },
                                { QStringLiteral("customers"), contents.customers },
                                { QStringLiteral("devices"), contents.devices },
                                { QStringLiteral("certificates"), contents.certificates } };
    store::AuditEntry entry;
    entry.at = now;
    entry.action = QStringLiteral("workspace.demo");
    entry.subject = QStringLiteral("workspace");
    entry.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    if (auto appended = store::AuditLog::append(db, entry, store::AuditAuthor { QStringLiteral("owner"), vault.ownerKey() });
        !appended)
        return appended.error();
    return {};
}

// The PKI and the equipment as they come from the factories: the field file is the devices'.
Result<DemoPlan> plan(const QDateTime &now, const DemoFleetSizes &sizes)
{
    const crypto::Validity validity { now.addDays(-1), now.addYears(10) };
    DemoPlan p;
    // A fixed seed: the same demo fleet, positions and labels on every machine.
    QRandomGenerator random(33812);
    auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("simfleet Demo CI"), validity);
    if (!ci)
        return ci.error();
    p.ci = ci.value();
    for (const DemoManufacturer &m : demoManufacturers) {
        auto eum = crypto::demopki::createManufacturer(p.ci, QLatin1StringView(m.name), QLatin1StringView(m.country),
                                                       QLatin1StringView(m.eidPrefix), validity);
        if (!eum)
            return eum.error();
        p.manufacturers.append({ QLatin1StringView(m.name), QLatin1StringView(m.eidPrefix), m.oemid, eum.value() });
    }
    for (const DemoCustomer &c : demoCustomers) {
        const DemoManufacturer &m = demoManufacturers[c.manufacturer];
        const int count = fleetSize(sizes, int(&c - demoCustomers));
        for (int i = 0; i < count; ++i) {
            simulation::FieldDevice d;
            d.eid = eidFor(m, i);
            d.imei = imeiFor(m, i);
            d.manufacturer = QLatin1StringView(m.name);
            d.hwmodel = QLatin1StringView(m.model);
            d.hwversion = QLatin1StringView(m.hwversion);
            d.swname = QLatin1StringView(m.swname);
            // One device in fifty still runs the previous release.
            d.swversion = QLatin1StringView(sizes.faults && i % 50 == 49 ? m.oldSwversion : m.swversion);
            // Meters and trackers carry an eUICC; a third of the car units host the USIM in
            // the head unit's trusted environment (TR 33.812 option 2).
            d.secureElement = (c.manufacturer == 1 && i % 3 == 0) ? store::SecureElementKind::TrustedEnvironment
                                                                   : store::SecureElementKind::IntegratedUicc;
            d.fault = sizes.faults ? faultFor(i, c.homeOperator, &d.faultOperator) : simulation::Fault::None;
            // Meters stay in their town; cars and containers are where people and goods
            // gather: around the use case's cities, so the map shows them on land.
            const auto &places = placesOf(int(&c - demoCustomers));
            const auto &[latitude, longitude, radius] = places.empty()
                ? std::tuple { c.latitude, c.longitude, c.spread }
                : places[std::size_t(random.bounded(int(places.size())))];
            const double lat = latitude + (random.generateDouble() - 0.5) * 2 * radius;
            const double lon = longitude + (random.generateDouble() - 0.5) * 2 * radius * 1.5;
            p.enrolledAt.emplace_back(lat, lon);
            if (!places.empty())
                p.receivers.append({ d.eid, lat, lon });
            p.fieldDevices.push_back(d);
        }
    }
    return p;
}


// One user per role, and an account manager per operator (DESIGN.md "Access"), all with the
// published demo password. Its scrypt cost is lowered: a known password gains nothing from it.
Result<void> addDemoUsers(store::Workspace &ws, DemoContents &summary)
{
    access::AccessService access(ws);
    access.setKeyDerivation({ 1u << 12, 8, 1 });
    auto owner = access.ownerSession();
    if (!owner)
        return owner.error();
    struct DemoUser
    {
        QString name;
        access::Role role;
        QString operatorName;
    };
    QList<DemoUser> users { { QStringLiteral("admin"), access::Role::Administrator, {} },
                            { QStringLiteral("operations"), access::Role::Operations, {} },
                            { QStringLiteral("viewer"), access::Role::Viewer, {} } };
    for (const DemoOperator &op : demoOperators) {
        const QString name = QString::fromLatin1(op.name);
        users.append({ QStringLiteral("am-") + name.section(u' ', 0, 0).toLower(), access::Role::OperatorAccountManager, name });
    }
    for (const DemoUser &u : users) {
        if (auto ok = access.addUser(owner.value(), { u.name, u.role, u.operatorName, QByteArray(demoPassword) }); !ok)
            return ok;
        summary.users.append(u.operatorName.isEmpty()
                                 ? QStringLiteral("%1 (%2)").arg(u.name, access::roleTitle(u.role))
                                 : QStringLiteral("%1 (%2, %3)").arg(u.name, access::roleTitle(u.role), u.operatorName));
    }
    return {};
}

} // namespace

Result<std::unique_ptr<store::Workspace>> DemoWorkspace::create(const QString &path, const Clock *clock,
                                                                DemoFleetSizes sizes, DemoContents *contents)
{
    const QString keyFile = store::Workspace::keyFilePath(path);
    const QString fieldFile = simulation::SimulatedField::pathForWorkspace(path);
    for (const QString &taken : { path, keyFile, fieldFile }) {
        if (QFileInfo::exists(taken))
            return fail(QStringLiteral("%1 already exists; open the workspace, or choose another file name").arg(taken));
    }
    const Clock &time = clock ? *clock : SystemClock::instance();
    auto demo = plan(time.now(), sizes);
    if (!demo)
        return demo.error();

    const QByteArray passphrase = crypto::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding
                                                                   | QByteArray::OmitTrailingEquals);
    auto workspace = store::Workspace::create(path, QStringLiteral("Demo workspace"), passphrase, clock);
    if (!workspace)
        return workspace.error();
    const auto discard = [&](Error error) -> Result<std::unique_ptr<store::Workspace>> {
        workspace.value().reset();
        removeDemoFiles(path);
        return error;
    };
    if (auto ok = store::writeKeyFile(keyFile, passphrase); !ok)
        return discard(ok.error());

    // The workspace is its devices' eIM (SGP.32): their factory configures every eUICC with it.
    auto eimIdentity = eim::EimIdentity::ensure(*workspace.value(),
                                                store::AuditAuthor { QStringLiteral("owner"), workspace.value()->vault().ownerKey() });
    if (!eimIdentity)
        return discard(eimIdentity.error());

    // The devices' own file: a fixed seed, so every demo fleet has the same keys.
    {
        auto field = simulation::SimulatedField::create(fieldFile, crypto::sha256("simfleet demo field"), demo->ci.certificate,
                                                     demo->manufacturers, demo->fieldDevices, clock);
        if (!field)
            return discard(field.error());
        if (auto ok = field.value()->associateEim(eimIdentity->eimId(), eimIdentity->publicKey().subjectPublicKeyInfo()); !ok)
            return discard(ok.error());
        if (auto ok = field.value()->place(demo->receivers); !ok)
            return discard(ok.error());
        for (const simulation::FieldManufacturer &m : demo->manufacturers) {
            auto crl = field.value()->revocationList(m.name);
            if (!crl)
                return discard(crl.error());
            demo.value().revocationLists.append(crl.value());
        }
    }

    store::Workspace &ws = *workspace.value();
    DemoContents summary;
    const QDateTime now = ws.clock().now();
    const store::SecretVault &vault = ws.vault();
    auto filled = ws.writer().run([&](QSqlDatabase &db) { return populate(db, vault, now, *demo, sizes, summary); });
    if (!filled)
        return discard(filled.error());
    // Marked first: the demo's published password is accepted in a demo workspace only.
    if (auto ok = ws.markAsDemo(); !ok)
        return discard(ok.error());
    if (auto ok = addDemoUsers(ws, summary); !ok)
        return discard(ok.error());
    // The eIM's TLS identity for a demo on one machine, under a TLS root of its own: the devices
    // on the network trust that root for ESipa and nothing else.
    {
        const EimTlsFiles tls = eimTlsFiles(path);
        const crypto::Validity validity { now.addDays(-1), now.addYears(2) };
        auto root = crypto::demopki::createCertificateIssuer(QStringLiteral("simfleet demo TLS root"), validity);
        auto leaf = root ? crypto::demopki::createProfileServer(root.value(), QStringLiteral("simfleet demo"), QStringLiteral("DE"),
                                                                 QStringLiteral("localhost"), validity)
                         : Result<crypto::CertifiedKey>(root.error());
        if (!leaf)
            return discard(leaf.error());
        const auto write = [](const QString &name, const QByteArray &bytes, bool secret) -> Result<void> {
            QFile out(name);
            if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return fail(QStringLiteral("cannot write %1: %2").arg(name, out.errorString()));
            if (secret)
                out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            if (out.write(bytes) != bytes.size())
                return fail(QStringLiteral("cannot write %1: %2").arg(name, out.errorString()));
            return {};
        };
        for (const auto &written : { write(tls.certificate, leaf->certificate.toPem() + root->certificate.toPem(), false),
                                     write(tls.key, leaf->key.toPem().view().toByteArray(), true),
                                     write(tls.root, root->certificate.toPem(), false) }) {
            if (!written)
                return discard(written.error());
        }
        summary.eimRootFile = tls.root;
    }
    summary.keyFile = keyFile;
    summary.fieldFile = fieldFile;
    if (contents)
        *contents = summary;
    qCInfo(lcSimulation) << "created the demo workspace with" << summary.devices << "devices";
    return workspace;
}

Result<std::unique_ptr<store::Workspace>> DemoWorkspace::createWithStories(const QString &path, DemoContents *contents,
                                                                           QStringList *told, DemoFleetSizes sizes)
{
    const QDateTime now = SystemClock::instance().now();
    ManualClock clock(DemoStories::beginning(now));
    {
        auto created = create(path, &clock, sizes, contents);
        if (!created)
            return created.error();
    }
    auto stories = DemoStories::tell(path, clock, now);
    if (!stories) {
        removeDemoFiles(path);
        return fail(QStringLiteral("the demo's stories could not be told: %1").arg(stories.errorMessage()));
    }
    if (told)
        *told = stories.value();
    auto workspace = store::Workspace::open(path);
    if (!workspace)
        return workspace.error();
    if (auto ok = workspace.value()->unlockWithKeyFile(); !ok)
        return ok.error();
    if (auto renewed = renewRevocationLists(*workspace.value()); !renewed)
        qCWarning(lcSimulation) << "the demo's revocation lists could not be renewed:" << renewed.errorMessage();
    return workspace;
}

Result<std::unique_ptr<store::Workspace>> DemoWorkspace::openOrCreateWithStories(const QString &path)
{
    if (!QFileInfo::exists(path))
        return createWithStories(path);
    return openOrCreate(path);
}

Result<std::unique_ptr<store::Workspace>> DemoWorkspace::openOrCreate(const QString &path, const Clock *clock)
{
    if (!QFileInfo::exists(path))
        return create(path, clock);
    auto workspace = store::Workspace::open(path, clock);
    // An older simfleet's demo: its key file is the owner's proof, so it is upgraded at once.
    if (!workspace && workspace.error().code == ErrorCode::UpgradeNeeded && QFileInfo::exists(store::Workspace::keyFilePath(path))) {
        auto passphrase = store::readKeyFile(store::Workspace::keyFilePath(path));
        if (!passphrase)
            return passphrase.error();
        auto upgraded = access::WorkspaceUpgrade::run(path, { QString(), std::move(passphrase).value() }, clock);
        if (!upgraded)
            return upgraded.error();
        std::unique_ptr<store::Workspace> opened = std::move(std::move(upgraded).value().workspace);
        if (auto renewed = renewRevocationLists(*opened); !renewed)
            qCWarning(lcSimulation) << "the demo's revocation lists could not be renewed:" << renewed.errorMessage();
        return opened;
    }
    if (workspace && workspace.value()->info().demo) {
        (void)workspace.value()->unlockWithKeyFile();
        if (auto renewed = renewRevocationLists(*workspace.value()); !renewed)
            qCWarning(lcSimulation) << "the demo's revocation lists could not be renewed:" << renewed.errorMessage();
    }
    return workspace;
}

Result<int> DemoWorkspace::renewRevocationLists(store::Workspace &workspace, SimulatedField *openField)
{
    constexpr int renewWithinDays = 7; // the lists run 30 days
    if (!workspace.info().demo)
        return 0;
    const QDateTime now = workspace.clock().now();
    auto stored = store::RevocationListRepository(workspace.database()).list();
    if (!stored)
        return stored.error();
    QHash<QString, QDateTime> latest; // issuer -> the latest nextUpdate stored
    for (const store::RevocationListRecord &r : stored.value()) {
        QDateTime &until = latest[r.issuer];
        if (!until.isValid() || r.nextUpdate > until)
            until = r.nextUpdate;
    }
    // Nothing due (every trusted manufacturer's latest list runs past the renewal window): the
    // field, which holds the manufacturers' keys, is not opened, so a field whose devices another
    // process drives (simfleet-field) is no obstacle to opening the workspace.
    if (auto manufacturers = store::CertificateRepository(workspace.database()).list(store::CertificateRoleName::Manufacturer)) {
        bool due = manufacturers->isEmpty();
        for (const store::CertificateRecord &m : manufacturers.value()) {
            auto eum = crypto::Certificate::fromDer(m.der);
            const QDateTime until = eum ? latest.value(eum->subjectText()) : QDateTime();
            if (!until.isValid() || now.addDays(renewWithinDays) >= until) {
                due = true;
                break;
            }
        }
        if (!due)
            return 0;
    }
    // The field already open in this process (the demo's stories) issues them; otherwise it is opened.
    std::unique_ptr<SimulatedField> opened;
    if (!openField) {
        auto field = simulation::SimulatedField::openForWorkspace(workspace.info().path, &workspace.clock());
        if (!field)
            return field.error();
        opened = std::move(field).value();
    }
    SimulatedField &field = openField ? *openField : *opened;
    QList<store::RevocationListRecord> fresh;
    for (const crypto::Certificate &eum : field.manufacturerCertificates()) {
        const QString issuer = eum.subjectText();
        const QDateTime until = latest.value(issuer);
        if (until.isValid() && now.addDays(renewWithinDays) < until)
            continue;
        auto crl = field.revocationList(eum.subject().organization);
        if (!crl)
            return crl.error();
        fresh.append({ 0, issuer, crl->toDer(), crl->thisUpdate(), crl->nextUpdate() });
    }
    opened.reset();
    if (fresh.isEmpty())
        return 0;
    auto added = workspace.writer().run([&fresh, now](QSqlDatabase &db) -> Result<void> {
        store::RevocationListRepository lists(db);
        for (const store::RevocationListRecord &r : fresh) {
            if (auto ok = lists.add(r, now); !ok)
                return ok.error();
        }
        return {};
    });
    if (!added)
        return added.error();
    qCInfo(lcSimulation) << "the demo's manufacturers renewed" << fresh.size() << "revocation lists";
    return int(fresh.size());
}

DemoWorkspace::EimTlsFiles DemoWorkspace::eimTlsFiles(const QString &workspacePath)
{
    QString base = store::localBasePath(workspacePath);
    if (base.endsWith(QStringLiteral(".simfleet")))
        base.chop(9);
    return { base + QStringLiteral(".eim-tls.pem"), base + QStringLiteral(".eim-tls.key"), base + QStringLiteral(".eim-root.pem") };
}

} // namespace simfleet::simulation
