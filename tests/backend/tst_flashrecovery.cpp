// Security issue 17, "one bad byte in the flash log loses everything after it": a provisioning
// campaign killed, one byte flipped early in the simulated field's flash log, the field reopened.
// The frames after the damage are kept; the damaged frame's device is the only one whose
// profile the workspace and the device disagree on, the resumed campaign leaves it so, and
// `reconcile` reports it and mends the workspace so that nothing disagrees unreported, and a new
// provisioning campaign provisions it again. Then the reconcile command's answers to bad input
// and to users who may not reconcile.
#include "simulation/demoworkspace.h"
#include "simulation/flashlog.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;

namespace {

const QString fleetName = QStringLiteral("Rheinau smart meters");
constexpr int fleetSize = 240;

// How QDataStream writes a QString: what the flash log holds of an ICCID.
QByteArray utf16BigEndian(const QString &s)
{
    QByteArray out;
    for (QChar c : s) {
        out.append(char(c.unicode() >> 8));
        out.append(char(c.unicode() & 0xff));
    }
    return out;
}

} // namespace

class TestFlashRecovery : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    // Runs simfleet-cli to its end, or kills it (SIGKILL) once `killWhen` finds a row.
    Run cli(const QStringList &arguments, const QString &killWhen = {}, const QString &user = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : { "SIMFLEET_PASSPHRASE", "SIMFLEET_PASSWORD" })
            env.remove(QLatin1StringView(name));
        QStringList global { QStringLiteral("-w"), m_path };
        if (!user.isEmpty()) {
            env.insert(QStringLiteral("SIMFLEET_PASSWORD"), QString::fromLatin1(simulation::demoPassword));
            global += { QStringLiteral("--user"), user };
        }
        p.setProcessEnvironment(env);
        p.setStandardInputFile(QProcess::nullDevice());
        p.start(QStringLiteral(SIMFLEET_CLI), global + arguments);
        Run r;
        if (!p.waitForStarted())
            return r;
        if (!killWhen.isEmpty()) {
            for (int waited = 0; waited < 120000 && !found(killWhen); waited += 10) {
                if (p.waitForFinished(10))
                    break;
            }
            if (p.state() != QProcess::NotRunning) {
                p.kill(); // no handler runs: the field's flash log is not taken in
                p.waitForFinished();
                return r;
            }
        }
        if (p.state() != QProcess::NotRunning && !p.waitForFinished(300000))
            return r;
        if (!killWhen.isEmpty())
            qWarning() << "finished before the kill:" << p.readAllStandardError();
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    bool found(const QString &sql)
    {
        bool any = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
            db.setDatabaseName(m_path);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
            if (db.open()) {
                QSqlQuery q(db);
                any = q.exec(sql) && q.next();
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("probe"));
        return any;
    }

    // EID -> the ICCID the workspace records enabled (empty: none).
    QHash<QString, QString> recordedEnabled()
    {
        QHash<QString, QString> out;
        auto ws = store::Workspace::open(m_path);
        if (!ws)
            return out;
        QSqlQuery q(ws.value()->database());
        q.exec(QStringLiteral("SELECT d.eid, p.iccid FROM device d JOIN fleet f ON f.id = d.fleet_id"
                              " LEFT JOIN profile p ON p.device_id = d.id AND p.state = 'enabled' WHERE f.name = '%1'")
                   .arg(fleetName));
        while (q.next())
            out.insert(q.value(0).toString(), q.value(1).toString());
        return out;
    }

    // The devices of the fleet whose enabled profile is not the one the workspace records.
    QStringList disagreeing()
    {
        const QHash<QString, QString> recorded = recordedEnabled();
        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(m_path));
        if (!field) {
            qWarning() << field.errorMessage();
            return { QStringLiteral("no field") };
        }
        QStringList out;
        for (auto it = recorded.cbegin(); it != recorded.cend(); ++it) {
            const auto held = field.value()->device(it.key())->listProfiles();
            QString enabled;
            for (const auto &p : held.value()) {
                if (p.state == u"enabled")
                    enabled = p.iccid;
            }
            if (enabled != it.value())
                out.append(it.key());
        }
        out.sort();
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("flash.simfleet"));
        auto ws = simulation::DemoWorkspace::create(m_path, nullptr, { fleetSize, 0, 0, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        QCOMPARE(recordedEnabled().size(), fleetSize);
    }

    void oneBadByteLosesOneFrameAndReconcileFindsIt()
    {
        // Killed once more than half the fleet runs its new profile: their changes are in the
        // flash log only (the field takes the log in when it closes, which a kill prevents).
        cli({ QStringLiteral("provision"), QStringLiteral("--fleet"), fleetName, QStringLiteral("--batch"), QStringLiteral("20"),
              QStringLiteral("--rate"), QStringLiteral("100/s") },
            QStringLiteral("SELECT 1 FROM (SELECT count(*) AS n FROM profile WHERE state = 'enabled') WHERE n >= %1").arg(fleetSize / 2));
        const QHash<QString, QString> beforeDamage = recordedEnabled();
        QStringList provisioned;
        for (auto it = beforeDamage.cbegin(); it != beforeDamage.cend(); ++it) {
            if (!it.value().isEmpty())
                provisioned.append(it.key());
        }
        QVERIFY2(provisioned.size() >= fleetSize / 2, qPrintable(QString::number(provisioned.size())));

        // One byte flipped in the earliest frame that installs a profile the workspace records.
        const QString flashPath = simulation::SimulatedField::flashLogPath(simulation::SimulatedField::pathForWorkspace(m_path));
        QFile flash(flashPath);
        QVERIFY(flash.open(QIODevice::ReadWrite));
        const QByteArray bytes = flash.readAll();
        qsizetype earliest = -1;
        QString victim;
        for (const QString &eid : provisioned) {
            const qsizetype at = bytes.indexOf(utf16BigEndian(beforeDamage.value(eid)));
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
                victim = eid;
            }
        }
        QVERIFY2(earliest >= 0, qPrintable(QStringLiteral("the flash log (%1 bytes) holds none of the installed profiles, e.g. %2").arg(bytes.size()).arg(beforeDamage.value(provisioned.value(0)))));
        QVERIFY2(earliest < bytes.size() / 4, "the damage is meant to be early in the log");
        QVERIFY(flash.seek(earliest + 3));
        const char flipped = char(bytes.at(earliest + 3) ^ 0x40);
        QCOMPARE(flash.write(&flipped, 1), qint64(1));
        flash.close();
        qInfo() << "flipped one byte at" << earliest + 3 << "of" << bytes.size() << "in the frame installing" << victim << "'s profile";

        // Reopened: only the damaged frame is lost. (Before frames were checkable on their own,
        // every frame after it was lost: every device provisioned after the victim disagreed.)
        QCOMPARE(disagreeing(), QStringList { victim });

        // The campaign resumes and finishes; it does not ask devices it recorded as done.
        const Run resumed = cli({ QStringLiteral("provision"), QStringLiteral("--resume"), QStringLiteral("1"),
                                  QStringLiteral("--timeout"), QStringLiteral("2") });
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(resumed.out).object();
        QCOMPARE(summary.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        QCOMPARE(summary.value(QStringLiteral("succeeded")).toInt(), fleetSize);
        QCOMPARE(disagreeing(), QStringList { victim }); // the silent mismatch the issue describes

        // Reconcile finds it, says what each side says and mends the workspace.
        const Run reconciled = cli({ QStringLiteral("reconcile"), QStringLiteral("--fleet"), fleetName });
        QVERIFY2(reconciled.exitCode == 0, reconciled.err.constData());
        const QJsonObject answer = QJsonDocument::fromJson(reconciled.out).object();
        const QJsonObject counts = answer.value(QStringLiteral("summary")).toObject();
        QCOMPARE(counts.value(QStringLiteral("devices")).toInt(), fleetSize);
        QCOMPARE(counts.value(QStringLiteral("agreeing")).toInt(), fleetSize - 1);
        QCOMPARE(counts.value(QStringLiteral("repaired")).toInt(), 1);
        QCOMPARE(counts.value(QStringLiteral("unrepaired")).toInt(), 0);
        const QJsonArray differences = answer.value(QStringLiteral("differences")).toArray();
        QCOMPARE(differences.size(), 1);
        const QJsonObject d = differences.at(0).toObject();
        QCOMPARE(d.value(QStringLiteral("device")).toString(), victim);
        QCOMPARE(d.value(QStringLiteral("iccid")).toString(), beforeDamage.value(victim));
        QCOMPARE(d.value(QStringLiteral("workspace_says")).toString(), QStringLiteral("enabled"));
        QCOMPARE(d.value(QStringLiteral("device_says")).toString(), QStringLiteral("not held"));
        QVERIFY(d.value(QStringLiteral("action")).toString().startsWith(u"recorded as deleted"));
        QCOMPARE(d.value(QStringLiteral("repaired")).toBool(), true);
        // No difference is left unreported: the two sides agree everywhere now.
        QCOMPARE(disagreeing(), QStringList());
        QVERIFY(found(QStringLiteral("SELECT 1 FROM audit_entry WHERE action = 'device.reconcile' AND subject = 'device:%1'").arg(victim)));

        // A new provisioning campaign provisions the device again, and only it.
        const Run again = cli({ QStringLiteral("provision"), QStringLiteral("--fleet"), fleetName });
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const QJsonObject second = QJsonDocument::fromJson(again.out).object();
        QCOMPARE(second.value(QStringLiteral("succeeded")).toInt(), 1);
        QCOMPARE(second.value(QStringLiteral("skipped")).toInt(), fleetSize - 1);
        QCOMPARE(disagreeing(), QStringList());
        QVERIFY(!recordedEnabled().value(victim).isEmpty());
        const Run clean = cli({ QStringLiteral("reconcile"), QStringLiteral("--fleet"), fleetName });
        QVERIFY2(clean.exitCode == 0, clean.err.constData());
        QCOMPARE(QJsonDocument::fromJson(clean.out).object().value(QStringLiteral("differences")).toArray().size(), 0);
    }

    void reconcileReportsAndRepairsADisabledRecord()
    {
        // Drift of another kind: the workspace records the profile a device runs as disabled.
        const QHash<QString, QString> enabled = recordedEnabled();
        const QString eid = enabled.cbegin().key();
        {
            auto ws = store::Workspace::open(m_path);
            QVERIFY(ws);
            QSqlQuery q(ws.value()->database());
            QVERIFY(q.exec(QStringLiteral("UPDATE profile SET state = 'disabled' WHERE iccid = '%1'").arg(enabled.value(eid))));
        }
        QFile list(m_dir.filePath(QStringLiteral("one.txt")));
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write(eid.toLatin1() + "\n");
        list.close();
        const Run r = cli({ QStringLiteral("reconcile"), QStringLiteral("--devices"), list.fileName() });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject answer = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(answer.value(QStringLiteral("summary")).toObject().value(QStringLiteral("devices")).toInt(), 1);
        const QJsonArray differences = answer.value(QStringLiteral("differences")).toArray();
        QCOMPARE(differences.size(), 1);
        const QJsonObject d = differences.at(0).toObject();
        QCOMPARE(d.value(QStringLiteral("device")).toString(), eid);
        QCOMPARE(d.value(QStringLiteral("workspace_says")).toString(), QStringLiteral("disabled"));
        QCOMPARE(d.value(QStringLiteral("device_says")).toString(), QStringLiteral("enabled"));
        QCOMPARE(d.value(QStringLiteral("repaired")).toBool(), true);
        QCOMPARE(recordedEnabled().value(eid), enabled.value(eid));
    }

    void reconcileRefusesBadInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("user");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no devices") << QStringList { "reconcile" } << QString() << 2 << QByteArray("say which devices");
        QTest::newRow("both") << QStringList { "reconcile", "--fleet", "x", "--devices", "y" } << QString() << 2
                              << QByteArray("say which devices");
        QTest::newRow("unknown fleet") << QStringList { "reconcile", "--fleet", "No such fleet" } << QString() << 1
                                       << QByteArray("No such fleet");
        QTest::newRow("unreadable file") << QStringList { "reconcile", "--devices", "/nonexistent/eids.txt" } << QString() << 2
                                         << QByteArray("cannot read the devices file /nonexistent/eids.txt");
        QTest::newRow("bad EID") << QStringList { "reconcile", "--devices", "@bad" } << QString() << 1 << QByteArray("12345");
        QTest::newRow("viewer") << QStringList { "reconcile", "--fleet", fleetName } << QStringLiteral("viewer") << 1
                                << QByteArray("viewer (Viewer) is not permitted");
        QTest::newRow("account manager") << QStringList { "reconcile", "--fleet", fleetName } << QStringLiteral("am-rheinfunk") << 1
                                         << QByteArray("is not permitted");
        // Refused before any device is looked up: what the file names, there or not, in their
        // scope or not, makes no difference to the answer.
        QTest::newRow("account manager, a file") << QStringList { "reconcile", "--devices", "@bad" } << QStringLiteral("am-rheinfunk")
                                                 << 1 << QByteArray("am-rheinfunk (Operator account manager) is not permitted");
    }

    void reconcileRefusesBadInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, user);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, message);
        QFile bad(m_dir.filePath(QStringLiteral("bad.txt")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(recordedEnabled().cbegin().key().toLatin1() + "\n12345\n");
        bad.close();
        arguments.replaceInStrings(QStringLiteral("@bad"), bad.fileName());
        const Run r = cli(arguments, {}, user);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY(!found(QStringLiteral("SELECT 1 FROM audit_entry WHERE action = 'device.reconcile' AND actor = '%1'").arg(user)));
    }
};

QTEST_GUILESS_MAIN(TestFlashRecovery)
#include "tst_flashrecovery.moc"
