// Users, roles and scoping (DESIGN.md "Access"): every service call against every role, the
// account managers' scope over lists, counts, exports and reports, logins, throttling and idle
// sessions.

#include "access/accessservice.h"
#include "access/audittrail.h"
#include "access/session.h"
#include "attestation/attestationservice.h"
#include "attestation/referencevaluebook.h"
#include "campaigns/campaignqueries.h"
#include "campaigns/campaignservice.h"
#include "core/clock.h"
#include "simulation/simulatedfield.h"
#include "simulation/demoworkspace.h"
#include "fleet/enrollment.h"
#include "fleet/operatorbook.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/profilerepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "testsession.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;

namespace {

enum class Expect { Allowed, NotPermitted, Hidden };

const QByteArray demoPassword(simulation::demoPassword);

// Everything a forbidden call could have touched, as one comparable string.
QString fingerprint(store::Workspace &ws)
{
    QSqlQuery q(ws.database());
    QStringList parts;
    for (const char *table : { "device", "fleet", "customer", "profile", "campaign", "campaign_item", "app_user",
                               "audit_entry", "reference_value", "attestation_result", "attestation_nonce",
                               "workspace_setting" }) {
        q.exec(QStringLiteral("SELECT count(*) FROM %1").arg(QLatin1StringView(table)));
        q.next();
        parts << QStringLiteral("%1=%2").arg(QLatin1StringView(table)).arg(q.value(0).toLongLong());
    }
    q.exec(QStringLiteral("SELECT group_concat(state) FROM (SELECT state FROM campaign_item ORDER BY id)"));
    q.next();
    parts << q.value(0).toString();
    q.exec(QStringLiteral("SELECT group_concat(role || ':' || ifnull(operator_id, '')) FROM (SELECT * FROM app_user ORDER BY id)"));
    q.next();
    parts << q.value(0).toString();
    q.exec(QStringLiteral("SELECT group_concat(attestation_max_age_s || '/' || fallback_allowed || '/' || disable_allowed"
                          " || '/' || msin_last || '/' || iccid_last)"
                          " FROM (SELECT * FROM operator ORDER BY id)"));
    q.next();
    parts << q.value(0).toString();
    q.finish();
    return parts.join(u' ');
}

QString lastAuditActor(store::Workspace &ws)
{
    QSqlQuery q(ws.database());
    q.exec(QStringLiteral("SELECT actor FROM audit_entry ORDER BY seq DESC LIMIT 1"));
    const QString actor = q.next() ? q.value(0).toString() : QString();
    q.finish();
    return actor;
}

// One workspace copy per row, so every call starts from the same state.
struct Fixture
{
    std::unique_ptr<store::Workspace> ws;
    std::unique_ptr<simulation::SimulatedField> field;
    qint64 campaignId = 0; // meters to Rheinfunk, created, not run
    QList<qint64> meters;  // home operator Rheinfunk
    QList<qint64> cars;    // home operator Albion
    qint64 rheinfunk = 0;
    qint64 albion = 0;
};

QList<qint64> fleetIds(store::Workspace &ws, const QString &fleet)
{
    QList<qint64> ids;
    const auto f = store::FleetRepository(ws.database()).findUnique(fleet).value();
    for (const auto &d : store::DeviceRepository(ws.database()).idsInFleet(f.id).value())
        ids.append(d.first);
    return ids;
}

QList<std::pair<qint64, QString>> withEids(store::Workspace &ws, const QList<qint64> &ids)
{
    return store::DeviceRepository(ws.database()).withEids(ids).value();
}

using Call = std::function<Result<void>(Fixture &, const access::Session &)>;

template<typename T>
Result<void> asVoid(const Result<T> &r)
{
    return r ? Result<void>() : Result<void>(r.error());
}

campaigns::CampaignSettings quick()
{
    campaigns::CampaignSettings s;
    s.answerTimeoutMs = 2000;
    return s;
}

struct CallSpec
{
    const char *name;
    bool writes; // an allowed call leaves an audit entry naming the user
    Call call;
};

const QList<CallSpec> &calls()
{
    static const QList<CallSpec> list {
        { "enroll", true,
          [](Fixture &f, const access::Session &s) {
              QBuffer csv;
              csv.setData("eid,imei,serial,model,secure_element\n"
                          "89049032000000000000000000000066,352099000000006,SM-1000,MeterOne M2,integrated-uicc\n");
              csv.open(QIODevice::ReadOnly);
              auto preview = fleet::Enrollment::preview(csv, f.ws->database(), QStringLiteral("test.csv"));
              if (!preview)
                  return Result<void>(preview.error());
              return asVoid(fleet::Enrollment::commit(*f.ws, s, preview.value(), { QStringLiteral("New meters"), QStringLiteral("Stadtwerke Rheinau"), {} }));
          } },
        { "attest-meters", true,
          [](Fixture &f, const access::Session &s) {
              attestation::AttestationService service(*f.ws, *f.field);
              return asVoid(service.attest(s, withEids(*f.ws, f.meters.mid(0, 3))));
          } },
        { "provision-cars", true,
          [](Fixture &f, const access::Session &s) {
              devices::NoDeviceLinks none;
              return asVoid(campaigns::CampaignService(*f.ws, none).create(
                  s, { campaigns::CampaignKind::InitialProvisioning, {}, f.albion, std::nullopt, f.cars, quick() }));
          } },
        { "change-meters", true,
          [](Fixture &f, const access::Session &s) {
              devices::NoDeviceLinks none;
              return asVoid(campaigns::CampaignService(*f.ws, none).create(
                  s, { campaigns::CampaignKind::SubscriptionChange, {}, f.albion, std::nullopt, f.meters, quick() }));
          } },
        { "run", true,
          [](Fixture &f, const access::Session &s) {
              return asVoid(campaigns::CampaignService(*f.ws, *f.field).run(s, f.campaignId));
          } },
        { "retry-failed", true,
          [](Fixture &f, const access::Session &s) {
              devices::NoDeviceLinks none;
              return asVoid(campaigns::CampaignService(*f.ws, none).retryFailed(s, f.campaignId));
          } },
        { "campaign-list", false,
          [](Fixture &f, const access::Session &s) {
              return asVoid(campaigns::CampaignQueries(*f.ws).list(s));
          } },
        { "campaign-summary", false,
          [](Fixture &f, const access::Session &s) {
              return asVoid(campaigns::CampaignQueries(*f.ws).summary(s, f.campaignId));
          } },
        { "campaign-report", false,
          [](Fixture &f, const access::Session &s) {
              QBuffer out;
              out.open(QIODevice::WriteOnly);
              return campaigns::CampaignQueries(*f.ws).writeReport(s, f.campaignId, out);
          } },
        { "audit-verify", false,
          [](Fixture &f, const access::Session &s) { return asVoid(access::AuditTrail::verify(*f.ws, s)); } },
        { "audit-read", false,
          [](Fixture &f, const access::Session &s) { return asVoid(access::AuditTrail::read(*f.ws, s, {}, 0, 100)); } },
        { "reference-values-add", true,
          [](Fixture &f, const access::Session &s) {
              store::ReferenceValueRecord r;
              r.manufacturer = QStringLiteral("Test");
              r.hwmodel = QStringLiteral("Test model");
              r.swname = QStringLiteral("fw");
              r.swversion = QStringLiteral("9.9");
              r.measurements = { { QStringLiteral("boot"), QByteArray(32, 'x') } };
              r.addedAt = f.ws->clock().now();
              return attestation::ReferenceValueBook::add(*f.ws, s, r);
          } },
        { "users-list", false,
          [](Fixture &f, const access::Session &s) { return asVoid(access::AccessService(*f.ws).users(s)); } },
        { "user-add", true,
          [](Fixture &f, const access::Session &s) {
              return access::AccessService(*f.ws).addUser(
                  s, { QStringLiteral("newcomer"), access::Role::Viewer, {}, QByteArray("quartz harbour lantern") });
          } },
        { "user-remove", true,
          [](Fixture &f, const access::Session &s) {
              return access::AccessService(*f.ws).removeUser(s, QStringLiteral("am-iberia"));
          } },
        { "user-role", true,
          [](Fixture &f, const access::Session &s) {
              return access::AccessService(*f.ws).setRole(s, QStringLiteral("am-iberia"), access::Role::Viewer, {}, std::nullopt);
          } },
        { "operator-policy", true,
          [](Fixture &f, const access::Session &s) {
              return fleet::OperatorBook::setPolicy(*f.ws, s, f.albion, { 3600, false, true });
          } },
        { "operator-ranges", true,
          [](Fixture &f, const access::Session &s) {
              auto op = store::OperatorRepository(f.ws->database()).find(f.albion).value().value();
              return fleet::OperatorBook::setRangeEnds(*f.ws, s, f.albion, op.msinLast + 1000, op.iccidLast);
          } },
        { "idle-time", true,
          [](Fixture &f, const access::Session &s) { return access::AccessService(*f.ws).setIdleMinutes(s, 5); } },
    };
    return list;
}

// Who may do what; the rows the table-driven test runs.
const QHash<QString, QList<Expect>> &expectations()
{
    using E = Expect;
    //                                  admin        operations   viewer          am-rheinfunk    am-albion
    static const QHash<QString, QList<Expect>> table {
        { "enroll", { E::Allowed, E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        // Out of an account manager's scope looks exactly like absent (issue 17, Medium 6).
        { "attest-meters", { E::Allowed, E::Allowed, E::NotPermitted, E::Allowed, E::Hidden } },
        { "provision-cars", { E::Allowed, E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "change-meters", { E::Allowed, E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "run", { E::Allowed, E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "retry-failed", { E::Allowed, E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "campaign-list", { E::Allowed, E::Allowed, E::Allowed, E::Allowed, E::Allowed } },
        { "campaign-summary", { E::Allowed, E::Allowed, E::Allowed, E::Allowed, E::Hidden } },
        { "campaign-report", { E::Allowed, E::Allowed, E::Allowed, E::Allowed, E::Hidden } },
        { "audit-verify", { E::Allowed, E::Allowed, E::Allowed, E::NotPermitted, E::NotPermitted } },
        { "audit-read", { E::Allowed, E::Allowed, E::Allowed, E::NotPermitted, E::NotPermitted } },
        { "reference-values-add", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "users-list", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "user-add", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "user-remove", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "user-role", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "idle-time", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "operator-policy", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
        { "operator-ranges", { E::Allowed, E::NotPermitted, E::NotPermitted, E::NotPermitted, E::NotPermitted } },
    };
    return table;
}

const QStringList users { QStringLiteral("admin"), QStringLiteral("operations"), QStringLiteral("viewer"),
                          QStringLiteral("am-rheinfunk"), QStringLiteral("am-albion") };

} // namespace

Q_DECLARE_METATYPE(Expect)

class TestAccess : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_template;
    int m_copies = 0;

    // A copy of the template workspace (and its key file and simulated field).
    // Opened without the passphrase, as a user opens it, unless ownerUnlocks.
    std::unique_ptr<Fixture> fixture(const Clock *clock = nullptr, bool ownerUnlocks = false)
    {
        const QString dir = m_dir.filePath(QStringLiteral("copy%1").arg(++m_copies));
        QDir().mkpath(dir);
        const QString path = dir + QStringLiteral("/ws.simfleet");
        const QString field = simulation::SimulatedField::pathForWorkspace(m_template);
        if (!QFile::copy(m_template, path) || !QFile::copy(store::Workspace::keyFilePath(m_template), store::Workspace::keyFilePath(path))
            || !QFile::copy(field, simulation::SimulatedField::pathForWorkspace(path)))
            return nullptr;
        auto f = std::make_unique<Fixture>();
        auto ws = store::Workspace::open(path, clock);
        auto fd = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path), clock);
        if (!ws || !fd)
            return nullptr;
        f->ws = std::move(ws).value();
        if (ownerUnlocks && !f->ws->unlockWithKeyFile())
            return nullptr;
        f->field = std::move(fd).value();
        f->field->setTiming({ std::chrono::milliseconds(0), 7200 });
        f->meters = fleetIds(*f->ws, QStringLiteral("Rheinau smart meters"));
        f->cars = fleetIds(*f->ws, QStringLiteral("PAYD car units"));
        store::OperatorRepository operators(f->ws->database());
        f->rheinfunk = operators.findByName(QStringLiteral("Rheinfunk")).value()->id;
        f->albion = operators.findByName(QStringLiteral("Albion Telecom")).value()->id;
        QSqlQuery q(f->ws->database());
        q.exec(QStringLiteral("SELECT max(id) FROM campaign"));
        q.next();
        f->campaignId = q.value(0).toLongLong();
        q.finish();
        return f;
    }

    static access::Session logIn(Fixture &f, const QString &user)
    {
        auto session = access::AccessService(*f.ws).login(user, demoPassword);
        if (!session)
            qFatal("%s cannot log in: %s", qPrintable(user), qPrintable(session.errorMessage()));
        return session.value();
    }

    // Runs a campaign as the owner and returns its id.
    static qint64 runAsOwner(Fixture &f, campaigns::CampaignKind kind, qint64 operatorId, const QList<qint64> &devices)
    {
        campaigns::CampaignService service(*f.ws, *f.field);
        const auto owner = testing::ownerOf(*f.ws);
        auto id = service.create(owner, { kind, {}, operatorId, std::nullopt, devices, quick() });
        auto summary = id ? service.run(owner, id.value()) : Result<campaigns::CampaignSummary>(id.error());
        if (!summary || summary->succeeded != devices.size())
            qFatal("the owner's campaign failed: %s", qPrintable(summary ? QString::fromUtf8(QJsonDocument(summary->toJson()).toJson()) : summary.errorMessage()));
        return id.value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_template = m_dir.filePath(QStringLiteral("template.simfleet"));
        auto ws = simulation::DemoWorkspace::create(m_template, nullptr, { 12, 6, 6, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        // A campaign for the meters' home operator, created by the owner and not yet run.
        devices::NoDeviceLinks none;
        const auto home = store::FleetRepository(ws.value()->database()).findUnique(QStringLiteral("Rheinau smart meters")).value();
        auto id = campaigns::CampaignService(*ws.value(), none)
                      .create(testing::ownerOf(*ws.value()), { campaigns::CampaignKind::InitialProvisioning, {},
                                                               *home.homeOperatorId, std::nullopt,
                                                               fleetIds(*ws.value(), home.name), quick() });
        QVERIFY2(id, qPrintable(id.errorMessage()));
    }

    void everyCallEveryRole_data()
    {
        QTest::addColumn<QString>("call");
        QTest::addColumn<QString>("user");
        QTest::addColumn<Expect>("expect");
        for (const CallSpec &c : calls()) {
            const QList<Expect> row = expectations().value(QLatin1StringView(c.name));
            QVERIFY2(row.size() == users.size(), c.name);
            for (qsizetype u = 0; u < users.size(); ++u)
                QTest::addRow("%s as %s", c.name, qPrintable(users.at(u))) << QString::fromLatin1(c.name) << users.at(u) << row.at(u);
        }
    }

    // Allowed calls succeed (and state changes name the user in the audit log); forbidden ones
    // fail with "not permitted" and change nothing; another operator's campaign is not there.
    void everyCallEveryRole()
    {
        QFETCH(QString, call);
        QFETCH(QString, user);
        QFETCH(Expect, expect);
        auto f = fixture();
        QVERIFY(f);
        const access::Session session = logIn(*f, user);
        const auto spec = std::find_if(calls().cbegin(), calls().cend(), [&](const CallSpec &c) { return call == QLatin1StringView(c.name); });
        QVERIFY(spec != calls().cend());
        const QString before = fingerprint(*f->ws);
        const Result<void> outcome = spec->call(*f, session);
        switch (expect) {
        case Expect::Allowed:
            QVERIFY2(outcome, qPrintable(outcome.errorMessage()));
            if (spec->writes)
                QCOMPARE(lastAuditActor(*f->ws), user);
            break;
        case Expect::NotPermitted:
            QVERIFY(!outcome);
            QCOMPARE(outcome.error().code, ErrorCode::NotPermitted);
            QVERIFY2(outcome.errorMessage().contains(QStringLiteral("not permitted")), qPrintable(outcome.errorMessage()));
            QCOMPARE(fingerprint(*f->ws), before);
            break;
        case Expect::Hidden:
            QVERIFY(!outcome);
            QCOMPARE(outcome.error().code, ErrorCode::None); // what an absent thing gets, not NotPermitted
            QVERIFY2(outcome.errorMessage().startsWith(QStringLiteral("there is no campaign"))
                         || (outcome.errorMessage().startsWith(QStringLiteral("no device with EID"))
                             && outcome.errorMessage().endsWith(QStringLiteral("is enrolled"))),
                     qPrintable(outcome.errorMessage()));
            QCOMPARE(fingerprint(*f->ws), before);
            break;
        }
    }

    // Two operators' account managers over one workspace: each sees exactly the devices,
    // profiles and campaigns that involve their operator, in lists, counts, exports and reports.
    void accountManagersSeeOnlyTheirOperator()
    {
        auto f = fixture(nullptr, true);
        QVERIFY(f);
        // The template's campaign to Rheinfunk, never run, is cancelled: an unfinished campaign
        // to an operator would keep the devices in its manager's view.
        QVERIFY(f->ws->writer().run([&](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            return q.exec(QStringLiteral("UPDATE campaign SET state = 'cancelled' WHERE id = %1").arg(f->campaignId))
                ? Result<void>()
                : fail(QStringLiteral("cancelling failed"));
        }));
        const qint64 meters = runAsOwner(*f, campaigns::CampaignKind::InitialProvisioning, f->rheinfunk, f->meters);
        const qint64 cars = runAsOwner(*f, campaigns::CampaignKind::InitialProvisioning, f->albion, f->cars);
        const qint64 moved = runAsOwner(*f, campaigns::CampaignKind::SubscriptionChange, f->albion, f->meters.mid(0, 3));
        const campaigns::CampaignQueries campaigns(*f->ws);
        store::DeviceRepository devices(f->ws->database());
        store::ProfileRepository profiles(f->ws->database());

        struct Seen
        {
            qint64 devices;
            QList<qint64> campaigns;
            QString profileOperator;
            qint64 reportRows; // of the change campaign, without the header
            qint64 changeTotal; // the change campaign's summary
            qint64 exported;    // rows of the CSV export
            qint64 paged;       // rows of the device table
        };
        const auto view = [&](const QString &user) {
            const access::Session s = logIn(*f, user);
            Seen seen {};
            seen.devices = devices.countMatching(s.scope(), {}).value();
            (void)devices.forEachOverview(s.scope(), std::nullopt, [&](const store::DeviceOverview &) { ++seen.exported; });
            seen.paged = devices.overviewPage(s.scope(), {}, 0, 1000).value().size();
            for (const auto &c : campaigns.list(s).value())
                seen.campaigns.append(c.campaignId);
            QSet<QString> operators;
            for (const auto &p : profiles.overview(s.scope(), std::nullopt, std::nullopt).value())
                operators.insert(p.operatorName);
            seen.profileOperator = QStringList(operators.begin(), operators.end()).join(u',');
            QBuffer report;
            report.open(QIODevice::WriteOnly);
            if (campaigns.writeReport(s, moved, report))
                seen.reportRows = report.data().count('\n') - 1;
            if (auto summary = campaigns.summary(s, moved))
                seen.changeTotal = summary->total;
            return seen;
        };

        const auto consistent = [](const Seen &seen) { return seen.exported == seen.devices && seen.paged == seen.devices; };
        const Seen r = view(QStringLiteral("am-rheinfunk"));
        QVERIFY(consistent(r));
        QCOMPARE(r.devices, 12 - 3); // three meters left for Albion
        QCOMPARE(r.campaigns, (QList<qint64> { f->campaignId, meters, moved })); // the change moved its devices away
        QCOMPARE(r.profileOperator, QStringLiteral("Rheinfunk"));
        QCOMPARE(r.reportRows, 3);
        QCOMPARE(r.changeTotal, 3);

        const Seen a = view(QStringLiteral("am-albion"));
        QVERIFY(consistent(a));
        QCOMPARE(a.devices, 6 + 3);
        QCOMPARE(a.campaigns, (QList<qint64> { cars, moved }));
        QCOMPARE(a.profileOperator, QStringLiteral("Albion Telecom"));
        QCOMPARE(a.reportRows, 3);
        QCOMPARE(a.changeTotal, 3);

        const Seen n = view(QStringLiteral("am-nordlink")); // the trackers' home operator, none provisioned
        QVERIFY(consistent(n));
        QCOMPARE(n.devices, 6);
        QVERIFY(n.campaigns.isEmpty());
        QCOMPARE(n.profileOperator, QString());
        QCOMPARE(n.reportRows, 0);

        const Seen v = view(QStringLiteral("viewer"));
        QVERIFY(consistent(v));
        QCOMPARE(v.devices, 24);
        QCOMPARE(v.campaigns.size(), 4);
        QCOMPARE(v.reportRows, 3);

        // Another operator's campaign is absent for them, not forbidden: even its existence is not theirs.
        const access::Session nordlink = logIn(*f, QStringLiteral("am-nordlink"));
        const auto hidden = campaigns.summary(nordlink, cars);
        QVERIFY(!hidden);
        QCOMPARE(hidden.errorMessage(), QStringLiteral("there is no campaign %1").arg(cars));
        // And a device outside their scope cannot be attested by them: for them it is not there.
        attestation::AttestationService attest(*f->ws, *f->field);
        const auto refused = attest.attest(nordlink, withEids(*f->ws, f->meters.mid(5, 1)));
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::None);
        QVERIFY2(refused.errorMessage().startsWith(QStringLiteral("no device with EID")), qPrintable(refused.errorMessage()));
    }

    // Wrong passwords are counted and slowed down, the same answer for an unknown name; a right
    // one clears the count. Only the count (and an audit line) is written.
    void failedLoginsAreCountedAndSlowedDown()
    {
        ManualClock clock(QDateTime::currentDateTimeUtc());
        auto f = fixture(&clock);
        QVERIFY(f);
        access::AccessService access(*f->ws);
        const auto unknown = access.login(QStringLiteral("nobody"), demoPassword);
        QVERIFY(!unknown);
        QCOMPARE(unknown.errorMessage(), access::AccessService::loginRefusal());
        const QString before = fingerprint(*f->ws);
        for (int i = 0; i < access::AccessService::freeAttempts; ++i) {
            const auto wrong = access.login(QStringLiteral("operations"), "guess");
            QVERIFY(!wrong);
            QCOMPARE(wrong.errorMessage(), access::AccessService::loginRefusal());
        }
        QVERIFY(!f->ws->isUnlocked());
        // Locked for 30 s now, even with the right password, and told exactly what an unknown
        // name is told: nothing says the name exists or is locked.
        const auto throttled = access.login(QStringLiteral("operations"), demoPassword);
        QVERIFY(!throttled);
        QCOMPARE(throttled.error().code, unknown.error().code);
        QCOMPARE(throttled.errorMessage(), unknown.errorMessage());
        clock.advance(31);
        // Another failure doubles the wait: refused after 31 s, let in after 61.
        QVERIFY(!access.login(QStringLiteral("operations"), "guess again"));
        clock.advance(31);
        QVERIFY(!access.login(QStringLiteral("operations"), demoPassword));
        clock.advance(30);
        const auto right = access.login(QStringLiteral("operations"), demoPassword);
        QVERIFY2(right, qPrintable(right.errorMessage()));
        QVERIFY(f->ws->isUnlocked()); // Operations' key slot opened the workspace
        QVERIFY(!access.ownerSession()); // the owner needs the passphrase, not a user's key slot
        QVERIFY(f->ws->unlockWithKeyFile());
        for (const auto &u : access.users(testing::ownerOf(*f->ws)).value()) {
            if (u.name == u"operations")
                QCOMPARE(u.failedLogins, 0);
        }
        // Nothing but the user's counters and the audit lines changed.
        QString after = fingerprint(*f->ws);
        const auto withoutAudit = [](QString s) { return s.remove(QRegularExpression(QStringLiteral("audit_entry=\\d+ "))); };
        QCOMPARE(withoutAudit(after), withoutAudit(before));
    }

    // Viewers and account managers hold no key slot: logging in leaves the secrets locked.
    void onlySecretRolesUnlockTheWorkspace()
    {
        for (const QString &user : { QStringLiteral("viewer"), QStringLiteral("am-albion") }) {
            auto f = fixture();
            QVERIFY(f);
            logIn(*f, user);
            QVERIFY2(!f->ws->isUnlocked(), qPrintable(user));
        }
        auto f = fixture();
        QVERIFY(f);
        const access::Session admin = logIn(*f, QStringLiteral("admin"));
        QVERIFY(f->ws->isUnlocked());
        QVERIFY(!f->ws->isUnlockedByPassphrase());
        // A user made a Viewer loses the slot; made Operations again, they need a new password.
        access::AccessService access(*f->ws);
        QVERIFY(access.setRole(admin, QStringLiteral("operations"), access::Role::Viewer, {}, std::nullopt));
        const auto needsPassword = access.setRole(admin, QStringLiteral("operations"), access::Role::Operations, {}, std::nullopt);
        QVERIFY(!needsPassword);
        QVERIFY(needsPassword.errorMessage().contains(QStringLiteral("new password")));
        QVERIFY(access.setRole(admin, QStringLiteral("operations"), access::Role::Operations, {}, QByteArray("fresh copper meadow")));
        auto g = access.login(QStringLiteral("operations"), "fresh copper meadow");
        QVERIFY2(g, qPrintable(g.errorMessage()));
        QCOMPARE(g->role(), access::Role::Operations);
    }

    void userRulesHold()
    {
        auto f = fixture();
        QVERIFY(f);
        const access::Session admin = logIn(*f, QStringLiteral("admin"));
        access::AccessService access(*f->ws);
        const auto cases = QList<std::pair<access::NewUser, QString>> {
            { { QStringLiteral("admin"), access::Role::Viewer, {}, "violet gravel sextant" }, QStringLiteral("already a user admin") },
            { { QStringLiteral("two words"), access::Role::Viewer, {}, "violet gravel sextant" }, QStringLiteral("contains a space") },
            { { QStringLiteral("short"), access::Role::Viewer, {}, "abc" }, QStringLiteral("at least 12 characters") },
            { { QStringLiteral("am"), access::Role::OperatorAccountManager, {}, "violet gravel sextant" }, QStringLiteral("needs the operator") },
            { { QStringLiteral("am"), access::Role::OperatorAccountManager, QStringLiteral("Nowhere Mobile"), "violet gravel sextant" },
              QStringLiteral("there is no operator Nowhere Mobile") },
            { { QStringLiteral("v"), access::Role::Viewer, QStringLiteral("Rheinfunk"), "violet gravel sextant" },
              QStringLiteral("only an operator account manager") },
        };
        const QString before = fingerprint(*f->ws);
        for (const auto &[user, message] : cases) {
            const auto r = access.addUser(admin, user);
            QVERIFY(!r);
            QVERIFY2(r.errorMessage().contains(message), qPrintable(r.errorMessage()));
        }
        const auto self = access.removeUser(admin, QStringLiteral("admin"));
        QVERIFY(!self);
        QCOMPARE(fingerprint(*f->ws), before);
        // The last Administrator stays.
        QVERIFY(f->ws->unlockWithKeyFile());
        const auto last = access.removeUser(testing::ownerOf(*f->ws), QStringLiteral("admin"));
        QVERIFY(!last);
        QVERIFY(last.errorMessage().contains(QStringLiteral("last Administrator")));
    }

    // A range can grow, or shrink down to the numbers issued, never below; the digits it has set
    // its largest end.
    void rangeEndsNeverBelowIssued()
    {
        auto f = fixture(nullptr, true);
        QVERIFY(f);
        runAsOwner(*f, campaigns::CampaignKind::InitialProvisioning, f->rheinfunk, f->meters);
        const access::Session admin = logIn(*f, QStringLiteral("admin"));
        const auto op = store::OperatorRepository(f->ws->database()).find(f->rheinfunk).value().value();
        QCOMPARE(op.msinNext - op.msinFirst, 12);
        const QString before = fingerprint(*f->ws);
        const auto below = fleet::OperatorBook::setRangeEnds(*f->ws, admin, f->rheinfunk, op.msinFirst + 5, op.iccidLast);
        QVERIFY(!below);
        QVERIFY2(below.errorMessage().contains(QStringLiteral("already issued numbers beyond those ends")), qPrintable(below.errorMessage()));
        const auto tooLong = fleet::OperatorBook::setRangeEnds(*f->ws, admin, f->rheinfunk, 99'999'999'999LL, op.iccidLast);
        QVERIFY(!tooLong);
        QVERIFY(tooLong.errorMessage().contains(QStringLiteral("digits")));
        QCOMPARE(fingerprint(*f->ws), before);
        QVERIFY(fleet::OperatorBook::setRangeEnds(*f->ws, admin, f->rheinfunk, op.msinFirst + 11, op.iccidLast));
        QCOMPARE(store::OperatorRepository(f->ws->database()).find(f->rheinfunk).value()->msinLast, op.msinFirst + 11);
        QCOMPARE(lastAuditActor(*f->ws), QStringLiteral("admin"));
    }

    void firstUserIsTheAdministrator()
    {
        const QString path = m_dir.filePath(QStringLiteral("fresh.simfleet"));
        auto ws = store::Workspace::create(path, QStringLiteral("Fresh"), "a fine passphrase", nullptr, { 1024, 8, 1 });
        QVERIFY(ws);
        access::AccessService access(*ws.value());
        const auto owner = access.ownerSession();
        QVERIFY(owner);
        const auto viewer = access.addUser(owner.value(), { QStringLiteral("vera"), access::Role::Viewer, {}, "orchid tundra ballast" });
        QVERIFY(!viewer);
        QVERIFY(viewer.errorMessage().contains(QStringLiteral("first user of a workspace is its Administrator")));
        QVERIFY(access.addUser(owner.value(), { QStringLiteral("ada"), access::Role::Administrator, {}, "orchid tundra ballast" }));
        QVERIFY(access.addUser(owner.value(), { QStringLiteral("vera"), access::Role::Viewer, {}, "orchid tundra ballast" }));
        // Opened again without the passphrase, there is no owner; ada's password is enough.
        ws.value().reset();
        auto again = store::Workspace::open(path);
        QVERIFY(again);
        access::AccessService reopened(*again.value());
        QVERIFY(!reopened.ownerSession());
        auto ada = reopened.login(QStringLiteral("ada"), "orchid tundra ballast");
        QVERIFY2(ada, qPrintable(ada.errorMessage()));
        QVERIFY(again.value()->isUnlocked());
    }

    void idleSessionsEnd()
    {
        ManualClock clock(QDateTime::currentDateTimeUtc());
        auto f = fixture(&clock);
        QVERIFY(f);
        const access::Session admin = logIn(*f, QStringLiteral("admin"));
        QVERIFY(access::AccessService(*f->ws).setIdleMinutes(admin, 10));
        const access::Session viewer = logIn(*f, QStringLiteral("viewer"));
        clock.advance(9 * 60);
        QVERIFY(viewer.require(access::Permission::ViewFleet, clock)); // and that counts as activity
        clock.advance(9 * 60);
        QVERIFY(viewer.require(access::Permission::ViewFleet, clock));
        clock.advance(11 * 60);
        const auto expired = viewer.require(access::Permission::ViewFleet, clock);
        QVERIFY(!expired);
        QCOMPARE(expired.error().code, ErrorCode::SessionExpired);
        const auto list = campaigns::CampaignQueries(*f->ws).list(viewer);
        QVERIFY(!list);
        QVERIFY(list.errorMessage().contains(QStringLiteral("log in again")));
    }
};

QTEST_GUILESS_MAIN(TestAccess)
#include "tst_access.moc"
