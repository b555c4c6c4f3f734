// Devices on the network, as separate processes: `simfleet-cli serve` is the eIM (ESipa over
// HTTPS on loopback), `simfleet-field serve` runs a demo field's devices, each IPA polling on its
// own schedule, and `provision`/`change --reach network` create campaigns the eIM runs and
// follow them. Then the eIM and the field are killed with SIGKILL at random instants of a change
// and started again, several times: afterwards every device holds exactly one enabled profile,
// the one the workspace records, and no ICCID or IMSI was issued twice.
#include "crypto/demopki.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"

#include "clirun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace simfleet;

class TestFieldProcess : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_ws;
    QString m_fleet;
    QStringList m_operators;
    QStringList m_eids;

    QString file(const QString &name) const { return m_dir.filePath(name); }
    testing::CliRun cli(const QStringList &arguments) const { return testing::runCli(QStringLiteral(SIMFLEET_CLI), arguments, {}); }

    // Starts the eIM and returns its ESipa URL (empty when it did not start).
    QString startEim(QProcess &eim)
    {
        eim.setProgram(QStringLiteral(SIMFLEET_CLI));
        eim.setArguments({ QStringLiteral("-w"), m_ws, QStringLiteral("serve"), QStringLiteral("--esipa"), QStringLiteral("127.0.0.1:0"),
                           QStringLiteral("--tls-cert"), file(QStringLiteral("eim.pem")), QStringLiteral("--tls-key"),
                           file(QStringLiteral("eim.key")), QStringLiteral("--campaign-poll"), QStringLiteral("100") });
        eim.setStandardInputFile(QProcess::nullDevice());
        eim.setProcessChannelMode(QProcess::SeparateChannels);
        eim.start();
        if (!eim.waitForStarted())
            return {};
        QElapsedTimer waited;
        waited.start();
        while (!eim.canReadLine() && eim.state() == QProcess::Running && waited.elapsed() < 60000)
            eim.waitForReadyRead(200);
        return QJsonDocument::fromJson(eim.readLine()).object().value(QStringLiteral("url")).toString();
    }
    bool startField(QProcess &field, const QString &url)
    {
        field.setProgram(QStringLiteral(SIMFLEET_FIELD));
        field.setArguments({ QStringLiteral("serve"), QStringLiteral("--field"), simulation::SimulatedField::pathForWorkspace(m_ws),
                             QStringLiteral("--eim"), url, QStringLiteral("--eim-root"), file(QStringLiteral("root.pem")),
                             QStringLiteral("--eim-name"), QStringLiteral("localhost"), QStringLiteral("--poll"), QStringLiteral("0.3"),
                             QStringLiteral("--threads"), QStringLiteral("2") });
        field.setStandardInputFile(QProcess::nullDevice());
        field.start();
        return field.waitForStarted();
    }
    static void kill(QProcess &p)
    {
        if (p.state() == QProcess::NotRunning)
            return;
        p.kill(); // SIGKILL
        p.waitForFinished(10000);
    }
    // The profiles each device holds, read from the field's file once no process drives it.
    QHash<QString, QStringList> enabledOnDevices()
    {
        QHash<QString, QStringList> out;
        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(m_ws));
        if (!field) {
            qWarning("%s", qPrintable(field.errorMessage()));
            return out;
        }
        for (const QString &eid : std::as_const(m_eids)) {
            for (const devices::InstalledProfile &p : field.value()->device(eid)->listProfiles().value())
                out[eid].append(p.iccid + u':' + p.state);
        }
        return out;
    }
    QHash<QString, QString> enabledInWorkspace()
    {
        QHash<QString, QString> out;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
            db.setDatabaseName(m_ws);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
            if (db.open()) {
                QSqlQuery q(db);
                q.exec(QStringLiteral("SELECT d.eid, p.iccid FROM profile p JOIN device d ON d.id = p.device_id WHERE p.state = 'enabled'"));
                while (q.next())
                    out.insert(q.value(0).toString(), q.value(1).toString());
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("probe"));
        return out;
    }

    // A change of operator followed from the CLI, with the eIM and the field killed at random
    // instants and started again; then the invariants.
    void changeWithKills(QProcess &eim, QProcess &field, QString &current, const QString &target)
    {
        QProcess follower;
        follower.setProgram(QStringLiteral(SIMFLEET_CLI));
        follower.setArguments({ QStringLiteral("-w"), m_ws, QStringLiteral("change"), QStringLiteral("--fleet"), m_fleet,
                                QStringLiteral("--to"), target, QStringLiteral("--reach"), QStringLiteral("network"),
                                QStringLiteral("--timeout"), QStringLiteral("20") });
        follower.setStandardInputFile(QProcess::nullDevice());
        follower.start();
        QVERIFY(follower.waitForStarted());
        auto *random = QRandomGenerator::global();
        int kills = 0;
        for (int round = 0; round < 3 && follower.state() == QProcess::Running; ++round) {
            QThread::msleep(random->bounded(200, 900));
            ++kills;
            QProcess &victim = round % 2 == 0 ? eim : field;
            kill(victim);
            QThread::msleep(random->bounded(50, 400));
            if (&victim == &eim) {
                current = startEim(eim);
                QVERIFY2(!current.isEmpty(), eim.readAllStandardError().constData());
                // The field polls the eIM's new port.
                kill(field);
                QVERIFY(startField(field, current));
            } else {
                QVERIFY(startField(field, current));
            }
        }
        QVERIFY(follower.waitForFinished(120000));
        QVERIFY2(follower.exitCode() == 0, follower.readAllStandardError().constData());
        const QJsonObject changed = QJsonDocument::fromJson(follower.readAllStandardOutput()).object();
        QCOMPARE(changed.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        kill(field); // the field file is read, and reconciled, by this process and the CLI now

        // Every device: one profile, enabled, the one the workspace records; nothing waits.
        const auto onDevices = enabledOnDevices();
        const auto recorded = enabledInWorkspace();
        QCOMPARE(onDevices.size(), m_eids.size());
        for (const QString &eid : std::as_const(m_eids)) {
            const QStringList held = onDevices.value(eid);
            QCOMPARE(held.size(), 1);
            QVERIFY2(held.first().endsWith(QStringLiteral(":enabled")), qPrintable(held.join(u' ')));
            QCOMPARE(held.first().section(u':', 0, 0), recorded.value(eid));
        }
        QCOMPARE(changed.value(QStringLiteral("waiting")).toInt(), 0);
        QVERIFY(kills > 0);
        // The reconcile command, asking the devices in process now, finds nothing to repair.
        const auto reconciled = cli({ QStringLiteral("-w"), m_ws, QStringLiteral("reconcile"), QStringLiteral("--fleet"), m_fleet });
        QVERIFY2(reconciled.exitCode == 0, reconciled.err.constData());
        // The campaign's counts are what the devices hold.
        QCOMPARE(changed.value(QStringLiteral("succeeded")).toInt() + changed.value(QStringLiteral("failed")).toInt()
                     + changed.value(QStringLiteral("rolled_back")).toInt(),
                 m_eids.size());
        QVERIFY(startField(field, current));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_ws = file(QStringLiteral("network.simfleet"));
        QVERIFY(simulation::DemoWorkspace::create(m_ws, nullptr, { 6, 0, 0, false }));
        const auto devices = cli({ QStringLiteral("-w"), m_ws, QStringLiteral("devices") });
        QCOMPARE(devices.exitCode, 0);
        for (const QJsonValue &d : QJsonDocument::fromJson(devices.out).array()) {
            m_eids.append(d.toObject().value(QStringLiteral("eid")).toString());
            m_fleet = d.toObject().value(QStringLiteral("fleet")).toString();
        }
        QCOMPARE(m_eids.size(), 6);
        const auto operators = cli({ QStringLiteral("-w"), m_ws, QStringLiteral("operators") });
        for (const QJsonValue &o : QJsonDocument::fromJson(operators.out).array())
            m_operators.append(o.toObject().value(QStringLiteral("name")).toString());
        QVERIFY(m_operators.size() >= 2);
        // The eIM's TLS identity for "localhost", under a root the field trusts and nothing else.
        const QDateTime now = QDateTime::currentDateTimeUtc();
        auto root = crypto::demopki::createCertificateIssuer(QStringLiteral("eIM TLS root"), { now.addDays(-1), now.addDays(30) }).value();
        auto leaf = crypto::demopki::createProfileServer(root, QStringLiteral("Demo"), QStringLiteral("SE"), QStringLiteral("localhost"),
                                                         { now.addDays(-1), now.addDays(30) })
                        .value();
        for (const auto &[name, bytes] : { std::pair { QStringLiteral("eim.pem"), leaf.certificate.toPem() },
                                           std::pair { QStringLiteral("eim.key"), leaf.key.toPem().view().toByteArray() },
                                           std::pair { QStringLiteral("root.pem"), root.certificate.toPem() } }) {
            QFile out(file(name));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(bytes);
        }
    }

    void refusals()
    {
        // The field needs its eIM and the root it trusts; the eIM needs TLS.
        QProcess field;
        field.start(QStringLiteral(SIMFLEET_FIELD), { QStringLiteral("serve"), QStringLiteral("--field"), file(QStringLiteral("none.field")) });
        QVERIFY(field.waitForFinished(30000));
        QCOMPARE(field.exitCode(), 2);
        QVERIFY(field.readAllStandardError().contains("--eim"));
        // (A demo workspace has the eIM's TLS files beside it; a certificate without its key is refused.)
        const auto noTls = cli({ QStringLiteral("-w"), m_ws, QStringLiteral("serve"), QStringLiteral("--esipa"), QStringLiteral("127.0.0.1:0"),
                                 QStringLiteral("--tls-cert"), file(QStringLiteral("eim.pem")) });
        QCOMPARE(noTls.exitCode, 1);
        QVERIFY2(noTls.err.contains("--tls-cert"), noTls.err.constData());
        const auto badReach = cli({ QStringLiteral("-w"), m_ws, QStringLiteral("provision"), QStringLiteral("--fleet"), m_fleet,
                                    QStringLiteral("--reach"), QStringLiteral("radio") });
        QCOMPARE(badReach.exitCode, 2);
    }

    void provisionAndChangeOverTheNetwork()
    {
        QProcess eim, field;
        const QString url = startEim(eim);
        QVERIFY2(url.startsWith(QStringLiteral("https://127.0.0.1:")), eim.readAllStandardError().constData());
        QVERIFY(startField(field, url));
        const auto provisioned = cli({ QStringLiteral("-w"), m_ws, QStringLiteral("provision"), QStringLiteral("--fleet"), m_fleet,
                                       QStringLiteral("--operator"), m_operators[0], QStringLiteral("--reach"), QStringLiteral("network"),
                                       QStringLiteral("--timeout"), QStringLiteral("20") });
        QVERIFY2(provisioned.exitCode == 0, provisioned.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(provisioned.out).object();
        QCOMPARE(summary.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        QCOMPARE(summary.value(QStringLiteral("succeeded")).toInt(), m_eids.size());
        QVERIFY(provisioned.err.contains("follow"));

        // Changes of operator, there and back, each with the eIM and the field killed at random
        // instants and started again; the campaign goes on each time the eIM is back.
        QString current = url;
        for (const QString &target : { m_operators[1], m_operators[0] })
            changeWithKills(eim, field, current, target);
        kill(field);
        kill(eim);
    }

};

QTEST_GUILESS_MAIN(TestFieldProcess)
#include "tst_fieldprocess.moc"
