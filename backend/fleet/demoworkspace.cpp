#include "demoworkspace.h"
#include "fleetlog.h"

#include "core/clock.h"
#include "crypto/demopki.h"
#include "crypto/random.h"
#include "identity/eid.h"
#include "identity/imei.h"
#include "store/auditlog.h"
#include "store/certificaterepository.h"
#include "store/customerrepository.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

namespace simfleet::fleet {

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
};

const DemoManufacturer demoManufacturers[] = {
    { "Meterworks", "DE", "89049032", "35209900", "MeterOne M2" },
    { "CarSense", "GB", "89044045", "35411207", "DriveBox 4" },
    { "TrackTag", "SE", "89046070", "35875604", "TagLite LTE-M" },
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

Result<qint64> storeCertificate(QSqlDatabase &db, const store::SecretVault &vault, CertificateRoleName role,
                                const QString &name, const crypto::CertifiedKey &ck, std::optional<qint64> operatorId,
                                const QString &eidPrefix)
{
    store::CertificateRepository certificates(db);
    store::CertificateRecord record;
    record.role = role;
    record.name = name;
    record.der = ck.certificate.toDer();
    record.operatorId = operatorId;
    record.eidPrefix = eidPrefix;
    record.notAfter = ck.certificate.notAfter();
    auto id = certificates.insert(record);
    if (!id)
        return id.error();
    auto sealed = vault.seal({ "certificate", id.value(), "private_key_sealed" }, ck.key.toPkcs8());
    if (!sealed)
        return sealed.error();
    if (auto ok = certificates.setPrivateKeySealed(id.value(), sealed.value()); !ok)
        return ok.error();
    return id;
}

// Everything inside one writer job: the demo appears whole or not at all.
Result<void> populate(QSqlDatabase &db, const store::SecretVault &vault, const QDateTime &now,
                      const DemoFleetSizes &sizes, DemoContents &contents)
{
    const crypto::Validity validity { now.addDays(-1), now.addYears(10) };
    auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("simfleet Demo CI"), validity);
    if (!ci)
        return ci.error();
    if (auto id = storeCertificate(db, vault, CertificateRoleName::CertificateIssuer, QStringLiteral("simfleet Demo CI"),
                                   ci.value(), std::nullopt, {});
        !id)
        return id.error();
    ++contents.certificates;

    for (const DemoManufacturer &m : demoManufacturers) {
        auto eum = crypto::demopki::createManufacturer(ci.value(), QLatin1StringView(m.name),
                                                       QLatin1StringView(m.country), QLatin1StringView(m.eidPrefix),
                                                       validity);
        if (!eum)
            return eum.error();
        if (auto id = storeCertificate(db, vault, CertificateRoleName::Manufacturer, QLatin1StringView(m.name),
                                       eum.value(), std::nullopt, QLatin1StringView(m.eidPrefix));
            !id)
            return id.error();
        ++contents.certificates;
    }

    store::OperatorRepository operators(db);
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
        auto server = crypto::demopki::createProfileServer(ci.value(), op.name, op.country,
                                                           QStringLiteral("smdp.%1.example")
                                                               .arg(op.name.toLower().remove(u' ')),
                                                           validity);
        if (!server)
            return server.error();
        if (auto cid = storeCertificate(db, vault, CertificateRoleName::ProfileServer, op.name + QStringLiteral(" profile server"),
                                        server.value(), id.value(), {});
            !cid)
            return cid.error();
        ++contents.certificates;
        operatorIds.append(id.value());
        ++contents.operators;
    }

    // A fixed seed: the same demo fleet, positions and labels on every machine.
    QRandomGenerator random(33812);
    store::CustomerRepository customers(db);
    store::FleetRepository fleets(db);
    store::DeviceRepository devices(db);
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
        auto stored = devices.insertMany(
            count,
            [&](qsizetype i, store::DeviceRecord &d) {
                const int serial = int(i);
                d.eid = eidFor(m, serial);
                d.imei = imeiFor(m, serial);
                d.serial = QStringLiteral("%1-%2").arg(QString(QLatin1StringView(m.name)).left(3).toUpper()).arg(serial + 1, 6, 10,
                                                                                                      QLatin1Char('0'));
                d.model = QLatin1StringView(m.model);
                // Meters and trackers carry an eUICC; a third of the car units host the USIM in
                // the head unit's trusted environment (TR 33.812 option 2).
                d.secureElement = (c.manufacturer == 1 && i % 3 == 0) ? store::SecureElementKind::TrustedEnvironment
                                                                       : store::SecureElementKind::IntegratedUicc;
                d.label = QString(QLatin1StringView(c.labelPattern)).arg(serial + 1);
                d.latitude = c.latitude + (random.generateDouble() - 0.5) * 2 * c.spread;
                d.longitude = c.longitude + (random.generateDouble() - 0.5) * 2 * c.spread;
                d.fleetId = fleetId.value();
            },
            now);
        if (!stored)
            return stored.error();
        contents.devices += count;
    }

    const QJsonObject details { { QStringLiteral("operators"), contents.operators },
                                { QStringLiteral("customers"), contents.customers },
                                { QStringLiteral("devices"), contents.devices },
                                { QStringLiteral("certificates"), contents.certificates } };
    store::AuditEntry entry;
    entry.at = now;
    entry.actor = QStringLiteral("owner");
    entry.action = QStringLiteral("workspace.demo");
    entry.subject = QStringLiteral("workspace");
    entry.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    if (auto appended = store::AuditLog::append(db, entry); !appended)
        return appended.error();
    return {};
}

} // namespace

Result<std::unique_ptr<store::Workspace>> DemoWorkspace::create(const QString &path, const Clock *clock,
                                                                DemoFleetSizes sizes, DemoContents *contents)
{
    const QString keyFile = store::Workspace::keyFilePath(path);
    if (QFileInfo::exists(path))
        return fail(QStringLiteral("%1 already exists; open it, or choose another file name").arg(path));
    if (QFileInfo::exists(keyFile))
        return fail(QStringLiteral("a key file %1 already exists; remove it or choose another file name").arg(keyFile));

    const QByteArray passphrase = crypto::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding
                                                                   | QByteArray::OmitTrailingEquals);
    auto workspace = store::Workspace::create(path, QStringLiteral("Demo workspace"), passphrase, clock);
    if (!workspace)
        return workspace.error();
    const auto discard = [&](Error error) -> Result<std::unique_ptr<store::Workspace>> {
        workspace.value().reset();
        for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral(".key") })
            QFile::remove(path + suffix);
        return error;
    };
    if (auto ok = store::writeKeyFile(keyFile, passphrase); !ok)
        return discard(ok.error());

    store::Workspace &ws = *workspace.value();
    DemoContents summary;
    const QDateTime now = ws.clock().now();
    const store::SecretVault &vault = ws.vault();
    auto filled = ws.writer().run([&](QSqlDatabase &db) { return populate(db, vault, now, sizes, summary); });
    if (!filled)
        return discard(filled.error());
    if (auto ok = ws.markAsDemo(); !ok)
        return discard(ok.error());
    summary.keyFile = keyFile;
    if (contents)
        *contents = summary;
    qCInfo(lcFleet) << "created the demo workspace with" << summary.devices << "devices";
    return workspace;
}

Result<std::unique_ptr<store::Workspace>> DemoWorkspace::openOrCreate(const QString &path, const Clock *clock)
{
    if (!QFileInfo::exists(path))
        return create(path, clock);
    auto workspace = store::Workspace::open(path, clock);
    if (workspace && workspace.value()->info().demo)
        (void)workspace.value()->unlockWithKeyFile();
    return workspace;
}

} // namespace simfleet::fleet
