// Issue 23, "eight years in the field": the owner's operations on a long-lived workspace. A
// rekey killed part way resumes and every secret opens afterwards (and users take up their key
// slots at their next login); a backup taken while a campaign runs restores to a workspace whose
// audit chain verifies; the passphrase changes and the old one opens nothing.
#include "access/accessservice.h"
#include "access/session.h"
#include "campaigns/campaignservice.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/auditlog.h"
#include "store/secretvault.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "store/workspacebackup.h"
#include "store/workspacerekey.h"
#include "testsession.h"

#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace simfleet;

namespace {

struct Sealed
{
    const char *table;
    const char *column;
};
constexpr Sealed sealedColumns[] = { { "operator", "op_sealed" },           { "certificate", "private_key_sealed" },
                                     { "profile", "ki_sealed" },            { "profile", "opc_sealed" },
                                     { "eim_identity", "private_key_sealed" } };

// Every sealed secret of the workspace, opened with its vault: (table.column#id) -> plaintext hex.
QHash<QString, QByteArray> openEverySecret(store::Workspace &ws, QString *failure)
{
    QHash<QString, QByteArray> out;
    for (const Sealed &c : sealedColumns) {
        QSqlQuery q(ws.database());
        q.exec(QStringLiteral("SELECT id, %1 FROM %2 WHERE %1 IS NOT NULL").arg(QLatin1StringView(c.column), QLatin1StringView(c.table)));
        while (q.next()) {
            const qint64 id = q.value(0).toLongLong();
            auto opened = ws.vault().open({ c.table, id, c.column }, q.value(1).toByteArray());
            const QString key = QStringLiteral("%1.%2#%3").arg(QLatin1StringView(c.table), QLatin1StringView(c.column)).arg(id);
            if (!opened) {
                *failure = key + u": " + opened.errorMessage();
                return {};
            }
            out.insert(key, opened->view().toByteArray().toHex());
        }
    }
    return out;
}

campaigns::CampaignSettings settings(double rate = 0)
{
    campaigns::CampaignSettings s;
    s.answerTimeoutMs = 2000;
    s.batchSize = 8;
    s.concurrency = 4;
    s.ratePerSecond = rate;
    return s;
}

Result<void> provision(store::Workspace &ws, simulation::SimulatedField &field, double rate = 0)
{
    QSqlQuery q(ws.database());
    q.exec(QStringLiteral("SELECT d.id, f.home_operator_id FROM device d JOIN fleet f ON f.id = d.fleet_id"
                          " WHERE f.name = 'Rheinau smart meters' ORDER BY d.id"));
    QList<qint64> devices;
    qint64 home = 0;
    while (q.next()) {
        devices.append(q.value(0).toLongLong());
        home = q.value(1).toLongLong();
    }
    q.finish();
    campaigns::CampaignService service(ws, field);
    const access::Session owner = testing::ownerOf(ws);
    auto id = service.create(owner, { campaigns::CampaignKind::InitialProvisioning, {}, home, std::nullopt, devices, settings(rate) });
    if (!id)
        return id.error();
    auto run = service.run(owner, id.value());
    return run ? Result<void>() : Result<void>(run.error());
}

} // namespace

class TestLongLivedWorkspace : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void aKilledRekeyResumesAndEverySecretOpens()
    {
        const QString path = m_dir.filePath(QStringLiteral("rekey.simfleet"));
        QByteArray passphrase;
        QHash<QString, QByteArray> before;
        {
            auto ws = simulation::DemoWorkspace::create(path, nullptr, { 24, 0, 0, false });
            QVERIFY2(ws, qPrintable(ws.errorMessage()));
            auto field = simulation::SimulatedField::openForWorkspace(path);
            QVERIFY(field);
            QVERIFY(provision(*ws.value(), *field.value()));
            passphrase = store::readKeyFile(store::Workspace::keyFilePath(path)).value().view().toByteArray();
            QString failure;
            before = openEverySecret(*ws.value(), &failure);
            QVERIFY2(failure.isEmpty(), qPrintable(failure));
            QVERIFY(before.size() > 48); // Ki and OPc of the meters, OPs, keys

            // Stopped after its second batch, as a kill between two transactions would.
            store::WorkspaceRekey::Options options;
            options.batch = 5;
            int batches = 0;
            options.keepGoing = [&batches](const store::WorkspaceRekey::Progress &) { return ++batches < 2; };
            auto stopped = store::WorkspaceRekey::run(*ws.value(), passphrase, testing::ownerOf(*ws.value()).author(), options);
            QVERIFY2(stopped, qPrintable(stopped.errorMessage()));
            QVERIFY(!stopped->finished);
            QVERIFY(stopped->progress.resealed > 0);
        }
        {
            // Reopened half-way: every secret opens (under either key); Operations log in as usual.
            auto ws = store::Workspace::open(path);
            QVERIFY(ws);
            QVERIFY(ws.value()->unlock(passphrase));
            QVERIFY(ws.value()->vault().isRekeying());
            QString failure;
            QCOMPARE(openEverySecret(*ws.value(), &failure), before);
            QVERIFY2(failure.isEmpty(), qPrintable(failure));
            auto resumed = store::WorkspaceRekey::run(*ws.value(), passphrase, testing::ownerOf(*ws.value()).author(), {});
            QVERIFY2(resumed, qPrintable(resumed.errorMessage()));
            QVERIFY(resumed->resumed);
            QVERIFY(resumed->finished);
            QCOMPARE(resumed->pendingSlots, 2); // admin and operations work with secrets
        }
        auto ws = store::Workspace::open(path);
        QVERIFY(ws);
        QVERIFY(ws.value()->unlock(passphrase));
        QVERIFY(!ws.value()->vault().isRekeying());
        QString failure;
        QCOMPARE(openEverySecret(*ws.value(), &failure), before);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        // Operations' key slot waited sealed to their public key, and is theirs again at login.
        auto session = access::AccessService(*ws.value()).login(QStringLiteral("operations"), "demo");
        QVERIFY2(session, qPrintable(session.errorMessage()));
        QCOMPARE(openEverySecret(*ws.value(), &failure), before);
        QSqlQuery q(ws.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT wrapped_data_key IS NOT NULL, pending_key_slot IS NULL FROM app_user WHERE name = 'operations'")));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toBool() && q.value(1).toBool());
        q.finish();
        QSqlDatabase db = ws.value()->database();
        QVERIFY(store::AuditLog::verify(db).value().intact);
    }

    void passphraseChangeKeepsUsersSlots()
    {
        const QString path = m_dir.filePath(QStringLiteral("passphrase.simfleet"));
        auto ws = store::Workspace::create(path, QStringLiteral("Grid North"), "the first passphrase", nullptr, { 1024, 8, 1 });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        QSqlDatabase db = ws.value()->database();
        QVERIFY(!store::SecretVault::changePassphrase(db, "not the passphrase", "the second passphrase"));
        QVERIFY(!store::SecretVault::changePassphrase(db, "the first passphrase", "short"));
        QVERIFY(store::SecretVault::changePassphrase(db, "the first passphrase", "the second passphrase"));
        QVERIFY(!ws.value()->unlock("the first passphrase"));
        QVERIFY(ws.value()->unlock("the second passphrase"));
        QVERIFY(!ws.value()->vault().ownerKey().isNull());
    }

    void aBackupTakenDuringACampaignRestores()
    {
        const QString path = m_dir.filePath(QStringLiteral("busy.simfleet"));
        QVERIFY(simulation::DemoWorkspace::create(path, nullptr, { 60, 0, 0, false }));
        std::atomic<bool> done = false;
        Result<void> ran;
        std::thread campaign([&] {
            auto ws = store::Workspace::open(path);
            auto field = simulation::SimulatedField::openForWorkspace(path);
            if (!ws || !field || !ws.value()->unlockWithKeyFile()) {
                ran = fail(QStringLiteral("cannot open the workspace"));
            } else {
                ran = provision(*ws.value(), *field.value(), 15);
            }
            done = true;
        });
        auto ws = store::Workspace::open(path);
        QVERIFY(ws);
        QVERIFY(ws.value()->unlockWithKeyFile());
        const auto succeeded = [&] {
            QSqlQuery q(ws.value()->database());
            q.exec(QStringLiteral("SELECT count(*) FROM campaign_item WHERE state = 'succeeded'"));
            return q.next() ? q.value(0).toInt() : -1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(succeeded() >= 5 || done, 60000);
        const QString out = m_dir.filePath(QStringLiteral("busy.backup"));
        auto taken = store::WorkspaceBackup::take(*ws.value(), testing::ownerOf(*ws.value()).author(), out);
        const bool duringTheCampaign = !done;
        campaign.join();
        QVERIFY2(ran, qPrintable(ran.errorMessage()));
        QVERIFY2(taken, qPrintable(taken.errorMessage()));
        QVERIFY(duringTheCampaign);
        QVERIFY(taken->sideFiles.contains(QStringLiteral("busy.field")));
        QVERIFY(taken->sideFiles.contains(QStringLiteral("busy.simfleet.key")));

        // Restored beside nothing of its own: a new name, its side files renamed with it.
        QDir().mkpath(m_dir.filePath(QStringLiteral("elsewhere")));
        const QString restoredPath = m_dir.filePath(QStringLiteral("elsewhere/kept.simfleet"));
        QVERIFY(!store::WorkspaceBackup::restore(path, restoredPath)); // a workspace, not a backup
        auto restored = store::WorkspaceBackup::restore(out, restoredPath);
        QVERIFY2(restored, qPrintable(restored.errorMessage()));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("elsewhere/kept.field"))));
        QVERIFY(!store::WorkspaceBackup::restore(out, restoredPath)); // never over a workspace
        auto back = store::Workspace::open(restoredPath);
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QVERIFY(back.value()->unlockWithKeyFile()); // its key file came with it
        QSqlDatabase db = back.value()->database();
        const auto verified = store::AuditLog::verify(db);
        QVERIFY(verified);
        QVERIFY2(verified->intact, qPrintable(verified->problem));
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM campaign_item WHERE state = 'succeeded'")));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toInt() >= 5 && q.value(0).toInt() < 60); // taken mid-campaign
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name LIKE 'simfleet_backup%'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        q.finish();
        QString failure;
        QVERIFY(!openEverySecret(*back.value(), &failure).isEmpty());
        QVERIFY2(failure.isEmpty(), qPrintable(failure));

        // A damaged backup restores nothing.
        QFile damaged(out);
        QVERIFY(damaged.open(QIODevice::ReadWrite));
        const QByteArray all = damaged.readAll();
        const qsizetype at = all.indexOf("-----BEGIN");
        QVERIFY(at > 0);
        damaged.seek(at + 12);
        damaged.write("X");
        damaged.close();
        const QString again = m_dir.filePath(QStringLiteral("elsewhere/again.simfleet"));
        auto refused = store::WorkspaceBackup::restore(out, again);
        QVERIFY(!refused);
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("damaged")), qPrintable(refused.errorMessage()));
        QVERIFY(!QFile::exists(again));
    }
};

QTEST_GUILESS_MAIN(TestLongLivedWorkspace)
#include "tst_longlivedworkspace.moc"
