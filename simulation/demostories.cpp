#include "demostories.h"
#include "demoworkspace.h"
#include "simulatedfield.h"
#include "simulationlog.h"

#include "access/accessservice.h"
#include "access/session.h"
#include "attestation/attestationservice.h"
#include "campaigns/campaignservice.h"
#include "campaigns/custodyservice.h"
#include "core/clock.h"
#include "store/custodyrepository.h"
#include "store/customerrepository.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/records.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QSqlQuery>

namespace simfleet::simulation {

namespace {

const QString meters = QStringLiteral("Rheinau smart meters");
const QString carUnits = QStringLiteral("PAYD car units");
const QString trackers = QStringLiteral("Container trackers");
const QString newSupplier = QStringLiteral("Lichtwerk Energie");
const QString newSupplierOperator = QStringLiteral("Nordlink Mobile");

campaigns::CampaignSettings storySettings()
{
    campaigns::CampaignSettings s;
    s.answerTimeoutMs = 1000; // the offline few give up soon; the slow answer well within it
    s.batchSize = 256;
    s.concurrency = 32;
    s.backoffMs = 500; // on the story's clock: moves time, costs nothing
    return s;
}

struct Teller
{
    store::Workspace &ws;
    SimulatedField &field;
    ManualClock &clock;

    // A fresh session for each step: days pass between them, and sessions end after 30 idle minutes.
    Result<access::Session> as(const QString &user)
    {
        access::AccessService access(ws);
        return user.isEmpty() ? access.ownerSession() : access.login(user, demoPassword);
    }

    // (id, EID) of the fleet's devices.
    Result<QList<std::pair<qint64, QString>>> devicesOf(const QString &fleetName)
    {
        QSqlQuery q(ws.database());
        q.prepare(QStringLiteral("SELECT d.id, d.eid FROM device d JOIN fleet f ON f.id = d.fleet_id WHERE f.name = ? ORDER BY d.id"));
        q.addBindValue(fleetName);
        if (!q.exec())
            return fail(QStringLiteral("reading the demo's devices failed"));
        QList<std::pair<qint64, QString>> devices;
        while (q.next())
            devices.append({ q.value(0).toLongLong(), q.value(1).toString() });
        return devices;
    }

    // A device of the fleet that holds a subscription and is healthy, picked by its place.
    Result<std::pair<qint64, QString>> provisionedIn(const QString &fleetName, int nth)
    {
        QSqlQuery q(ws.database());
        q.prepare(QStringLiteral("SELECT d.id, d.eid FROM device d JOIN fleet f ON f.id = d.fleet_id"
                                 " JOIN profile p ON p.device_id = d.id AND p.state = 'enabled'"
                                 " WHERE f.name = ? ORDER BY d.id LIMIT 1 OFFSET ?"));
        q.addBindValue(fleetName);
        q.addBindValue(nth);
        if (!q.exec() || !q.next())
            return fail(QStringLiteral("the demo's %1 hold no subscription to tell a story with").arg(fleetName));
        return std::pair { q.value(0).toLongLong(), q.value(1).toString() };
    }

    // Operations attest devices, waiting `answerMs` for each (the demo's slow devices are slow).
    Result<QList<attestation::DeviceAttestation>> attest(const QList<std::pair<qint64, QString>> &devices, int answerMs)
    {
        auto operations = as(QStringLiteral("operations"));
        if (!operations)
            return operations.error();
        attestation::AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(answerMs);
        attestation::AttestationService attestation(ws, field, options);
        return attestation.attest(operations.value(), devices);
    }

    Result<campaigns::CampaignSummary> campaign(campaigns::CampaignKind kind, const QString &name, qint64 target,
                                                std::optional<qint64> newOwner, const QList<std::pair<qint64, QString>> &chosen)
    {
        QList<qint64> devices;
        for (const auto &d : chosen)
            devices.append(d.first);
        auto owner = as({});
        if (!owner)
            return owner.error();
        campaigns::CampaignService service(ws, field);
        auto id = service.create(owner.value(), { kind, name, target, newOwner, devices, storySettings() });
        if (!id)
            return id.error();
        return service.run(owner.value(), id.value());
    }

    void moveTo(const QDateTime &at)
    {
        clock.set(at);
        // The manufacturers' revocation lists, renewed as their distribution points would.
        if (auto renewed = DemoWorkspace::renewRevocationLists(ws, &field); !renewed)
            qCWarning(lcSimulation) << "the demo's revocation lists could not be renewed:" << renewed.errorMessage();
    }
};

} // namespace

QDateTime DemoStories::beginning(const QDateTime &now)
{
    const QDate today = now.toUTC().date();
    return QDateTime(QDate(today.year(), today.month(), 1).addMonths(-2), QTime(9, 0), Qt::UTC);
}

Result<QStringList> DemoStories::tell(const QString &path, ManualClock &clock, const QDateTime &until)
{
    auto opened = store::Workspace::open(path, &clock);
    if (!opened)
        return opened.error();
    store::Workspace &ws = *opened.value();
    if (auto ok = ws.unlockWithKeyFile(); !ok)
        return ok.error();
    auto field = SimulatedField::openForWorkspace(path, &clock);
    if (!field)
        return field.error();
    field.value()->setTiming({ std::chrono::milliseconds(200), 2 * 3600 });
    Teller t { ws, *field.value(), clock };
    QStringList told;

    // The first day: every fleet gets its home operator's subscriptions.
    for (const QString &fleetName : { meters, carUnits, trackers }) {
        auto fleet = store::FleetRepository(ws.database()).findUnique(fleetName);
        auto devices = t.devicesOf(fleetName);
        if (!fleet || !devices)
            return fail(QStringLiteral("the demo has no fleet %1").arg(fleetName));
        auto run = t.campaign(campaigns::CampaignKind::InitialProvisioning, QStringLiteral("Provision %1").arg(fleetName),
                              fleet->homeOperatorId.value_or(0), std::nullopt, devices.value());
        if (!run)
            return run.error();
        t.clock.advance(3600);
    }

    // Metering: the 14th of last month, 06:00, the meters move to the new power supplier, who
    // has its contract with another operator. No service visit, no accounting by hand.
    const QDate today = until.toUTC().date();
    t.moveTo(QDateTime(QDate(today.year(), today.month(), 14).addMonths(-1), QTime(6, 0), Qt::UTC));
    auto supplier = t.ws.writer().run([&](QSqlDatabase &db) -> Result<void> {
        auto added = store::CustomerRepository(db).insert({ 0, newSupplier, QStringLiteral("metering") }, t.clock.now());
        return added ? Result<void>() : Result<void>(added.error());
    });
    if (!supplier)
        return supplier.error();
    auto newOwner = store::CustomerRepository(ws.database()).findByName(newSupplier);
    auto target = store::OperatorRepository(ws.database()).findByName(newSupplierOperator);
    auto meterIds = t.devicesOf(meters);
    if (!newOwner || !newOwner.value() || !target || !target.value() || !meterIds)
        return fail(QStringLiteral("the demo's supplier switch could not be set up"));
    auto moved = t.campaign(campaigns::CampaignKind::SubscriptionChange,
                            QStringLiteral("Supplier switch: Stadtwerke Rheinau to %1").arg(newSupplier), target.value()->id,
                            newOwner.value()->id, meterIds.value());
    if (!moved)
        return moved.error();
    told << QStringLiteral("metering: %1 meters moved to %2 (%3) on %4")
                .arg(moved->succeeded)
                .arg(newSupplier, newSupplierOperator, t.clock.now().date().toString(Qt::ISODate));

    // A week ago, the insurer's and the logistics firm's weekly attestation of their units: the
    // devices that answer are seen; the few that never answer stand out on the Dashboard.
    t.moveTo(until.addDays(-6));
    for (const QString &fleetName : { carUnits, trackers }) {
        auto devices = t.devicesOf(fleetName);
        if (!devices)
            return devices.error();
        if (auto verdicts = t.attest(devices.value(), 1500); !verdicts)
            return verdicts.error();
        t.clock.advance(1800);
    }

    // Tracking: two days ago someone opened a container tracker's enclosure.
    t.moveTo(until.addDays(-2).addSecs(-5 * 3600));
    auto tracker = t.provisionedIn(trackers, 41);
    if (!tracker)
        return tracker.error();
    if (auto ok = t.field.tamperWith(tracker->second); !ok)
        return ok.error();
    t.clock.advance(40 * 60);
    {
        auto verdicts = t.attest({ *tracker }, 2000);
        if (!verdicts)
            return verdicts.error();
        auto operations = t.as(QStringLiteral("operations"));
        if (!operations)
            return operations.error();
        campaigns::CustodyService custody(ws, t.field, std::chrono::milliseconds(2000));
        auto contacted = custody.contact(operations.value(), { *tracker }, campaigns::CustodyService::Contact::AfterAttestation);
        if (!contacted)
            return contacted.error();
        told << QStringLiteral("tracking: tracker %1 %2, quarantined").arg(tracker->second, verdicts->first().verdict.reasonCode);
    }

    // Pay-as-you-drive: yesterday evening a car unit was stolen from a car park in Manchester;
    // this morning, asked where it is, it answered from the Liverpool docks (its GNSS fix, in the
    // location claim of its evidence).
    t.moveTo(QDateTime(until.toUTC().date().addDays(-1), QTime(20, 40), Qt::UTC));
    auto car = t.provisionedIn(carUnits, 7);
    if (!car)
        return car.error();
    if (auto ok = t.field.place({ { car->second, 53.4808, -2.2426 } }); !ok)
        return ok.error();
    // The insurer's evening check of its units: the car park, in the unit's own report.
    if (auto verdicts = t.attest({ *car }, 2000); !verdicts)
        return verdicts.error();
    t.clock.advance(25 * 60);
    {
        auto operations = t.as(QStringLiteral("operations"));
        if (!operations)
            return operations.error();
        campaigns::CustodyService custody(ws, t.field, std::chrono::milliseconds(2000));
        auto reported = custody.report(operations.value(), { car->second }, store::Custody::Stolen,
                                       QStringLiteral("Stolen overnight from a car park in Manchester; police reference "
                                                      "GMP/26/118842"));
        if (!reported)
            return reported.error();
        auto reached = custody.contact(operations.value(), { *car }, campaigns::CustodyService::Contact::Reached);
        if (!reached)
            return reached.error();
    }
    QDateTime located(until.toUTC().date(), QTime(5, 12), Qt::UTC);
    if (located > until.addSecs(-600))
        located = until.addSecs(-600);
    t.moveTo(located);
    if (auto ok = t.field.place({ { car->second, 53.4466, -3.0176 } }); !ok)
        return ok.error();
    if (auto verdicts = t.attest({ *car }, 2000); !verdicts)
        return verdicts.error();
    told << QStringLiteral("pay-as-you-drive: car unit %1 reported stolen, disabled, located at the docks").arg(car->second);
    t.moveTo(std::max(t.clock.now(), until));
    qCInfo(lcSimulation) << "the demo told its stories:" << told.join(QStringLiteral("; "));
    return told;
}

} // namespace simfleet::simulation
