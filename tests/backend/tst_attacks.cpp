// The security issue's attacks, each written as the attacker ran it: an ordinary account with
// write access to the workspace file (every CLI user has it) against a demo workspace.

#include "attestation/attestationservice.h"
#include "campaigns/campaignqueries.h"
#include "campaigns/campaignservice.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/databaseconnection.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/profilerepository.h"
#include "store/workspace.h"
#include "testsession.h"

#include "access/accessservice.h"
#include "access/audittrail.h"
#include "access/passwordpolicy.h"
#include "access/workspaceupgrade.h"
#include "crypto/aes.h"
#include "crypto/random.h"
#include "store/schema.h"
#include "store/storewriter.h"
#include "auditrewrite.h"
#include "oldworkspace.h"
#include "store/auditcheckpoint.h"
#include "crypto/kdf.h"
#include "fleet/devicefilter.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace simfleet;

namespace {

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The sqlite3 shell's view of the file: SQL, no simfleet in between.
struct Shell
{
    explicit Shell(const QString &path) : connection(store::DatabaseConnection::open(path)) { }
    bool run(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery q(connection.value()->database());
        q.prepare(sql);
        for (const QVariant &v : values)
            q.addBindValue(v);
        if (!q.exec()) {
            qWarning() << sql << q.lastError().text();
            return false;
        }
        return true;
    }
    Result<std::unique_ptr<store::DatabaseConnection>> connection;
};

} // namespace

class TestAttacks : public QObject
{
    Q_OBJECT

private slots:
    // Issue 17, High 1: affirming rows inserted for a debug-enabled, a tampered and a revoked
    // device, then provisioning resumed with failed devices retried: none of them gets a profile.
    // A trigger that rewrites every new verdict to affirming changes nothing either.
    void forgedAffirmingVerdictsLetNoCredentialOut()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("attack.simfleet"));
        auto ws = simulation::DemoWorkspace::create(path, nullptr, { 20, 0, 0, true });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        auto field = simulation::SimulatedField::openForWorkspace(path);
        QVERIFY2(field, qPrintable(field.errorMessage()));
        field.value()->setTiming({ std::chrono::milliseconds(0), 7200 });
        const access::Session owner = testing::ownerOf(*ws.value());
        const auto meters = store::FleetRepository(ws.value()->database()).findUnique(QStringLiteral("Rheinau smart meters"));
        QVERIFY(meters);
        const auto devices = store::DeviceRepository(ws.value()->database()).idsInFleet(meters->id).value();
        QList<std::pair<qint64, QString>> bad;
        for (const auto &[id, eid] : devices) {
            const simulation::Fault fault = field.value()->faultOf(eid);
            if (fault == simulation::Fault::DebugEnabled || fault == simulation::Fault::TamperedFirmware
                || fault == simulation::Fault::Revoked)
                bad.append({ id, eid });
        }
        QCOMPARE(bad.size(), 3);

        // Provisioning attests them and refuses them.
        attestation::AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(500);
        campaigns::CampaignService service(*ws.value(), *field.value());
        campaigns::CampaignRequest request;
        request.kind = campaigns::CampaignKind::InitialProvisioning;
        request.targetOperatorId = *meters->homeOperatorId;
        for (const auto &d : bad)
            request.deviceIds.append(d.first);
        request.settings.answerTimeoutMs = 500;
        const auto id = service.create(owner, request);
        QVERIFY(id);
        auto first = service.run(owner, *id);
        QVERIFY2(first, qPrintable(first.errorMessage()));
        QCOMPARE(first->failed, 3);

        // The attack: affirming rows, as fresh as can be, each carrying the device's own last
        // evidence; then a trigger that turns every verdict simfleet writes into affirming.
        Shell shell(path);
        QVERIFY(shell.connection);
        for (const auto &[deviceId, eid] : bad) {
            QVERIFY(shell.run(QStringLiteral("INSERT INTO attestation_result (device_id, nonce, evidence, verdict, reason_code, reason,"
                                             " verified_at) SELECT device_id, nonce, evidence, 'affirming', 'affirmed', 'fine',"
                                             " strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM attestation_result WHERE device_id = ?"
                                             " ORDER BY id DESC LIMIT 1"),
                              { deviceId }));
        }
        QVERIFY(shell.run(QStringLiteral("CREATE TRIGGER forge AFTER INSERT ON attestation_result BEGIN"
                                         " UPDATE attestation_result SET verdict = 'affirming', reason_code = 'affirmed'"
                                         " WHERE id = new.id; END")));

        QVERIFY(service.retryFailed(owner, *id));
        auto again = service.run(owner, *id);
        QVERIFY2(again, qPrintable(again.errorMessage()));
        QCOMPARE(again->failed, 3);
        QCOMPARE(again->succeeded, 0);
        for (const auto &[deviceId, eid] : bad) {
            QVERIFY2(store::ProfileRepository(ws.value()->database()).forDevice(deviceId).value().isEmpty(), qPrintable(eid));
            QVERIFY(field.value()->device(eid)->listProfiles().value().isEmpty());
        }
        for (const QString &reason : again->byReason.keys())
            QVERIFY2(reason.startsWith(QStringLiteral("attestation-")), qPrintable(reason));

        // A genuine affirming verdict still counts within the policy's age: a healthy meter
        // attested once is provisioned without being attested again.
        qint64 healthy = 0;
        QString healthyEid;
        for (const auto &[deviceId, eid] : devices) {
            if (field.value()->faultOf(eid) == simulation::Fault::None) {
                healthy = deviceId;
                healthyEid = eid;
                break;
            }
        }
        QVERIFY(shell.run(QStringLiteral("DROP TRIGGER forge")));
        attestation::AttestationService attestations(*ws.value(), *field.value(), options);
        QVERIFY(attestations.attest(owner, { { healthy, healthyEid } }));
        auto still = attestations.stillAffirming(owner, { healthy, bad.first().first }, 24 * 3600);
        QVERIFY(still);
        QCOMPARE(still->size(), 1);
        QVERIFY(still->contains(healthy));
    }

    // Issue 17, High 3: a workspace and its -wal and -shm are created readable by their owner
    // only, and one that others can read says so when it is opened.
    void workspaceFilesArePrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("private.simfleet"));
        auto ws = store::Workspace::create(path, QStringLiteral("Private"), "a passphrase long enough", nullptr,
                                           crypto::ScryptParameters { 1024, 8, 1 });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        QVERIFY(ws.value()->info().exposure.isEmpty());
        for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
            const QFileInfo f(path + suffix);
            QVERIFY2(f.exists(), qPrintable(f.fileName()));
            QCOMPARE(f.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                                        | QFileDevice::WriteOther),
                     QFileDevice::Permissions());
        }
        ws.value().reset();
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
        auto exposed = store::Workspace::open(path);
        QVERIFY(exposed);
        QVERIFY(exposed.value()->info().exposure.contains(QStringLiteral("chmod 600")));
    }

    // Issue 17, High 3: scrypt parameters written into the file to stall whoever unlocks it are
    // refused at once, for the workspace passphrase and for a user's password alike.
    void craftedKeyDerivationIsRefusedAtOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stall.simfleet"));
        const QByteArray passphrase("a passphrase long enough");
        {
            auto ws = store::Workspace::create(path, QStringLiteral("Stall"), passphrase, nullptr,
                                               crypto::ScryptParameters { 1024, 8, 1 });
            QVERIFY(ws);
        }
        Shell shell(path);
        QVERIFY(shell.run(QStringLiteral("UPDATE workspace_key SET n = ?, r = 8, p = 1"), { qint64(1) << 30 }));
        auto ws = store::Workspace::open(path);
        QVERIFY(ws);
        QElapsedTimer t;
        t.start();
        auto unlocked = ws.value()->unlock(passphrase);
        QVERIFY(!unlocked);
        QVERIFY(t.elapsed() < 2000);
        QVERIFY2(unlocked.errorMessage().contains(QStringLiteral("beyond what simfleet accepts")), qPrintable(unlocked.errorMessage()));
        QVERIFY(!crypto::scrypt("pw", "salt", 32, crypto::ScryptParameters { 1u << 15, 8, 1000 }));
        QVERIFY(!crypto::scrypt("pw", "salt", 32, crypto::ScryptParameters { 1u << 20, 32, 1 }));
        QVERIFY(crypto::scrypt("pw", "salt", 32, crypto::ScryptParameters { 1u << 15, 8, 1 }));
    }

    // Issue 17, Medium 4: 20 wrong logins at once, each with its own connection and writer (as
    // 20 processes have). Each that reached the password check is counted, in one statement:
    // the audit log holds one failure for each, numbered 1, 2, 3, ... without repeats (a count
    // read before the check and written after gave every process the same number), and the name
    // ends locked. Every attempt got the one refusal.
    void parallelWrongLoginsAreAllCounted()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("logins.simfleet"));
        {
            auto ws = simulation::DemoWorkspace::create(path, nullptr, { 2, 2, 2, false });
            QVERIFY2(ws, qPrintable(ws.errorMessage()));
        }
        constexpr int attempts = 20;
        std::vector<std::unique_ptr<QThread>> threads;
        std::atomic<int> refused { 0 };
        for (int i = 0; i < attempts; ++i) {
            threads.emplace_back(QThread::create([&] {
                auto ws = store::Workspace::open(path);
                if (!ws)
                    return;
                auto session = access::AccessService(*ws.value()).login(QStringLiteral("viewer"), "not the password");
                if (!session && session.errorMessage() == access::AccessService::loginRefusal())
                    ++refused;
            }));
            threads.back()->start();
        }
        for (auto &t : threads)
            QVERIFY(t->wait(120000));
        QCOMPARE(refused.load(), attempts);
        Shell shell(path);
        QSqlQuery q(shell.connection.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT failed_logins, locked_until FROM app_user WHERE name = 'viewer'")) && q.next());
        const int counted = q.value(0).toInt();
        QVERIFY2(counted >= access::AccessService::freeAttempts, qPrintable(QString::number(counted)));
        QVERIFY(!q.value(1).isNull());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), count(DISTINCT json_extract(details, '$.failures')),"
                                      " max(json_extract(details, '$.failures')) FROM audit_entry WHERE action = 'user.login-failed'"))
                && q.next());
        QCOMPARE(q.value(0).toInt(), counted);
        QCOMPARE(q.value(1).toInt(), counted);
        QCOMPARE(q.value(2).toInt(), counted);
    }

    // Issue 17, Low 7: a filter's EID prefix is taken literally ("eid=%" matched every device),
    // and no user may be named like the passphrase holder the audit log calls "owner".
    void wildcardsAndLookAlikeNames()
    {
        QTemporaryDir dir;
        auto ws = simulation::DemoWorkspace::create(dir.filePath(QStringLiteral("low.simfleet")), nullptr, { 4, 2, 2, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        const access::Session owner = testing::ownerOf(*ws.value());
        const auto matching = [&](const QString &text) {
            auto filter = fleet::DeviceFilter::parse(text);
            return filter ? filter->selectIds(ws.value()->database(), owner.scope()).value().size() : -1;
        };
        QCOMPARE(matching(QStringLiteral("eid=%")), 0);
        QCOMPARE(matching(QStringLiteral("eid=_")), 0);
        QCOMPARE(matching(QStringLiteral("eid=89")), 8);
        for (const char *name : { "owner", "Owner", "OWNER" }) {
            const auto added = access::AccessService(*ws.value())
                                   .addUser(owner, { QString::fromLatin1(name), access::Role::Viewer, {}, "a long enough password" });
            QVERIFY(!added);
            QVERIFY2(added.errorMessage().contains(QStringLiteral("owner")), qPrintable(added.errorMessage()));
        }
    }

    // Issue 17, High 2: the attacker is "operations", who can write the file and holds their own
    // key (their password opens it). They drop the triggers, rewrite, re-hash the chain and
    // re-sign their own entries; the owner keeps a checkpoint taken before.
    void auditRewritesAreFound_data()
    {
        QTest::addColumn<int>("rewrite");
        QTest::newRow("the newest 600 entries removed") << 0;
        QTest::newRow("every entry removed") << 1;
        QTest::newRow("campaign.create deleted, a user.add's actor changed") << 2;
    }
    void auditRewritesAreFound()
    {
        QFETCH(int, rewrite);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.simfleet"));
        auto ws = simulation::DemoWorkspace::create(path, nullptr, { 20, 0, 0, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        auto field = simulation::SimulatedField::openForWorkspace(path);
        QVERIFY(field);
        field.value()->setTiming({ std::chrono::milliseconds(0), 7200 });
        access::AccessService access(*ws.value());
        const access::Session owner = testing::ownerOf(*ws.value());
        auto admin = access.login(QStringLiteral("admin"), store::demoUserPassword);
        auto operations = access.login(QStringLiteral("operations"), store::demoUserPassword);
        QVERIFY(admin && operations);

        // A working history: operations provisions the meters, the admin adds a user, and both
        // keep working until the log holds well over 600 entries.
        campaigns::CampaignService service(*ws.value(), *field.value());
        const auto meters = store::FleetRepository(ws.value()->database()).findUnique(QStringLiteral("Rheinau smart meters"));
        campaigns::CampaignRequest request;
        request.kind = campaigns::CampaignKind::InitialProvisioning;
        request.targetOperatorId = *meters->homeOperatorId;
        for (const auto &d : store::DeviceRepository(ws.value()->database()).idsInFleet(meters->id).value())
            request.deviceIds.append(d.first);
        const auto id = service.create(operations.value(), request);
        QVERIFY(id);
        QVERIFY(service.run(operations.value(), *id));
        QVERIFY(access.addUser(admin.value(), { QStringLiteral("petra"), access::Role::Viewer, {}, "brass kestrel opal" }));
        // Their later work, written in one transaction to keep the test quick; each entry is
        // signed by its author as any would be.
        const QDateTime now = ws.value()->clock().now();
        QVERIFY(ws.value()->writer().run([&](QSqlDatabase &writer) -> Result<void> {
            for (int i = 0; i < 640; ++i) {
                if (auto ok = store::AuditLog::record(writer, now, i % 2 ? admin->author() : owner.author(),
                                                      QStringLiteral("access.idle-time"), QStringLiteral("workspace"),
                                                      QJsonObject { { QStringLiteral("minutes"), 30 + i % 7 } });
                    !ok)
                    return ok;
            }
            return {};
        }));
        auto before = access::AuditTrail::checkpoint(*ws.value(), owner);
        QVERIFY2(before, qPrintable(before.errorMessage()));
        const qint64 entries = before->entries;
        QVERIFY(entries > 660);

        QSqlDatabase db = ws.value()->database();
        qint64 deletedAt = 0;
        for (const auto &e : store::AuditLog::list(db, 0, 1 << 20).value()) {
            if (e.action == u"campaign.create")
                deletedAt = e.seq;
        }
        QVERIFY(deletedAt > 0);
        const QHash<QString, crypto::EcPrivateKey> attackersKeys { { QStringLiteral("operations"),
                                                                     operations->author().key } };
        QVERIFY(testing::rewriteAuditLog(
            ws.value()->database(),
            [&](QList<store::AuditEntry> &log) {
                if (rewrite == 0)
                    log.resize(log.size() - 600);
                if (rewrite == 1)
                    log.clear();
                if (rewrite == 2) {
                    log.removeIf([](const store::AuditEntry &e) { return e.action == u"campaign.create"; });
                    for (store::AuditEntry &e : log) {
                        if (e.action == u"user.add" && e.subject == u"user:petra")
                            e.actor = QStringLiteral("operations");
                    }
                }
            },
            attackersKeys));

        const auto plain = access::AuditTrail::verify(*ws.value(), owner);
        const auto against = access::AuditTrail::verify(*ws.value(), owner, &before.value());
        QVERIFY(plain && against);
        QVERIFY(!against->intact);
        if (rewrite == 0) {
            // The shorter log is consistent in itself; the checkpoint kept outside finds the cut.
            QCOMPARE(against->firstBadEntry, entries - 599);
            QVERIFY2(against->problem.contains(QStringLiteral("were removed")), qPrintable(against->problem));
        } else if (rewrite == 1) {
            QVERIFY(!plain->intact);
            QCOMPARE(plain->firstBadEntry, 1);
            QCOMPARE(against->firstBadEntry, 1);
        } else {
            // The first entry after the deleted one that operations could not sign again (the
            // owner's or the admin's) is named; the user.add operations now claims is theirs.
            QVERIFY(!plain->intact);
            const auto log = store::AuditLog::list(db, 0, 1 << 20).value();
            qint64 firstOthers = 0;
            for (const auto &e : log) {
                if (e.seq >= deletedAt && e.actor != u"operations" && !e.signature.isEmpty()) {
                    firstOthers = e.seq;
                    break;
                }
            }
            QVERIFY(firstOthers > 0);
            QCOMPARE(plain->firstBadEntry, firstOthers);
            QVERIFY2(plain->problem.contains(QStringLiteral("signed")), qPrintable(plain->problem));
            QCOMPARE(against->firstBadEntry, plain->firstBadEntry);
        }
    }

    // Issue 17, High 3: passwords that resist offline guessing; the demo's "demo" in the demo only.
    void weakPasswordsAreRefused()
    {
        for (const char *weak : { "abcd", "short pass", "password1234", "P@ssw0rd2026!", "Summer2026!!", "qwertyuiop12",
                                  "123456789012", "aaaaaaaaaaaaaaa", "abcabcabcabc", "welcomewelcome", "1qaz2wsx3edc",
                                  "iloveyou!!!!", "petra-is-the-best", "demo" }) {
            const auto refused = access::PasswordPolicy::check(QByteArrayView(weak), QStringLiteral("petra"), false);
            QVERIFY2(!refused, weak);
        }
        for (const char *strong : { "brass kestrel opal", "correct horse battery staple", "Tq8#vLm2$wPz" })
            QVERIFY2(access::PasswordPolicy::check(QByteArrayView(strong), QStringLiteral("petra"), false), strong);
        QVERIFY(access::PasswordPolicy::check("demo", QStringLiteral("viewer"), true));
        QVERIFY(!access::PasswordPolicy::check("demo1", QStringLiteral("viewer"), true));

        // Through the service: a real workspace refuses "demo" and a short password alike.
        QTemporaryDir dir;
        auto ws = store::Workspace::create(dir.filePath(QStringLiteral("real.simfleet")), QStringLiteral("real"),
                                           "a long passphrase", nullptr, { 1024, 8, 1 });
        QVERIFY(ws);
        access::AccessService access(*ws.value());
        const access::Session owner = testing::ownerOf(*ws.value());
        for (const char *weak : { "demo", "four", "password1234" }) {
            const auto added = access.addUser(owner, { QStringLiteral("ada"), access::Role::Administrator, {}, weak });
            QVERIFY(!added);
        }
        QVERIFY(access.addUser(owner, { QStringLiteral("ada"), access::Role::Administrator, {}, "orchid tundra ballast" }));
    }

    // Issue 17, Low 7: an older workspace is upgraded only for its owner or an Administrator,
    // proved against the file as it is, and a copy of the file as it was stays beside it.
    void schemaUpgradeWaitsForOwnerOrAdministrator()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.simfleet"));
        QVERIFY(testing::writeSchema5Workspace(path));
        const QByteArray untouched = fileBytes(path);

        const auto opened = store::Workspace::open(path);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::UpgradeNeeded);
        QVERIFY2(opened.errorMessage().contains(QStringLiteral("owner's passphrase or an Administrator's password")),
                 qPrintable(opened.errorMessage()));
        const auto asViewer = access::WorkspaceUpgrade::run(path, { QStringLiteral("vic"), crypto::SecretBytes("quartz harbour lantern") });
        QVERIFY(!asViewer);
        QCOMPARE(asViewer.error().code, ErrorCode::NotPermitted);
        const auto wrongPassword = access::WorkspaceUpgrade::run(path, { QStringLiteral("ada"), crypto::SecretBytes("a guess at it all") });
        QVERIFY(!wrongPassword);
        QCOMPARE(wrongPassword.error().code, ErrorCode::LoginFailed);
        const auto wrongPassphrase = access::WorkspaceUpgrade::run(path, { QString(), crypto::SecretBytes("not the passphrase") });
        QVERIFY(!wrongPassphrase);
        QCOMPARE(fileBytes(path), untouched);
        QVERIFY(QDir(dir.path()).entryList({ QStringLiteral("*backup*") }, QDir::Files).isEmpty());

        auto upgraded = access::WorkspaceUpgrade::run(path, { QStringLiteral("ada"), crypto::SecretBytes("orchid tundra ballast") });
        QVERIFY2(upgraded, qPrintable(upgraded.errorMessage()));
        QCOMPARE(upgraded->fromVersion, 5);
        QCOMPARE(upgraded->toVersion, store::currentSchemaVersion());
        QVERIFY(QFileInfo::exists(upgraded->backupPath));
        QVERIFY(upgraded->workspace);
        QCOMPARE(upgraded->session->name(), QStringLiteral("ada"));

        // The log: entry 1 as the old release wrote it (hash-chained only), then ada's first key
        // on her own word and her upgrade entry; later the owner's and vic's first keys.
        store::Workspace &ws = *upgraded->workspace;
        QVERIFY(ws.unlock("the old passphrase"));
        const auto vic = access::AccessService(ws).login(QStringLiteral("vic"), "quartz harbour lantern");
        QVERIFY(vic);
        QSqlDatabase db = ws.database();
        const auto v = store::AuditLog::verify(db).value();
        QVERIFY2(v.intact, qPrintable(v.problem));
        QCOMPARE(v.unsignedLegacyEntries, 1);
        QStringList actions;
        for (const auto &e : store::AuditLog::list(db, 0, 100).value())
            actions << e.actor + u' ' + e.action;
        QCOMPARE(actions, (QStringList { QStringLiteral("owner workspace.create"), QStringLiteral("ada audit.key"),
                                         QStringLiteral("ada user.login"), QStringLiteral("ada workspace.upgrade"),
                                         QStringLiteral("owner audit.key"), QStringLiteral("vic audit.key"),
                                         QStringLiteral("vic user.login") }));
        // A second key on one's own word is refused: only the first one is taken that way.
        QVERIFY(testing::rewriteAuditLog(db, [&](QList<store::AuditEntry> &log) {
            store::AuditEntry again = log.at(5);
            log.append(again);
        }, { { QStringLiteral("vic"), vic->author().key } }));
        const auto twice = store::AuditLog::verify(db).value();
        QVERIFY(!twice.intact);
        QCOMPARE(twice.firstBadEntry, 8);
        QVERIFY2(twice.problem.contains(QStringLiteral("only once")), qPrintable(twice.problem));
    }
};

QTEST_GUILESS_MAIN(TestAttacks)
#include "tst_attacks.moc"
