// Issue 23: the demo tells the seed's three stories (a meter fleet that moved supplier last month,
// a tampered tracker, a stolen car unit), told by the same services as any campaign, on a small
// demo so the test stays quick.
#include "access/accessservice.h"
#include "access/session.h"
#include "fleet/fleetqueries.h"
#include "fleet/subscriptionledgerreport.h"
#include "simulation/demostories.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/auditlog.h"
#include "store/custodyrepository.h"
#include "store/workspace.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;

class TestDemoStories : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void theDemoTellsItsThreeStories()
    {
        const QString path = m_dir.filePath(QStringLiteral("stories.simfleet"));
        QStringList told;
        auto ws = simulation::DemoWorkspace::createWithStories(path, nullptr, &told, { 60, 30, 50, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        QCOMPARE(told.size(), 3);
        auto session = access::AccessService(*ws.value()).ownerSession();
        QVERIFY(session);
        const fleet::FleetQueries queries(*ws.value());
        const QDateTime now = QDateTime::currentDateTimeUtc();

        // Metering: last month the meters moved; each moved meter's two periods meet on the 14th
        // at 06:00, and the month's device-days split there exactly.
        const QDate today = now.date();
        const QDateTime lastMonth(QDate(today.year(), today.month(), 1).addMonths(-1), QTime(0, 0), Qt::UTC);
        const QDateTime switchAt(lastMonth.date().addDays(13), QTime(6, 0), Qt::UTC);
        auto customer = queries.customerNamed(session.value(), QStringLiteral("Lichtwerk Energie"));
        QVERIFY2(customer, qPrintable(customer.errorMessage()));
        auto periods = queries.ledger(session.value(), { lastMonth, lastMonth.addMonths(1), std::nullopt, std::nullopt, std::nullopt });
        QVERIFY(periods);
        QHash<QString, QList<store::SubscriptionPeriod>> meters;
        for (const auto &p : periods.value()) {
            if (p.customerName == u"Lichtwerk Energie" || p.customerName == u"Stadtwerke Rheinau")
                meters[p.eid].append(p);
        }
        int moved = 0;
        for (const auto &list : std::as_const(meters)) {
            if (list.size() != 2)
                continue;
            QCOMPARE(list.at(0).to, list.at(1).from);
            QCOMPARE(list.at(0).to, switchAt);
            QCOMPARE(list.at(1).customerName, QStringLiteral("Lichtwerk Energie"));
            ++moved;
        }
        QVERIFY(moved >= 40);
        const auto months = fleet::monthlyDeviceDays(periods.value(), lastMonth, lastMonth.addMonths(1), now);
        qint64 before = 0, after = 0;
        for (const auto &m : months) {
            if (m.customer == u"Stadtwerke Rheinau")
                before = m.milliseconds;
            if (m.customer == u"Lichtwerk Energie")
                after = m.milliseconds;
        }
        QCOMPARE(before, qint64(moved) * lastMonth.msecsTo(switchAt));
        QCOMPARE(after, qint64(moved) * switchAt.msecsTo(lastMonth.addMonths(1)));

        // Tracking and pay-as-you-drive: one quarantined tracker, one stolen car unit, both with
        // their subscriptions disabled, the car seen again with where.
        const auto counts = queries.figures(session.value());
        QVERIFY(counts);
        QCOMPARE(counts->quarantined, 1);
        QCOMPARE(counts->stolen, 1);
        QSqlQuery q(ws.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM device d JOIN profile p ON p.device_id = d.id AND p.state = 'enabled'"
                                      " WHERE d.custody = 'stolen' OR d.quarantined_at IS NOT NULL")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        q.finish();
        const auto alerts = store::CustodyRepository(ws.value()->database()).openAlerts(session->scope(), 10).value();
        QVERIFY(std::any_of(alerts.cbegin(), alerts.cend(), [](const store::DeviceAlert &a) {
            return a.kind == u"sighting" && a.latitude && qAbs(*a.latitude - 53.4466) < 1e-6;
        }));
        // The tracker reported where it was in the very evidence that found it tampered with.
        QVERIFY(std::any_of(alerts.cbegin(), alerts.cend(),
                            [](const store::DeviceAlert &a) { return a.kind == u"quarantined" && a.latitude && a.longitude; }));
        // Positions come from the devices' reports: car units and trackers that answered an
        // attestation have one with its time, meters (no receiver) keep their enrolled address.
        QVERIFY(q.exec(QStringLiteral("SELECT f.name, count(d.position_at) FROM device d JOIN fleet f ON f.id = d.fleet_id"
                                      " GROUP BY f.name")));
        QHash<QString, int> reported;
        while (q.next())
            reported.insert(q.value(0).toString(), q.value(1).toInt());
        q.finish();
        QCOMPARE(reported.value(QStringLiteral("Rheinau smart meters")), 0);
        QVERIFY(reported.value(QStringLiteral("PAYD car units")) > 0);
        QVERIFY(reported.value(QStringLiteral("Container trackers")) > 0);
        QVERIFY(q.exec(QStringLiteral("SELECT latitude, longitude, position_at FROM device WHERE custody = 'stolen'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toDouble(), 53.4466);
        QCOMPARE(q.value(1).toDouble(), -3.0176);
        QVERIFY(!q.value(2).isNull());
        q.finish();
        // The field agrees: the stolen car unit's eUICC has nothing enabled.
        QVERIFY(q.exec(QStringLiteral("SELECT eid FROM device WHERE custody = 'stolen'")));
        QVERIFY(q.next());
        const QString stolen = q.value(0).toString();
        q.finish();
        QSqlDatabase db = ws.value()->database();
        QVERIFY(store::AuditLog::verify(db).value().intact);
        ws.value().reset();
        auto field = simulation::SimulatedField::openForWorkspace(path);
        QVERIFY(field);
        for (const auto &p : field.value()->device(stolen)->listProfiles().value())
            QCOMPARE(p.state, QStringLiteral("disabled"));
        // and it is still where it was last placed, after the field's file was reopened.
        QCOMPARE(field.value()->device(stolen)->position()->longitude, -3.0176);
    }
};

QTEST_GUILESS_MAIN(TestDemoStories)
#include "tst_demostories.moc"
