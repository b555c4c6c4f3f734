#include "core/clock.h"
#include "simulation/demoworkspace.h"
#include "store/auditlog.h"
#include "store/databaseconnection.h"
#include "store/schema.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "store/workspaceaddress.h"
#include "store/workspaceservice.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <sqlite3.h>

using namespace simfleet;
using namespace simfleet::store;

namespace {
// Cheap key derivation for tests; real workspaces use the default (N = 2^15).
const crypto::ScryptParameters fastKdf { 1024, 8, 1 };
const QByteArray passphrase = "correct horse battery staple";

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A raw SQLite connection outside simfleet, as another tool (or an attacker) would use.
class RawDatabase
{
public:
    explicit RawDatabase(const QString &path) : m_name(QStringLiteral("raw-%1").arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDatabase()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool exec(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        return q.exec(sql);
    }

private:
    QString m_name;
    static inline int s_count = 0;
};
} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    // The hand-written formatter of stored instants says exactly what Qt's ISO 8601 one says,
    // across leap days, the turn of a year and centuries, in any time zone given.
    void storedTimeMatchesIsoFormat()
    {
        QList<QDateTime> instants {
            QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC),
            QDateTime(QDate(2026, 12, 31), QTime(23, 59, 59, 1), Qt::UTC),
            QDateTime(QDate(1970, 1, 1), QTime(0, 0), Qt::UTC),
            QDateTime(QDate(2000, 3, 1), QTime(12, 0, 0, 500), Qt::UTC),
            QDateTime(QDate(2026, 11, 28), QTime(7, 30), QTimeZone(3600 * 5 + 1800)),
        };
        quint64 seed = 0x5eed;
        for (int i = 0; i < 2000; ++i) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            instants.append(QDateTime::fromMSecsSinceEpoch(qint64(seed >> 24) % 8'000'000'000'000LL - 1'000'000'000'000LL, Qt::UTC));
        }
        for (const QDateTime &t : instants)
            QCOMPARE(storedTime(t), t.toUTC().toString(Qt::ISODateWithMs));
        QCOMPARE(storedTime(QDateTime()), QString());
    }

    // Issue 22: -w takes a file or a PostgreSQL database, and nothing else.
    void workspaceAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("canonical"); // empty: refused
        QTest::addColumn<QString>("why");
        QTest::newRow("file") << "fleet.simfleet" << "" << "fleet.simfleet" << "";
        QTest::newRow("file with a colon") << "meters:2026.simfleet" << "" << "meters:2026.simfleet" << "";
        QTest::newRow("postgres") << "postgresql://db.example.net/fleet" << "" << "postgresql://db.example.net:5432/fleet" << "";
        QTest::newRow("short scheme, user, port") << "postgres://ops@10.0.0.5:6543/fleet" << ""
                                                  << "postgresql://ops@10.0.0.5:6543/fleet" << "";
        QTest::newRow("user from -u") << "postgresql://db/fleet" << "alice" << "postgresql://alice@db:5432/fleet" << "";
        QTest::newRow("two users") << "postgresql://bob@db/fleet" << "alice" << "" << "names the user bob";
        QTest::newRow("password") << "postgresql://bob:secret@db/fleet" << "" << "" << "holds a password";
        QTest::newRow("other scheme") << "mysql://db/fleet" << "" << "" << "not a workspace simfleet can open";
        QTest::newRow("https") << "https://example.net/w.simfleet" << "" << "" << "not a workspace simfleet can open";
        QTest::newRow("no database") << "postgresql://db.example.net" << "" << "" << "names no database";
        QTest::newRow("no host") << "postgresql:///fleet" << "" << "" << "give the server's host";
        QTest::newRow("parameters") << "postgresql://db/fleet?sslmode=disable" << "" << "" << "PGSSLMODE";
        QTest::newRow("quoted user") << "postgresql://Bob%20X@db/fleet" << "" << "" << "cannot be a simfleet user";
        QTest::newRow("empty") << "" << "" << "" << "no workspace given";
    }
    void workspaceAddresses()
    {
        QFETCH(QString, text);
        QFETCH(QString, user);
        QFETCH(QString, canonical);
        QFETCH(QString, why);
        const auto address = WorkspaceAddress::parse(text, user);
        if (canonical.isEmpty()) {
            QVERIFY(!address);
            QVERIFY2(address.errorMessage().contains(why), qPrintable(address.errorMessage()));
            return;
        }
        QVERIFY2(address, qPrintable(address.errorMessage()));
        QCOMPARE(address->toString(), canonical);
        QCOMPARE(WorkspaceAddress::parse(address->toString())->toString(), canonical);
    }

    // A URL that is not PostgreSQL's never becomes a folder or a file (it did before issue 22).
    void foreignUrlCreatesNothing()
    {
        const QString before = QDir::currentPath();
        QVERIFY(QDir::setCurrent(m_dir.path()));
        const auto created = Workspace::create(QStringLiteral("sqlite://fleet/x.simfleet"), QStringLiteral("x"), "a long passphrase");
        QDir::setCurrent(before);
        QVERIFY(!created);
        QVERIFY2(created.errorMessage().contains(QStringLiteral("postgresql://")), qPrintable(created.errorMessage()));
        QVERIFY(QDir(m_dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
    }

    void createThenOpen()
    {
        const QString path = m_dir.filePath(QStringLiteral("utility.simfleet"));
        {
            auto created = Workspace::create(path, QStringLiteral("Stadtwerke"), passphrase, nullptr, fastKdf);
            QVERIFY2(created.ok(), qPrintable(created.errorMessage()));
            QCOMPARE(created.value()->info().name, QStringLiteral("Stadtwerke"));
            QCOMPARE(created.value()->info().schemaVersion, currentSchemaVersion());
            QVERIFY(!created.value()->info().demo);
            QVERIFY(created.value()->isUnlocked());
        }
        auto opened = Workspace::open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        QCOMPARE(opened.value()->info().name, QStringLiteral("Stadtwerke"));
        QVERIFY(!opened.value()->isUnlocked());

        QSqlQuery q(opened.value()->database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QVERIFY(q.exec(QStringLiteral("PRAGMA application_id")) && q.next());
        QCOMPARE(q.value(0).toInt(), workspaceApplicationId);

        // The creation itself is the first audit entry.
        QSqlDatabase db = opened.value()->database();
        const auto entries = AuditLog::list(db, 0, 10);
        QVERIFY(entries.ok());
        QCOMPARE(entries->size(), 1);
        QCOMPARE(entries->first().action, QStringLiteral("workspace.create"));
    }

    void passphraseUnlocksAndWrongOneChangesNothing()
    {
        const QString path = m_dir.filePath(QStringLiteral("locked.simfleet"));
        QVERIFY(Workspace::create(path, QStringLiteral("Locked"), passphrase, nullptr, fastKdf).ok());
        auto ws = Workspace::open(path);
        QVERIFY(ws.ok());
        const QByteArray before = fileBytes(path);
        QCOMPARE(ws.value()->unlock("wrong passphrase").errorMessage(), QStringLiteral("wrong passphrase for this workspace"));
        QVERIFY(!ws.value()->isUnlocked());
        QCOMPARE(fileBytes(path), before);
        QVERIFY(ws.value()->unlock(passphrase).ok());
        QVERIFY(ws.value()->isUnlocked());
    }

    void shortPassphraseRefused()
    {
        const QString path = m_dir.filePath(QStringLiteral("short.simfleet"));
        QCOMPARE(Workspace::create(path, QStringLiteral("x"), "short", nullptr, fastKdf).errorMessage(),
                 QStringLiteral("the workspace passphrase must have at least 8 characters"));
        QVERIFY(!QFile::exists(path));
    }

    void createRefusesToOverwrite()
    {
        const QString path = m_dir.filePath(QStringLiteral("taken.simfleet"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("precious");
        f.close();
        const auto created = Workspace::create(path, QStringLiteral("x"), passphrase, nullptr, fastKdf);
        QVERIFY(!created.ok());
        QVERIFY(created.errorMessage().contains(QStringLiteral("already exists")));
        QCOMPARE(fileBytes(path), QByteArray("precious"));
    }

    void openMissing()
    {
        const auto opened = Workspace::open(m_dir.filePath(QStringLiteral("nope.simfleet")));
        QVERIFY(!opened.ok());
        QVERIFY(opened.errorMessage().startsWith(QStringLiteral("there is no workspace at")));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("nope.simfleet"))));
    }

    void refusedFilesAreNeverModified_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("text file") << "text" << "not a simfleet workspace";
        QTest::newRow("zero bytes") << "empty" << "is empty, not a simfleet workspace";
        QTest::newRow("other application's SQLite") << "foreign" << "this SQLite file is not a simfleet workspace";
        QTest::newRow("newer simfleet") << "newer" << "written by a newer simfleet";
        QTest::newRow("damaged") << "damaged" << "";
    }

    void refusedFilesAreNeverModified()
    {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        const QString path = m_dir.filePath(kind + QStringLiteral(".simfleet"));
        if (kind == u"text") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'x'));
        } else if (kind == u"empty") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
        } else if (kind == u"foreign") {
            RawDatabase raw(path);
            QVERIFY(raw.exec(QStringLiteral("CREATE TABLE contacts (name TEXT)")));
        } else if (kind == u"newer") {
            QVERIFY(Workspace::create(path, QStringLiteral("future"), passphrase, nullptr, fastKdf).ok());
            RawDatabase raw(path);
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = %1").arg(currentSchemaVersion() + 1)));
        } else if (kind == u"damaged") {
            QVERIFY(Workspace::create(path, QStringLiteral("damaged"), passphrase, nullptr, fastKdf).ok());
            { RawDatabase raw(path); QVERIFY(raw.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"))); }
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            f.seek(100); // past the 100-byte header: garbage over the schema page
            f.write(QByteArray(3000, '\xA5'));
        }
        const QByteArray before = fileBytes(path);
        const bool walBefore = QFile::exists(path + QStringLiteral("-wal"));
        const QByteArray walBytes = fileBytes(path + QStringLiteral("-wal"));
        const auto opened = Workspace::open(path);
        QVERIFY(!opened.ok());
        QVERIFY2(opened.errorMessage().contains(message), qPrintable(opened.errorMessage()));
        QCOMPARE(fileBytes(path), before);
        // SQLite may create an empty -wal beside a WAL-mode file it reads; nothing may be written to it.
        if (!walBefore)
            QVERIFY(fileBytes(path + QStringLiteral("-wal")).isEmpty());
        else
            QCOMPARE(fileBytes(path + QStringLiteral("-wal")), walBytes);
    }

    void writerBatchesJobsAndIsolatesFailures()
    {
        const QString path = m_dir.filePath(QStringLiteral("writer.simfleet"));
        auto ws = Workspace::create(path, QStringLiteral("w"), passphrase, nullptr, fastKdf);
        QVERIFY(ws.ok());
        StoreWriter &writer = ws.value()->writer();
        const quint64 transactionsBefore = writer.committedTransactions();
        std::vector<std::future<Result<void>>> futures;
        for (int i = 0; i < 200; ++i) {
            futures.push_back(writer.submit([i](QSqlDatabase &db) -> Result<void> {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("INSERT INTO customer (name, created_at) VALUES (?, 'now')"));
                // Every 10th job inserts a duplicate name and must fail alone.
                q.addBindValue(QStringLiteral("customer %1").arg(i % 10 == 9 ? 0 : i));
                if (!q.exec())
                    return fail(q.lastError().text());
                return {};
            }));
        }
        int failed = 0;
        for (auto &f : futures)
            failed += f.get().ok() ? 0 : 1;
        QCOMPARE(failed, 20);
        QSqlQuery q(ws.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM customer")) && q.next());
        QCOMPARE(q.value(0).toInt(), 180);
        // Far fewer transactions than jobs: the writer batched them.
        QVERIFY2(writer.committedTransactions() - transactionsBefore < 200,
                 qPrintable(QString::number(writer.committedTransactions() - transactionsBefore)));
    }

    // SQLite's allocation counting (one global mutex taken by every connection's every allocation)
    // is off: it is switched off before the first connection opens, or never.
    void sqliteDoesNotCountAllocations()
    {
        QTemporaryDir dir;
        auto ws = Workspace::create(dir.filePath(QStringLiteral("m.simfleet")), QStringLiteral("m"), "a long passphrase", nullptr,
                                    fastKdf);
        QVERIFY2(ws.ok(), qPrintable(ws.errorMessage()));
        QSqlQuery q(ws.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM audit_entry")) && q.next());
        QCOMPARE(sqlite3_memory_used(), sqlite3_int64(0));
    }

    void writerKeepsItsLogBounded()
    {
        // The log is checkpointed in the background and started afresh once it outgrows 64 MiB:
        // 128 MiB of rows (over 200 MiB of log if it never were) written one commit at a time
        // must never leave a log much larger than that, and every row must be readable afterwards.
        const QString path = m_dir.filePath(QStringLiteral("wal.simfleet"));
        auto ws = Workspace::create(path, QStringLiteral("w"), passphrase, nullptr, fastKdf);
        QVERIFY(ws.ok());
        StoreWriter &writer = ws.value()->writer();
        QVERIFY(writer.run([](QSqlDatabase &db) -> Result<void> {
                          QSqlQuery q(db);
                          return q.exec(QStringLiteral("CREATE TABLE filler (x BLOB NOT NULL)")) ? Result<void>()
                                                                                                : fail(q.lastError().text());
                      })
                    .ok());
        const QByteArray blob(16 * 1024, 'x');
        qint64 largestLog = 0;
        for (int i = 0; i < 8192; ++i) {
            auto ok = writer.run([&blob](QSqlDatabase &db) -> Result<void> {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("INSERT INTO filler (x) VALUES (?)"));
                q.addBindValue(blob);
                return q.exec() ? Result<void>() : fail(q.lastError().text());
            });
            QVERIFY(ok.ok());
            largestLog = std::max(largestLog, QFileInfo(path + QStringLiteral("-wal")).size());
        }
        QVERIFY2(largestLog < 100 * 1024 * 1024, qPrintable(QString::number(largestLog)));
        QSqlQuery q(ws.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), sum(length(x)) FROM filler")) && q.next());
        QCOMPARE(q.value(0).toInt(), 8192);
        QCOMPARE(q.value(1).toLongLong(), 8192LL * 16 * 1024);
    }

    void demoWorkspace()
    {
        const QString path = m_dir.filePath(QStringLiteral("data/demo.simfleet"));
        simulation::DemoContents contents;
        {
            auto created = simulation::DemoWorkspace::create(path, nullptr, { 40, 20, 10 }, &contents);
            QVERIFY2(created.ok(), qPrintable(created.errorMessage()));
            QVERIFY(created.value()->info().demo);
        }
        QCOMPARE(contents.operators, 4);
        QCOMPARE(contents.customers, 3);
        QCOMPARE(contents.devices, 70);
        QCOMPARE(contents.keyFile, Workspace::keyFilePath(path));
        QCOMPARE(QFile::permissions(contents.keyFile) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());

        auto reopened = simulation::DemoWorkspace::openOrCreate(path);
        QVERIFY(reopened.ok());
        QVERIFY(reopened.value()->info().demo);
        QVERIFY(reopened.value()->isUnlocked());
        QCOMPARE(reopened.value()->info().name, QStringLiteral("Demo workspace"));
        QSqlDatabase db = reopened.value()->database();
        QVERIFY(AuditLog::verify(db).value().intact);

        // A second create must not overwrite the first.
        QVERIFY(simulation::DemoWorkspace::create(path).errorMessage().contains(QStringLiteral("already exists")));
    }

    void keyFileReadableByOthersRefused()
    {
        const QString path = m_dir.filePath(QStringLiteral("leaky.simfleet"));
        QVERIFY(simulation::DemoWorkspace::create(path, nullptr, { 1, 1, 1 }).ok());
        QFile::setPermissions(Workspace::keyFilePath(path),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
        auto ws = Workspace::open(path);
        QVERIFY(ws.ok());
        QVERIFY(ws.value()->unlockWithKeyFile().errorMessage().contains(QStringLiteral("chmod 600")));
    }

    void serviceOpensOffTheCallingThread()
    {
        WorkspaceService service([](const QString &p) { return simulation::DemoWorkspace::openOrCreate(p); });
        QSignalSpy opened(&service, &WorkspaceService::opened);
        QSignalSpy failed(&service, &WorkspaceService::openFailed);
        service.openOrCreateDemo(m_dir.filePath(QStringLiteral("svc.simfleet")));
        QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 20000);
        QVERIFY(service.isOpen());
        QCOMPARE(service.current().name, QStringLiteral("Demo workspace"));

        service.open(m_dir.filePath(QStringLiteral("missing.simfleet")));
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.at(0).at(1).toString().startsWith(QStringLiteral("there is no workspace at")));
        QVERIFY(service.isOpen());
        QCOMPARE(service.current().name, QStringLiteral("Demo workspace"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
