#include "core/clock.h"
#include "store/databaseconnection.h"
#include "store/schema.h"
#include "store/workspace.h"

#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet::store;

// Every earlier schema version, as an older simfleet left it, must open and be brought up to
// date with its data intact.
class TestMigrations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fromEveryEarlierVersion_data()
    {
        QTest::addColumn<int>("version");
        for (int v : schemaVersions()) {
            if (v < currentSchemaVersion())
                QTest::addRow("from schema %d", v) << v;
        }
    }

    void fromEveryEarlierVersion()
    {
        QFETCH(int, version);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("old.simfleet"));
        {
            auto connection = DatabaseConnection::open(path);
            QVERIFY(connection.ok());
            QSqlDatabase db = connection.value()->database();
            QCOMPARE(migrate(db, version).value(), version);
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("INSERT INTO workspace_setting (key, value) VALUES ('name', 'Old utility')")));
        }
        // Opening alone changes nothing: the upgrade waits for the owner or an Administrator.
        const auto refused = Workspace::open(path);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, simfleet::ErrorCode::UpgradeNeeded);
        const auto backup = Workspace::upgradeFile(path, simfleet::SystemClock::instance());
        QVERIFY2(backup.ok(), qPrintable(backup.errorMessage()));
        {
            auto copy = DatabaseConnection::open(backup.value(), DatabaseConnection::Mode::ReadOnly);
            QVERIFY(copy.ok());
            QSqlQuery q(copy.value()->database());
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
            QCOMPARE(q.value(0).toInt(), version);
            QVERIFY(q.exec(QStringLiteral("SELECT value FROM workspace_setting WHERE key = 'name'")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("Old utility"));
        }
        QCOMPARE(QFileInfo(backup.value()).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        auto opened = Workspace::open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        QCOMPARE(opened.value()->info().schemaVersion, currentSchemaVersion());
        QCOMPARE(opened.value()->info().name, QStringLiteral("Old utility"));
        QSqlQuery q(opened.value()->database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
        QCOMPARE(q.value(0).toInt(), currentSchemaVersion());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM device")));
        QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_key_check")));
        QVERIFY(!q.next());
    }

    void migrationIsIdempotent()
    {
        QTemporaryDir dir;
        auto connection = DatabaseConnection::open(dir.filePath(QStringLiteral("x.simfleet")));
        QSqlDatabase db = connection.value()->database();
        QCOMPARE(migrate(db).value(), currentSchemaVersion());
        QCOMPARE(migrate(db).value(), currentSchemaVersion());
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
