#include "access/accessservice.h"
#include "access/session.h"
#include "campaigns/runlock.h"
#include "simulation/demoworkspace.h"
#include "store/devicerepository.h"
#include "store/accessschema.h"
#include "store/auditlog.h"
#include "store/databaseconnection.h"
#include "store/schema.h"
#include "store/customerrepository.h"
#include "store/fleetrepository.h"
#include "store/workspacecopy.h"
#include "store/serverpasswords.h"
#include "store/workspaceaddress.h"
#include "crypto/secretbytes.h"
#include "store/workspaceservice.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "profiles/credentialissuer.h"
#include "store/scope.h"
#include "store/workspace.h"
#include "clirun.h"
#include "teststore.h"

#include <QMutex>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace simfleet;

// Issue 22: on a shared workspace PostgreSQL itself enforces simfleet's roles. Everything here
// connects as the users' own database roles with plain SQL, not through simfleet: what a user
// could do with psql and their password.
class TestDatabaseRoles : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_address;
    std::unique_ptr<store::Workspace> m_ws;
    int m_connections = 0;

    // A plain connection as `user` with `password`; the caller closes it with close().
    QSqlDatabase connectAs(const QString &user, const QString &password, QString *error = nullptr, QString database = {})
    {
        const QUrl url(m_address);
        if (database.isEmpty())
            database = url.path().mid(1);
        const QString name = QStringLiteral("as-%1-%2").arg(user).arg(++m_connections);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url.host());
        db.setPort(url.port());
        db.setDatabaseName(database);
        db.setUserName(user);
        db.setPassword(password);
        if (!db.open() && error)
            *error = db.lastError().text();
        return db;
    }
    static void close(QSqlDatabase &db)
    {
        const QString name = db.connectionName();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    // Why the server refused sql; empty when it ran. A change to rows the role may not see
    // runs and changes nothing (row-level security filters them first): that counts as refused.
    static QString refusal(QSqlDatabase db, const QString &sql)
    {
        QSqlQuery q(db);
        if (q.exec(sql))
            return q.isSelect() || q.numRowsAffected() > 0 ? QString() : QStringLiteral("row-level security: no row");
        return q.lastError().databaseText();
    }
    static qint64 count(QSqlDatabase db, const QString &sql)
    {
        QSqlQuery q(db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toLongLong();
    }
    access::Session login(const QString &name, const QByteArray &password)
    {
        auto session = access::AccessService(*m_ws).login(name, password);
        if (!session)
            qFatal("%s", qPrintable(session.errorMessage()));
        return std::move(session).value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::onPostgres())
            QSKIP("runs on PostgreSQL only: ctest runs it as tst_databaseroles_postgres");
        m_address = test::newWorkspaceAddress(m_dir, QStringLiteral("roles.simfleet"));
        auto ws = simulation::DemoWorkspace::create(m_address, nullptr, { 40, 20, 20, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        m_ws = std::move(ws).value();
    }
    void cleanupTestCase() { m_ws.reset(); }

    // A shared workspace written by an older simfleet gets the access rules of the tables its
    // upgrade adds (the ledger and the device alerts), in the upgrade's own transaction; writing
    // them again changes nothing.
    void anUpgradeRenewsTheAccessRules()
    {
        const QString address = test::newWorkspaceAddress(m_dir, QStringLiteral("upgrade.simfleet"));
        auto connection = store::DatabaseConnection::open(address);
        QVERIFY2(connection, qPrintable(connection.errorMessage()));
        QSqlDatabase db = connection.value()->database();
        QVERIFY(store::migrate(db, 13));
        QVERIFY(!store::AccessSchema::install(db)); // today's rules name what schema 13 lacks
        auto upgraded = store::migrate(db);
        QVERIFY2(upgraded, qPrintable(upgraded.errorMessage()));
        QCOMPARE(upgraded.value(), store::currentSchemaVersion());
        const QString database = QUrl(address).path().mid(1);
        const QString viewer = store::AccessSchema::groupRole(database, QStringLiteral("viewer"));
        const QString manager = store::AccessSchema::groupRole(database, QStringLiteral("operator-account-manager"));
        for (const char *table : { "subscription_period", "device_alert" }) {
            QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM pg_policies WHERE tablename = '%1'").arg(QLatin1StringView(table))),
                     2);
            QCOMPARE(count(db, QStringLiteral("SELECT CAST(has_table_privilege('%1', '%2', 'SELECT') AS int)")
                                   .arg(viewer, QLatin1StringView(table))),
                     1);
            QCOMPARE(count(db, QStringLiteral("SELECT CAST(has_table_privilege('%1', '%2', 'INSERT') AS int)")
                                   .arg(viewer, QLatin1StringView(table))),
                     0);
        }
        QCOMPARE(count(db, QStringLiteral("SELECT CAST(has_table_privilege('%1', 'device_alert', 'INSERT') AS int)").arg(manager)), 1);
        auto again = store::AccessSchema::install(db);
        QVERIFY2(again, qPrintable(again.errorMessage()));
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM pg_policies WHERE tablename = 'subscription_period'")), 2);
    }

    // init needs a role that can create the users' roles; anyone else is refused and the
    // database is left as empty as it was, ready for a second try.
    void initByAPlainRoleIsRefusedAndLeavesNothing()
    {
        const QString stamp = QString::number(QDateTime::currentMSecsSinceEpoch());
        const QString database = QStringLiteral("t_plain_") + stamp;
        const QString pat = QStringLiteral("plain_") + stamp;
        QVERIFY(test::asSuperuser(QStringLiteral("postgres"), QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD 'pat-pass'").arg(pat)));
        QVERIFY(test::asSuperuser(QStringLiteral("postgres"), QStringLiteral("CREATE DATABASE %1 OWNER %2").arg(database, pat)));
        const QUrl server(m_address);
        auto address = store::WorkspaceAddress::parse(
            QStringLiteral("postgresql://%1@%2:%3/%4").arg(pat, server.host()).arg(server.port()).arg(database));
        QVERIFY(address);
        store::ServerPasswords::remember(*address, crypto::SecretBytes(QByteArrayView("pat-pass")));
        const auto created = store::Workspace::create(address->toString(), QStringLiteral("Pat's"), "a long passphrase here");
        QVERIFY(!created);
        QVERIFY2(created.errorMessage().contains(QStringLiteral("CREATEROLE")), qPrintable(created.errorMessage()));
        QString error;
        QSqlDatabase db = connectAs(pat, QStringLiteral("pat-pass"), &error, database);
        QVERIFY2(db.isOpen(), qPrintable(error));
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")), 0);
        close(db);
        // A wrong password is the server's answer, word for word.
        store::ServerPasswords::remember(*address, crypto::SecretBytes(QByteArrayView("not-it")));
        const auto wrong = store::Workspace::open(address->toString());
        QVERIFY(!wrong);
        QVERIFY2(wrong.errorMessage().contains(QStringLiteral("password authentication failed")), qPrintable(wrong.errorMessage()));
    }

    void accountManagerSeesOnlyTheirOperatorsRows()
    {
        // Two profiles of two operators, written as the owner.
        QSqlQuery owner(m_ws->database());
        QVERIFY(owner.exec(QStringLiteral(
            "INSERT INTO profile (device_id, operator_id, iccid, state, created_at, updated_at)"
            " SELECT d.id, o.id, '8900000000000' || d.id, 'enabled', 'now', 'now' FROM device d, operator o"
            " WHERE o.name IN ('Nordlink Mobile', 'Albion Telecom') AND d.id IN (SELECT min(id) FROM device UNION"
            " SELECT max(id) FROM device) AND (d.id = (SELECT min(id) FROM device)) = (o.name = 'Nordlink Mobile')")));
        QCOMPARE(owner.numRowsAffected(), 2);
        const access::Session manager = login(QStringLiteral("am-nordlink"), "demo");
        QVERIFY(manager.scope().isRestricted());
        // What simfleet's own scope shows this account manager...
        QStringList expected;
        QVERIFY(store::DeviceRepository(m_ws->database())
                    .forEachOverview(manager.scope(), std::nullopt, [&](const store::DeviceOverview &d) { expected << d.device.eid; }));
        QVERIFY(!expected.isEmpty());
        QVERIFY(expected.size() < count(m_ws->database(), QStringLiteral("SELECT count(*) FROM device")));
        // ...is exactly what the server gives their role, whatever SQL they run.
        QString error;
        QSqlDatabase db = connectAs(QStringLiteral("am-nordlink"), QStringLiteral("demo"), &error);
        QVERIFY2(db.isOpen(), qPrintable(error));
        QStringList seen;
        {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT eid FROM device ORDER BY eid")));
            while (q.next())
                seen << q.value(0).toString();
        }
        std::sort(expected.begin(), expected.end());
        QCOMPARE(seen, expected);
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM profile p JOIN operator o ON o.id = p.operator_id"
                                          " WHERE o.name <> 'Nordlink Mobile'")),
                 0);
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM profile")), 1);
        QVERIFY(count(db, QStringLiteral("SELECT count(*) FROM fleet")) < count(m_ws->database(), QStringLiteral("SELECT count(*) FROM fleet")));
        QCOMPARE(count(db, QStringLiteral("SELECT count(*) FROM app_user")), 1); // their own row
        QVERIFY(refusal(db, QStringLiteral("SELECT count(*) FROM audit_entry")).contains(QStringLiteral("permission denied")));
        QVERIFY(refusal(db, QStringLiteral("UPDATE device SET label = 'x'")).contains(QStringLiteral("permission denied")));
        close(db);
        QVERIFY(owner.exec(QStringLiteral("DELETE FROM profile WHERE iccid LIKE '8900000000000%'")));
    }

    void viewerCannotInsert()
    {
        QString error;
        QSqlDatabase db = connectAs(QStringLiteral("viewer"), QStringLiteral("demo"), &error);
        QVERIFY2(db.isOpen(), qPrintable(error));
        QVERIFY(count(db, QStringLiteral("SELECT count(*) FROM device")) > 0);
        for (const char *sql : { "INSERT INTO customer (name, created_at) VALUES ('Mallory Ltd', 'now')",
                                 "INSERT INTO operator (name, country, mcc, mnc, msin_first, msin_last, msin_next, iccid_prefix,"
                                 " iccid_first, iccid_last, iccid_next, iccid_digits, created_at) VALUES"
                                 " ('X', 'DE', '001', '99', 1, 2, 1, '89', 1, 2, 1, 19, 'now')",
                                 "UPDATE device SET label = 'mine'", "DELETE FROM campaign_item",
                                 "UPDATE workspace_setting SET value = 'renamed' WHERE key = 'name'" }) {
            const QString why = refusal(db, QString::fromLatin1(sql));
            QVERIFY2(why.contains(QStringLiteral("permission denied")) || why.contains(QStringLiteral("row-level security")),
                     qPrintable(QStringLiteral("%1: %2").arg(QLatin1StringView(sql), why.isEmpty() ? QStringLiteral("allowed") : why)));
        }
        close(db);
        QCOMPARE(count(m_ws->database(), QStringLiteral("SELECT count(*) FROM customer WHERE name = 'Mallory Ltd'")), 0);
    }

    void onlyTheOwnerChangesTheAuditLog()
    {
        const qint64 entries = count(m_ws->database(), QStringLiteral("SELECT count(*) FROM audit_entry"));
        QVERIFY(entries > 3);
        for (const char *user : { "admin", "operations", "viewer", "am-albion" }) {
            QString error;
            QSqlDatabase db = connectAs(QString::fromLatin1(user), QStringLiteral("demo"), &error);
            QVERIFY2(db.isOpen(), qPrintable(error));
            QVERIFY2(refusal(db, QStringLiteral("DELETE FROM audit_entry WHERE seq = 2")).contains(QStringLiteral("permission denied")),
                     user);
            QVERIFY2(refusal(db, QStringLiteral("UPDATE audit_entry SET actor = 'x' WHERE seq = 2")).contains(QStringLiteral("permission denied")),
                     user);
            close(db);
        }
        // The owner role can, in a transaction it throws away.
        QSqlDatabase owner = m_ws->database();
        QVERIFY(owner.transaction());
        QSqlQuery q(owner);
        QVERIFY2(q.exec(QStringLiteral("DELETE FROM audit_entry WHERE seq = 2")), qPrintable(q.lastError().text()));
        QCOMPARE(q.numRowsAffected(), 1);
        QVERIFY(owner.rollback());
        QCOMPARE(count(owner, QStringLiteral("SELECT count(*) FROM audit_entry")), entries);
    }

    // Users added, changed and removed in simfleet are the database's login roles.
    void usersAreLoginRoles()
    {
        access::AccessService access(*m_ws);
        const access::Session admin = login(QStringLiteral("admin"), "demo");
        const auto added = access.addUser(admin, { QStringLiteral("carol"), access::Role::Operations, {}, "Morning tea 31 kettle" });
        QVERIFY2(added, qPrintable(added.errorMessage()));
        QString error;
        QSqlDatabase db = connectAs(QStringLiteral("carol"), QStringLiteral("Morning tea 31 kettle"), &error);
        QVERIFY2(db.isOpen(), qPrintable(error));
        QVERIFY(refusal(db, QStringLiteral("UPDATE device SET label = label WHERE id = 1")).isEmpty());
        close(db);
        QVERIFY(!connectAs(QStringLiteral("carol"), QStringLiteral("wrong"), &error).isOpen());

        QVERIFY(access.setPassword(admin, QStringLiteral("carol"), "Evening walk 47 river"));
        QVERIFY(!connectAs(QStringLiteral("carol"), QStringLiteral("Morning tea 31 kettle")).isOpen());
        db = connectAs(QStringLiteral("carol"), QStringLiteral("Evening walk 47 river"), &error);
        QVERIFY2(db.isOpen(), qPrintable(error));
        close(db);

        QVERIFY(access.setRole(admin, QStringLiteral("carol"), access::Role::Viewer, {}, std::nullopt));
        db = connectAs(QStringLiteral("carol"), QStringLiteral("Evening walk 47 river"), &error);
        QVERIFY2(db.isOpen(), qPrintable(error));
        QVERIFY(refusal(db, QStringLiteral("UPDATE device SET label = label WHERE id = 1")).contains(QStringLiteral("permission denied")));
        close(db);

        QVERIFY(access.removeUser(admin, QStringLiteral("carol")));
        QVERIFY(!connectAs(QStringLiteral("carol"), QStringLiteral("Evening walk 47 river"), &error).isOpen());
        QVERIFY2(error.contains(QStringLiteral("carol")), qPrintable(error));

        // A role simfleet did not make is never taken over.
        test::asSuperuser(QStringLiteral("postgres"), QStringLiteral("DROP ROLE IF EXISTS dba_dave"));
        QVERIFY(test::asSuperuser(QStringLiteral("postgres"), QStringLiteral("CREATE ROLE dba_dave LOGIN PASSWORD 'dave'")));
        const auto refused = access.addUser(admin, { QStringLiteral("dba_dave"), access::Role::Administrator, {}, "Dave's new pass 12" });
        QVERIFY(!refused);
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("not a simfleet user")), qPrintable(refused.errorMessage()));
        db = connectAs(QStringLiteral("dba_dave"), QStringLiteral("dave"), &error, QStringLiteral("postgres"));
        QVERIFY2(db.isOpen(), qPrintable(error)); // its password unchanged
        close(db);
    }

    // Two desktops issuing from one operator's ranges at the same moment: every IMSI and ICCID
    // once, and neither fails. The first holds its transaction open while the second asks.
    void issuingIsExactlyOnceAcrossDesktops()
    {
        auto other = store::Workspace::open(m_address);
        QVERIFY2(other, qPrintable(other.errorMessage()));
        QVERIFY(other.value()->unlockWithKeyFile());
        const auto operators = store::OperatorRepository(m_ws->database()).list().value();
        const qint64 op = operators.first().id;
        const qint64 before = operators.first().msinNext;
        QList<qint64> devicesA, devicesB;
        {
            QSqlQuery q(m_ws->database());
            QVERIFY(q.exec(QStringLiteral("SELECT id FROM device ORDER BY id LIMIT 20")));
            while (q.next())
                (devicesA.size() < 10 ? devicesA : devicesB) << q.value(0).toLongLong();
        }
        QStringList imsis;
        QMutex mutex;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        auto first = m_ws->writer().submit([&](QSqlDatabase &db) -> Result<void> {
            auto issued = profiles::CredentialIssuer::issue(db, m_ws->vault(), op, devicesA, now);
            if (!issued)
                return issued.error();
            QMutexLocker lock(&mutex);
            for (const auto &p : issued.value())
                imsis << p.content.imsi;
            QSqlQuery(db).exec(QStringLiteral("SELECT pg_sleep(0.5)")); // the second desktop asks meanwhile
            return {};
        });
        QTest::qWait(100);
        auto second = other.value()->writer().submit([&](QSqlDatabase &db) -> Result<void> {
            auto issued = profiles::CredentialIssuer::issue(db, other.value()->vault(), op, devicesB, now);
            if (!issued)
                return issued.error();
            QMutexLocker lock(&mutex);
            for (const auto &p : issued.value())
                imsis << p.content.imsi;
            return {};
        });
        const auto a = first.get();
        const auto b = second.get();
        QVERIFY2(a, qPrintable(a.errorMessage()));
        QVERIFY2(b, qPrintable(b.errorMessage()));
        QCOMPARE(imsis.size(), 20);
        QCOMPARE(QSet<QString>(imsis.begin(), imsis.end()).size(), 20);
        const auto after = store::OperatorRepository(m_ws->database()).find(op).value();
        QCOMPARE(after->msinNext, before + 20);
        QSqlQuery q(m_ws->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(DISTINCT imsi), count(DISTINCT iccid) FROM profile WHERE operator_id = %1").arg(op)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 20);
        QCOMPARE(q.value(1).toInt(), 20);
        QVERIFY(q.exec(QStringLiteral("DELETE FROM profile WHERE operator_id = %1").arg(op)));
    }

    // Moving in: a workspace file copied into an empty database keeps its rows, its sealed
    // secrets (they open with the same passphrase) and an audit chain that verifies.
    void copyAFileIntoAnEmptyDatabase()
    {
        const QString file = m_dir.filePath(QStringLiteral("moving.simfleet"));
        {
            auto made = simulation::DemoWorkspace::create(file, nullptr, { 10, 5, 5, false });
            QVERIFY2(made, qPrintable(made.errorMessage()));
        }
        const QString into = test::newWorkspaceAddress(m_dir, QStringLiteral("moved.simfleet"));
        // Not into a database that holds something already: refused, and left as it was.
        const auto refused = store::WorkspaceCopy::toServer(file, m_address);
        QVERIFY(!refused);
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("not empty")), qPrintable(refused.errorMessage()));
        QVERIFY(!store::WorkspaceCopy::toServer(m_dir.filePath(QStringLiteral("nothing.simfleet")), into));
        QVERIFY(!store::WorkspaceCopy::toServer(file, m_dir.filePath(QStringLiteral("x.simfleet"))));

        const auto copied = store::WorkspaceCopy::toServer(file, into);
        QVERIFY2(copied, qPrintable(copied.errorMessage()));
        QCOMPARE(copied->rows.value(QStringLiteral("device")), 20);
        QVERIFY(copied->auditEntries > 3);
        QCOMPARE(copied->users.size(), 7);
        auto original = store::Workspace::open(file);
        auto moved = store::Workspace::open(into);
        QVERIFY2(moved, qPrintable(moved.errorMessage()));
        QVERIFY2(moved.value()->unlockWithKeyFile(), "the demo's passphrase opens the copy");
        QVERIFY(original.value()->unlockWithKeyFile());
        QSqlDatabase db = moved.value()->database();
        const auto verified = store::AuditLog::verify(db);
        QVERIFY(verified && verified->intact);
        QCOMPARE(verified->entries, copied->auditEntries);
        // Every operator's OP, sealed bound to its row, opens in the copy as in the file.
        for (const auto &op : store::OperatorRepository(db).list().value()) {
            auto sealed = store::OperatorRepository(db).sealedOp(op.id);
            QVERIFY(sealed);
            auto inCopy = moved.value()->vault().open({ "operator", op.id, "op_sealed" }, sealed.value());
            QVERIFY2(inCopy, qPrintable(inCopy.errorMessage()));
            auto inFile = original.value()->vault().open(
                { "operator", op.id, "op_sealed" }, store::OperatorRepository(original.value()->database()).sealedOp(op.id).value());
            QVERIFY(inCopy.value() == inFile.value());
        }
        // New rows continue after the copied ids.
        QVERIFY(moved.value()->writer().run([](QSqlDatabase &w) -> Result<void> {
            return store::CustomerRepository(w).insert({ 0, QStringLiteral("After the move"), {} }, QDateTime::currentDateTimeUtc()).ok()
                ? Result<void>()
                : fail(QStringLiteral("no new customer"));
        }));
    }

    // Another desktop's change reaches this one's pages through LISTEN/NOTIFY, table by table.
    void changesOfAnotherDesktopAreAnnounced()
    {
        store::WorkspaceService service([](const QString &) -> Result<std::unique_ptr<store::Workspace>> {
            return fail(QStringLiteral("no demo here"));
        });
        QSignalSpy opened(&service, &store::WorkspaceService::opened);
        QSignalSpy changed(&service, &store::WorkspaceService::changedOnServer);
        service.open(m_address);
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 30000);
        // "Another desktop": the operations user with plain SQL.
        QString error;
        QSqlDatabase other = connectAs(QStringLiteral("operations"), QStringLiteral("demo"), &error);
        QVERIFY2(other.isOpen(), qPrintable(error));
        QVERIFY(refusal(other, QStringLiteral("INSERT INTO customer (name, created_at) VALUES ('Stadtwerke Nord', 'now')")).isEmpty());
        QVERIFY(refusal(other, QStringLiteral("UPDATE device SET label = 'moved' WHERE id = (SELECT min(id) FROM device)")).isEmpty());
        close(other);
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 15000);
        QStringList tables;
        for (const auto &signal : changed)
            tables += signal.at(0).toStringList();
        QVERIFY2(tables.contains(QStringLiteral("customer")) && tables.contains(QStringLiteral("device")), qPrintable(tables.join(u',')));
        QVERIFY(!tables.contains(QStringLiteral("campaign")));
        QSqlQuery(m_ws->database()).exec(QStringLiteral("DELETE FROM customer WHERE name = 'Stadtwerke Nord'"));
    }

    // Two desktops cannot run one campaign; the second is told who runs it; the claim dies with
    // its holder's session.
    void oneCampaignRunsOnce()
    {
        using campaigns::RunLock;
        QVERIFY(!RunLock::heldBy(m_address, 7));
        {
            RunLock first(m_address, 7);
            QVERIFY(first.tryLock(QStringLiteral("operations on desk-1 (process 42)")));
            RunLock second(m_address, 7);
            QVERIFY(!second.tryLock(QStringLiteral("admin on desk-2")));
            QCOMPARE(RunLock::heldBy(m_address, 7).value_or(QString()), QStringLiteral("operations on desk-1 (process 42)"));
            RunLock other(m_address, 8);
            QVERIFY(other.tryLock());
        }
        QVERIFY(!RunLock::heldBy(m_address, 7));
    }

    // The same with two simfleet-cli processes starting one campaign.
    void twoProcessesStartingOneCampaign()
    {
        // The meters (40), two a second: the first is still at it when the second arrives.
        store::FleetRecord fleet;
        for (const auto &f : store::FleetRepository(m_ws->database()).list().value())
            if (store::DeviceRepository(m_ws->database()).idsInFleet(f.id).value().size() == 40)
                fleet = f;
        QVERIFY(!fleet.name.isEmpty());
        QProcess first;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("demo"));
        const QString url = QUrl(m_address).adjusted(QUrl::RemoveUserInfo).toString();
        const QStringList args { QStringLiteral("-w"), url, QStringLiteral("-u"), QStringLiteral("operations"),
                                 QStringLiteral("provision"), QStringLiteral("--fleet"), fleet.name,
                                 QStringLiteral("--rate"), QStringLiteral("2/s") };
        first.setProcessEnvironment(env);
        first.start(QStringLiteral(SIMFLEET_CLI), args);
        QVERIFY(first.waitForStarted());
        // Wait until the first holds the campaign's claim.
        QTRY_VERIFY2_WITH_TIMEOUT(campaigns::RunLock::heldBy(m_address, 1).has_value() || first.state() == QProcess::NotRunning,
                                  "the first process never claimed campaign 1", 60000);
        QVERIFY2(first.state() == QProcess::Running, first.readAllStandardError().constData());
        const auto second = testing::runCli(QStringLiteral(SIMFLEET_CLI),
                                            { QStringLiteral("-w"), url, QStringLiteral("-u"), QStringLiteral("admin"),
                                              QStringLiteral("provision"), QStringLiteral("--resume"), QStringLiteral("1") },
                                            { { QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("demo") }
                                             });
        QVERIFY2(second.exitCode != 0, second.out.constData());
        QVERIFY2(second.err.contains("already running: operations on "), second.err.constData());
        QVERIFY(first.waitForFinished(300000));
        QVERIFY2(first.exitCode() == 0, first.readAllStandardError().constData());
        QVERIFY(!campaigns::RunLock::heldBy(m_address, 1));
    }
};

QTEST_GUILESS_MAIN(TestDatabaseRoles)
#include "tst_databaseroles.moc"
