// Issue 17, Medium 6: what an operator account manager learned about devices outside their scope.
// Each test is the attack as the account manager ran it, against a small demo workspace; out of
// scope must look exactly like absent.

#include "access/accessservice.h"
#include "attestation/attestationservice.h"
#include "campaigns/campaignplanner.h"
#include "campaigns/campaignqueries.h"
#include "campaigns/campaignservice.h"
#include "fleet/devicefilter.h"
#include "fleet/fleetqueries.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/profilerepository.h"
#include "store/workspace.h"
#include "testsession.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include "teststore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;

namespace {

using Devices = QList<std::pair<qint64, QString>>;

// An answer with the name it was asked about taken out, so two answers can be compared whole.
QString shape(const Error &e, const QString &asked)
{
    return errorCodeName(e.code) + u'|' + QString(e.message).replace(asked, QStringLiteral("<NAME>"));
}

template<typename T>
QString shape(const Result<T> &r, const QString &asked)
{
    return r ? QStringLiteral("(an answer, not a refusal)") : shape(r.error(), asked);
}

// A valid EID that no device has (SGP.29 check digits).
const QString unknownEid = QStringLiteral("89049032000010000000000000099959"); // well formed, never enrolled

} // namespace

class TestScopeLeaks : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<store::Workspace> m_ws;
    std::unique_ptr<simulation::SimulatedField> m_field;

    access::Session login(const char *name)
    {
        auto s = access::AccessService(*m_ws).login(QLatin1StringView(name), simulation::demoPassword);
        if (!s)
            qFatal("%s cannot log in: %s", name, qPrintable(s.errorMessage()));
        return s.value();
    }
    Devices fleetDevices(const char *fleet)
    {
        const auto f = store::FleetRepository(m_ws->database()).findUnique(QLatin1StringView(fleet));
        return store::DeviceRepository(m_ws->database()).idsInFleet(f->id).value();
    }
    qint64 operatorId(const char *name)
    {
        return store::OperatorRepository(m_ws->database()).findByName(QLatin1StringView(name)).value()->id;
    }
    QStringList eidsSeenBy(const access::Session &who, QHash<QString, store::DeviceOverview> *rows = nullptr)
    {
        QStringList eids;
        const auto ok = fleet::FleetQueries(*m_ws).forEachDevice(who, std::nullopt, [&](const store::DeviceOverview &o) {
            eids.append(o.device.eid);
            if (rows)
                rows->insert(o.device.eid, o);
        });
        if (!ok)
            qFatal("listing devices failed: %s", qPrintable(ok.errorMessage()));
        return eids;
    }

private Q_SLOTS:
    // A demo of 4 meters (home Rheinfunk), 4 car units (Albion), 4 trackers (Nordlink); the
    // meters provisioned with Rheinfunk, then a change campaign created that will move two of
    // them to Albion Telecom. am-albion sees those two through the campaign; am-iberia's
    // operator is involved in nothing.
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = test::newWorkspaceAddress(m_dir, QStringLiteral("scope.simfleet"));
        auto ws = simulation::DemoWorkspace::create(m_path, nullptr, { 4, 4, 4, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        m_ws = std::move(ws).value();
        auto field = simulation::SimulatedField::openForWorkspace(m_path);
        QVERIFY2(field, qPrintable(field.errorMessage()));
        m_field = std::move(field).value();
        m_field->setTiming({ std::chrono::milliseconds(0), 7200 });

        const access::Session owner = testing::ownerOf(*m_ws);
        campaigns::CampaignService service(*m_ws, *m_field);
        campaigns::CampaignRequest provision;
        provision.kind = campaigns::CampaignKind::InitialProvisioning;
        provision.targetOperatorId = operatorId("Rheinfunk");
        for (const auto &d : fleetDevices("Rheinau smart meters"))
            provision.deviceIds.append(d.first);
        const auto id = service.create(owner, provision);
        QVERIFY2(id, qPrintable(id.errorMessage()));
        const auto run = service.run(owner, *id);
        QVERIFY2(run, qPrintable(run.errorMessage()));
        QCOMPARE(run->succeeded, 4);

        campaigns::CampaignRequest change;
        change.kind = campaigns::CampaignKind::SubscriptionChange;
        change.targetOperatorId = operatorId("Albion Telecom");
        const Devices meters = fleetDevices("Rheinau smart meters");
        change.deviceIds = { meters.at(0).first, meters.at(1).first };
        const auto changeId = service.create(owner, change);
        QVERIFY2(changeId, qPrintable(changeId.errorMessage()));
        m_changeId = changeId.value();
    }

    // "attest --fleet 'Container trackers'" as am-iberia answered "not permitted to attest 4 of
    // these devices": the fleet exists, and its size. Now a fleet, EID or operator out of scope
    // gets the answer one that does not exist gets, word for word and code for code.
    void outOfScopeNamesAnswerAsAbsent()
    {
        const access::Session iberia = login("am-iberia");
        const fleet::FleetQueries queries(*m_ws);
        const QString trackers = QStringLiteral("Container trackers");
        const QString nowhere = QStringLiteral("Atlantis buoys");
        QCOMPARE(shape(queries.fleetNamed(iberia, trackers), trackers), shape(queries.fleetNamed(iberia, nowhere), nowhere));
        QVERIFY(!queries.fleetNamed(iberia, trackers));

        const QString trackerEid = fleetDevices("Container trackers").first().second;
        QCOMPARE(shape(queries.devicesWithEids(iberia, { trackerEid }), trackerEid),
                 shape(queries.devicesWithEids(iberia, { unknownEid }), unknownEid));
        QVERIFY(!queries.devicesWithEids(iberia, { trackerEid }));

        const QString customer = QStringLiteral("TransAlp Logistics");
        QCOMPARE(shape(queries.customerNamed(iberia, customer), customer),
                 shape(queries.customerNamed(iberia, QStringLiteral("Nobody Ltd")), QStringLiteral("Nobody Ltd")));
        const QString other = QStringLiteral("Rheinfunk");
        QCOMPARE(shape(queries.operatorNamed(iberia, other), other),
                 shape(queries.operatorNamed(iberia, QStringLiteral("Nomobile")), QStringLiteral("Nomobile")));

        // The attestation service itself, handed devices out of scope (a caller that skipped the
        // queries): no count, no "not permitted", the words for a device never enrolled.
        attestation::AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(500);
        attestation::AttestationService service(*m_ws, *m_field, options);
        const Devices all = fleetDevices("Container trackers");
        const auto refused = service.attest(iberia, all);
        QVERIFY(!refused);
        QCOMPARE(shape(refused.error(), all.first().second), shape(queries.devicesWithEids(iberia, { unknownEid }), unknownEid));
        QVERIFY2(!refused.errorMessage().contains(QStringLiteral("of these devices")), qPrintable(refused.errorMessage()));

        // Planning a campaign over it: the same words as a fleet that does not exist, and a
        // file naming one of its devices as a file naming a device never enrolled.
        const campaigns::CampaignPlanner planner(*m_ws);
        QCOMPARE(shape(planner.devices(iberia, { trackers, {}, {}, {} }), trackers),
                 shape(planner.devices(iberia, { nowhere, {}, {}, {} }), nowhere));
        const QString list = m_dir.filePath(QStringLiteral("eids.txt"));
        const auto planFrom = [&](const QString &eid) {
            QFile f(list);
            f.open(QIODevice::WriteOnly | QIODevice::Truncate);
            f.write(eid.toLatin1() + '\n');
            f.close();
            return shape(planner.devices(iberia, { {}, list, {}, {} }), eid);
        };
        QCOMPARE(planFrom(trackerEid), planFrom(unknownEid));
    }

    // The same fleet, partly in scope: am-albion may attest the two meters the campaign moves
    // to Albion, and "the meters" means those two, not a refusal that counts the others.
    void partlyVisibleFleetStandsForTheVisibleDevices()
    {
        const access::Session albion = login("am-albion");
        const fleet::FleetQueries queries(*m_ws);
        const auto fleet = queries.fleetNamed(albion, QStringLiteral("Rheinau smart meters"));
        QVERIFY2(fleet, qPrintable(fleet.errorMessage()));
        const auto targets = queries.devicesInFleet(albion, fleet->id);
        QVERIFY2(targets, qPrintable(targets.errorMessage()));
        const Devices meters = fleetDevices("Rheinau smart meters");
        QCOMPARE(targets.value(), (Devices { meters.at(0), meters.at(1) }));

        attestation::AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(2000);
        attestation::AttestationService service(*m_ws, *m_field, options);
        const auto outcomes = service.attest(albion, targets.value());
        QVERIFY2(outcomes, qPrintable(outcomes.errorMessage()));
        QCOMPARE(outcomes->size(), 2);
        for (const auto &o : outcomes.value())
            QCOMPARE(attestation::tierName(o.verdict.tier), QStringLiteral("affirming"));

        // A selection of ids (the desktop's) keeps the visible ones, as if the others were gone.
        const auto picked = queries.devicesWithIds(albion, { meters.at(0).first, meters.at(3).first });
        QVERIFY(picked);
        QCOMPARE(picked.value(), (Devices { meters.at(0) }));
    }

    // "devices" as am-albion listed the meters moving to Albion with Rheinfunk's enabled ICCIDs
    // and operator: the list joined the enabled profile with no operator filter.
    void deviceListShowsNoOtherOperatorsIccid()
    {
        const access::Session albion = login("am-albion");
        QHash<QString, store::DeviceOverview> rows;
        const QStringList seen = eidsSeenBy(albion, &rows);
        const Devices meters = fleetDevices("Rheinau smart meters");
        QVERIFY2(seen.contains(meters.at(0).second), qPrintable(seen.join(u' ')));
        for (const auto &o : std::as_const(rows)) {
            QVERIFY2(!o.operatorName || *o.operatorName == u"Albion Telecom", qPrintable(o.device.eid));
            QVERIFY2(!o.iccid, qPrintable(o.device.eid + u' ' + o.iccid.value_or(QString())));
        }
        // The page the desktop shows and the figures on its dashboard say the same.
        const auto page = fleet::FleetQueries(*m_ws).devicePage(albion, {}, 0, 100);
        QVERIFY(page);
        for (const auto &o : page.value())
            QVERIFY2(!o.iccid, qPrintable(o.device.eid));
        const auto figures = fleet::FleetQueries(*m_ws).figures(albion);
        QVERIFY(figures);
        QVERIFY2(!figures->byOperator.contains(QStringLiteral("Rheinfunk")), "Rheinfunk's devices counted for Albion");

        // Nor does a filter on the operator tell which of them run Rheinfunk: for am-albion a
        // device running another operator's profile runs none, as the list shows it.
        const auto rheinfunk = fleet::DeviceFilter::parse(QStringLiteral("operator=Rheinfunk")).value();
        QVERIFY(rheinfunk.selectIds(m_ws->database(), albion.scope()).value().isEmpty());
        store::DeviceRepository::PageQuery filtered;
        filtered.where = rheinfunk.whereClause(&filtered.values, albion.scope());
        QCOMPARE(fleet::FleetQueries(*m_ws).deviceCount(albion, filtered).value(), 0);
        const auto none = fleet::DeviceFilter::parse(QStringLiteral("operator=none")).value();
        QCOMPARE(none.selectIds(m_ws->database(), albion.scope()).value().size(), seen.size());
        QCOMPARE(rheinfunk.selectIds(m_ws->database(), testing::ownerOf(*m_ws).scope()).value().size(), 4);

        // The owner still sees every enabled ICCID.
        QHash<QString, store::DeviceOverview> all;
        eidsSeenBy(testing::ownerOf(*m_ws), &all);
        QVERIFY(all.value(meters.at(0).second).iccid.has_value());
    }

    // A campaign to Albion made a meter visible to am-albion whatever its item's state: one
    // skipped (the change will never touch it) still showed. Only a device the campaign is
    // still moving is in view.
    void finishedCampaignItemDoesNotWidenTheScope()
    {
        const Devices meters = fleetDevices("Rheinau smart meters");
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("UPDATE campaign SET state = 'paused' WHERE id = %1").arg(m_changeId)));
        for (const char *state : { "skipped", "failed", "cancelled", "rolled-back" }) {
            q.prepare(QStringLiteral("UPDATE campaign_item SET state = ? WHERE campaign_id = ? AND device_id = ?"));
            q.addBindValue(QLatin1StringView(state));
            q.addBindValue(m_changeId);
            q.addBindValue(meters.at(1).first);
            QVERIFY(q.exec());
            const QStringList seen = eidsSeenBy(login("am-albion"));
            QVERIFY2(seen.contains(meters.at(0).second), state);
            QVERIFY2(!seen.contains(meters.at(1).second), state);
        }
        q.prepare(QStringLiteral("UPDATE campaign_item SET state = 'pending' WHERE campaign_id = ?"));
        q.addBindValue(m_changeId);
        QVERIFY(q.exec());
    }

    // The campaign report gave am-albion the ICCID each meter ran before the change: Rheinfunk's.
    void campaignReportShowsOnlyTheirOwnNumbers()
    {
        const Devices meters = fleetDevices("Rheinau smart meters");
        const store::ProfileRecord before = store::ProfileRepository(m_ws->database()).forDevice(meters.at(0).first).value().first();
        QSqlQuery q(m_ws->database());
        // The change began for this meter: its item names the profile it ran.
        q.prepare(QStringLiteral("UPDATE campaign_item SET old_profile_id = ? WHERE campaign_id = ? AND device_id = ?"));
        q.addBindValue(before.id);
        q.addBindValue(m_changeId);
        q.addBindValue(meters.at(0).first);
        QVERIFY(q.exec());
        const auto report = [&](const access::Session &who) {
            QBuffer out;
            out.open(QIODevice::WriteOnly);
            const auto written = campaigns::CampaignQueries(*m_ws).writeReport(who, m_changeId, out);
            return written ? out.data() : written.errorMessage().toUtf8();
        };
        QVERIFY2(report(testing::ownerOf(*m_ws)).contains(before.iccid.toLatin1()), "the owner sees it");
        const QByteArray albion = report(login("am-albion"));
        QVERIFY2(albion.contains(meters.at(0).second.toLatin1()), albion.constData());
        QVERIFY2(!albion.contains(before.iccid.toLatin1()), albion.constData());
    }

    // The enroll wizard's and the campaign wizard's name lists held every fleet and customer.
    void fleetAndCustomerNamesAreScoped()
    {
        const fleet::FleetQueries queries(*m_ws);
        const auto iberiaFleets = queries.fleets(login("am-iberia"));
        QVERIFY(iberiaFleets);
        QVERIFY(iberiaFleets->isEmpty());
        const auto iberiaCustomers = queries.customers(login("am-iberia"));
        QVERIFY(iberiaCustomers);
        QVERIFY(iberiaCustomers->isEmpty());

        QStringList fleets, customers;
        for (const auto &f : queries.fleets(login("am-albion")).value())
            fleets << f.name;
        for (const auto &c : queries.customers(login("am-albion")).value())
            customers << c.name;
        fleets.sort();
        customers.sort();
        QCOMPARE(fleets, (QStringList { QStringLiteral("PAYD car units"), QStringLiteral("Rheinau smart meters") }));
        QCOMPARE(customers, (QStringList { QStringLiteral("Cover & Go Insurance"), QStringLiteral("Stadtwerke Rheinau") }));
        QCOMPARE(queries.fleets(login("operations"))->size(), 3);
        QCOMPARE(queries.customers(login("viewer"))->size(), 3);
    }

    // The attack exactly as run: simfleet-cli attest --fleet "Container trackers" as am-iberia.
    void cliAttestAnswersAsForAnUnknownFleet()
    {
        m_field.reset();
        m_ws.reset();
        const auto run = [&](const QString &fleet) -> QString {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("demo"));
            p.setProcessEnvironment(env);
            p.setStandardInputFile(QProcess::nullDevice());
            p.start(QStringLiteral(SIMFLEET_CLI),
                    { QStringLiteral("-w"), test::withoutUser(m_path), QStringLiteral("--user"), QStringLiteral("am-iberia"), QStringLiteral("attest"),
                      QStringLiteral("--fleet"), fleet, QStringLiteral("--timeout"), QStringLiteral("1") });
            if (!p.waitForFinished(60000))
                return QStringLiteral("(did not finish)");
            return QString::number(p.exitCode()) + u'|' + QString::fromUtf8(p.readAllStandardError()).replace(fleet, QStringLiteral("<NAME>"))
                + QString::fromUtf8(p.readAllStandardOutput());
        };
        const QString trackers = run(QStringLiteral("Container trackers"));
        QCOMPARE(trackers, run(QStringLiteral("Atlantis buoys")));
        QVERIFY2(trackers.startsWith(u"1|"), qPrintable(trackers));
    }

private:
    qint64 m_changeId = 0;
};

QTEST_GUILESS_MAIN(TestScopeLeaks)
#include "tst_scopeleaks.moc"
