#include "store/databaseconnection.h"
#include "store/schema.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"

#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet::store;

class TestWorkspace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }

    void createThenOpen()
    {
        const QString path = m_dir.filePath(QStringLiteral("utility.simfleet"));
        {
            auto created = Workspace::create(path, QStringLiteral("Stadtwerke"), false);
            QVERIFY2(created.ok(), qPrintable(created.errorMessage()));
            QCOMPARE(created.value()->info().name, QStringLiteral("Stadtwerke"));
            QCOMPARE(created.value()->info().schemaVersion, currentSchemaVersion());
            QVERIFY(!created.value()->info().demo);
        }
        auto opened = Workspace::open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        QCOMPARE(opened.value()->info().name, QStringLiteral("Stadtwerke"));
        QCOMPARE(opened.value()->info().schemaVersion, currentSchemaVersion());

        QSqlQuery q(opened.value()->connection().database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QVERIFY(q.exec(QStringLiteral("PRAGMA application_id")) && q.next());
        QCOMPARE(q.value(0).toInt(), workspaceApplicationId);
    }

    void createRefusesToOverwrite()
    {
        const QString path = m_dir.filePath(QStringLiteral("taken.simfleet"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("precious");
        f.close();
        const auto created = Workspace::create(path, QStringLiteral("x"), false);
        QVERIFY(!created.ok());
        QVERIFY(created.errorMessage().contains(QStringLiteral("already exists")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("precious"));
    }

    void openMissing()
    {
        const auto opened = Workspace::open(m_dir.filePath(QStringLiteral("nope.simfleet")));
        QVERIFY(!opened.ok());
        QVERIFY(opened.errorMessage().startsWith(QStringLiteral("there is no workspace at")));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("nope.simfleet"))));
    }

    void openNotSqlite()
    {
        const QString path = m_dir.filePath(QStringLiteral("notes.simfleet"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        const auto opened = Workspace::open(path);
        QVERIFY(!opened.ok());
        QVERIFY2(opened.errorMessage().contains(QStringLiteral("not a simfleet workspace")), qPrintable(opened.errorMessage()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray(4096, 'x'));
    }

    void openForeignSqlite()
    {
        const QString path = m_dir.filePath(QStringLiteral("other.db"));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("foreign"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery(db).exec(QStringLiteral("CREATE TABLE contacts (name TEXT)"));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("foreign"));
        const auto opened = Workspace::open(path);
        QVERIFY(!opened.ok());
        QVERIFY2(opened.errorMessage().endsWith(QStringLiteral("this SQLite file is not a simfleet workspace")),
                 qPrintable(opened.errorMessage()));
    }

    void openNewerSchema()
    {
        const QString path = m_dir.filePath(QStringLiteral("future.simfleet"));
        QVERIFY(Workspace::create(path, QStringLiteral("future"), false).ok());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("future"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = %1").arg(currentSchemaVersion() + 1)));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("future"));
        const auto opened = Workspace::open(path);
        QVERIFY(!opened.ok());
        QVERIFY2(opened.errorMessage().contains(QStringLiteral("written by a newer simfleet")),
                 qPrintable(opened.errorMessage()));
    }

    void demoCreatedOnce()
    {
        const QString path = m_dir.filePath(QStringLiteral("data/demo.simfleet"));
        {
            auto first = Workspace::openOrCreateDemo(path);
            QVERIFY2(first.ok(), qPrintable(first.errorMessage()));
            QVERIFY(first.value()->info().demo);
        }
        auto second = Workspace::openOrCreateDemo(path);
        QVERIFY(second.ok());
        QVERIFY(second.value()->info().demo);
        QCOMPARE(second.value()->info().name, QStringLiteral("Demo workspace"));
    }

    void serviceOpensOffTheCallingThread()
    {
        WorkspaceService service;
        QSignalSpy opened(&service, &WorkspaceService::opened);
        QSignalSpy failed(&service, &WorkspaceService::openFailed);
        service.openOrCreateDemo(m_dir.filePath(QStringLiteral("svc.simfleet")));
        QTRY_COMPARE(opened.count(), 1);
        QVERIFY(service.isOpen());
        QCOMPARE(service.current().name, QStringLiteral("Demo workspace"));

        service.open(m_dir.filePath(QStringLiteral("missing.simfleet")));
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY(failed.at(0).at(1).toString().startsWith(QStringLiteral("there is no workspace at")));
        // The failed open leaves the open workspace as it was.
        QVERIFY(service.isOpen());
        QCOMPARE(service.current().name, QStringLiteral("Demo workspace"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
