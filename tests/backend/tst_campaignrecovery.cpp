// A campaign process killed with SIGKILL at random instants, many times, then resumed: after
// every kill the workspace and the devices are consistent, and after the last resume every
// device runs exactly one profile, the one the workspace records (DESIGN.md "Subscription
// change": a campaign killed at any instant resumes where it stood).
#include "core/clock.h"
#include "simulation/simulatedfield.h"
#include "simulation/demoworkspace.h"
#include "store/auditlog.h"
#include "store/workspace.h"

#include <QJsonDocument>
#include <QJsonObject>
#include "store/databaseconnection.h"
#include "store/dialect.h"
#include "teststore.h"

#include <QProcess>
#include <QSqlDatabase>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace simfleet;

class TestCampaignRecovery : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    int m_kills = 0;

    // Whether a query finds a row, read as another process would.
    bool found(const QString &sql)
    {
        auto probe = store::DatabaseConnection::open(m_path, store::DatabaseConnection::Mode::ReadOnly);
        if (!probe)
            return false;
        QSqlQuery q(probe.value()->database());
        return q.exec(sql) && q.next();
    }
    static QString campaignExists(qint64 campaignId)
    {
        return QStringLiteral("SELECT 1 FROM campaign WHERE id = %1").arg(campaignId);
    }
    // Some device of the campaign stands between two steps of its change.
    static QString midStep(qint64 campaignId)
    {
        return QStringLiteral("SELECT 1 FROM campaign_item WHERE campaign_id = %1 AND state NOT IN ('pending', 'attesting',"
                              " 'succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled') LIMIT 1")
            .arg(campaignId);
    }

    // Runs simfleet-cli with arguments; kills it killAfterMs after it started, or after the
    // query armedBy finds a row (empty: at once; killAfterMs 0: lets it finish).
    QJsonObject cli(const QStringList &arguments, int killAfterMs, const QString &armedBy = {})
    {
        QProcess p;
        p.setProgram(QStringLiteral(SIMFLEET_CLI));
        p.setArguments(QStringList { QStringLiteral("-w"), m_path } + arguments);
        if (const auto server = test::testServer()) { // the database password of the URL's user
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("PGPASSWORD"), QString::fromUtf8(server->password));
            p.setProcessEnvironment(env);
        }
        p.start();
        if (!p.waitForStarted())
            return {};
        // The first kill waits for the campaign to exist: before that there is nothing to resume.
        for (int waited = 0; !armedBy.isEmpty() && waited < 30000 && !found(armedBy); waited += 10) {
            if (p.waitForFinished(10))
                break;
        }
        if (killAfterMs > 0 && p.state() != QProcess::NotRunning && !p.waitForFinished(killAfterMs)) {
            p.kill(); // SIGKILL: no handler runs, nothing is flushed
            p.waitForFinished();
            ++m_kills;
            return {};
        }
        p.waitForFinished(300000);
        if (killAfterMs > 0)
            qInfo() << "finished before the kill at" << killAfterMs << "ms";
        if (p.exitCode() != 0)
            qWarning() << "simfleet-cli failed:" << p.readAllStandardError();
        return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    }

    // What must hold after any kill.
    void checkConsistent(bool complete)
    {
        auto ws = store::Workspace::open(m_path);
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        QSqlDatabase db = ws.value()->database();
        QSqlQuery q(db);
        if (!test::onPostgres()) { // the server checks its own pages
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
        }
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM (SELECT device_id FROM profile WHERE state = 'enabled' GROUP BY device_id"
                                      " HAVING count(*) > 1) AS twice")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        // Every number handed out is recorded exactly once: the cursors and the rows agree.
        QVERIFY(q.exec(QStringLiteral("SELECT o.name, o.msin_next - o.msin_first, o.iccid_next - o.iccid_first,"
                                      " (SELECT count(*) FROM profile p WHERE p.operator_id = o.id),"
                                      " (SELECT count(DISTINCT imsi) FROM profile p WHERE p.operator_id = o.id) FROM operator o")));
        while (q.next()) {
            QCOMPARE(q.value(1).toLongLong(), q.value(3).toLongLong());
            QCOMPARE(q.value(2).toLongLong(), q.value(3).toLongLong());
            QCOMPARE(q.value(4).toLongLong(), q.value(3).toLongLong());
        }
        QVERIFY(store::AuditLog::verify(db).value().intact);

        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(m_path));
        QVERIFY(field);
        QVERIFY(q.exec(QStringLiteral("SELECT d.eid, p.iccid, (SELECT ci.state FROM campaign_item ci WHERE ci.device_id = d.id"
                                      " ORDER BY ci.campaign_id DESC LIMIT 1) FROM device d"
                                      " LEFT JOIN profile p ON p.device_id = d.id AND p.state = 'enabled'")));
        int devices = 0;
        while (q.next()) {
            const auto held = field.value()->device(q.value(0).toString())->listProfiles();
            QVERIFY(held);
            QStringList enabled;
            for (const auto &p : held.value()) {
                if (p.state == u"enabled")
                    enabled.append(p.iccid);
            }
            QVERIFY2(enabled.size() <= 1, qPrintable(q.value(0).toString()));
            const QString state = q.value(2).toString();
            // A device whose step finished agrees with the store; one mid-step may not yet.
            if (complete || state == u"succeeded" || state == u"pending")
                QCOMPARE(enabled.value(0), q.value(1).toString());
            if (complete)
                QCOMPARE(enabled.size(), 1);
            ++devices;
        }
        QCOMPARE(devices, 2000);
    }

    // Starts (or resumes) a campaign, kills it several times at random instants, and finally
    // lets it finish. Returns the campaign's final summary.
    QJsonObject killAndResume(const QStringList &start, qint64 campaignId, int kills)
    {
        QRandomGenerator random(20261128 + quint32(campaignId));
        bool started = false;
        for (int i = 0; i < kills; ++i) {
            const int delay = 60 + int(random.bounded(500));
            if (!started) {
                cli(start, delay, campaignExists(campaignId));
                started = true;
            } else if (i + 1 < kills) {
                cli({ QStringLiteral("change"), QStringLiteral("--resume"), QString::number(campaignId) }, delay);
            } else {
                // The last kill lands while devices are mid-change, so the run that finishes the
                // campaign has devices to reconcile with what they hold.
                cli({ QStringLiteral("change"), QStringLiteral("--resume"), QString::number(campaignId) },
                    1 + int(random.bounded(20)), midStep(campaignId));
            }
            checkConsistent(false);
            if (QTest::currentTestFailed())
                return {};
        }
        return cli({ QStringLiteral("change"), QStringLiteral("--resume"), QString::number(campaignId), QStringLiteral("--timeout"),
                     QStringLiteral("2") },
                   0);
    }

private slots:
    void initTestCase()
    {
        m_path = test::newWorkspaceAddress(m_dir, QStringLiteral("recovery.simfleet"));
        // Healthy devices: every interruption comes from the kills.
        auto ws = simulation::DemoWorkspace::create(m_path, nullptr, { 2000, 0, 0, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
    }

    void provisionKilledAndResumed()
    {
        const QJsonObject summary = killAndResume({ QStringLiteral("provision"), QStringLiteral("--fleet"),
                                                    QStringLiteral("Rheinau smart meters"), QStringLiteral("--batch"),
                                                    QStringLiteral("20") },
                                                  1, 8);
        QCOMPARE(summary.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        QCOMPARE(summary.value(QStringLiteral("succeeded")).toInt(), 2000);
        checkConsistent(true);
    }

    void changeKilledAndResumed()
    {
        QJsonObject summary = killAndResume({ QStringLiteral("change"), QStringLiteral("--fleet"),
                                              QStringLiteral("Rheinau smart meters"), QStringLiteral("--to"),
                                              QStringLiteral("Nordlink Mobile"), QStringLiteral("--batch"), QStringLiteral("20") },
                                            2, 10);
        QCOMPARE(summary.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        QCOMPARE(summary.value(QStringLiteral("succeeded")).toInt() + summary.value(QStringLiteral("skipped")).toInt(), 2000);
        checkConsistent(true);
        qInfo() << "killed" << m_kills << "times in all";
        // Resumed runs found devices mid-change and reconciled them with what the devices held.
        auto ws = store::Workspace::open(m_path);
        QSqlQuery q(ws.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT sum(CAST(%1 AS BIGINT)) FROM audit_entry WHERE action = 'campaign.run'")
                           .arg(store::jsonText(store::dialectOf(ws.value()->database()),
                                                QStringLiteral("details"), QStringLiteral("reconciled")))));
        QVERIFY(q.next());
        qInfo() << "devices reconciled after kills:" << q.value(0).toLongLong();
        QVERIFY(q.value(0).toLongLong() > 0);
        QVERIFY(m_kills >= 10); // most of the 18 runs were cut short
    }
};

QTEST_GUILESS_MAIN(TestCampaignRecovery)
#include "tst_campaignrecovery.moc"
