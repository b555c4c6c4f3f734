#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QSet>
#include <QTest>

#include "auditrewrite.h"

// simfleet-cli as its users run it: a process, its exit code, its stdout and stderr.
class TestCli : public QObject
{
    Q_OBJECT

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    Run cli(const QStringList &arguments, const QByteArray &passphrase = QByteArray(),
            const QHash<QString, QString> &variables = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : { "SIMFLEET_PASSPHRASE", "SIMFLEET_PASSWORD", "SIMFLEET_NEW_PASSWORD" })
            env.remove(QLatin1StringView(name));
        if (!passphrase.isEmpty())
            env.insert(QStringLiteral("SIMFLEET_PASSPHRASE"), QString::fromUtf8(passphrase));
        for (auto it = variables.cbegin(); it != variables.cend(); ++it)
            env.insert(it.key(), it.value());
        p.setProcessEnvironment(env);
        p.setStandardInputFile(QProcess::nullDevice());
        p.start(QStringLiteral(SIMFLEET_CLI), arguments);
        Run r;
        // A guard against a hung command, not a measure: under the sanitizers, beside another
        // test, attesting the demo's 600 trackers took over a minute.
        if (!p.waitForFinished(300000))
            return r;
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    QString ws(const char *name) const { return m_dir.filePath(QLatin1StringView(name)); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const Run r = cli({ "-w", ws("demo.simfleet"), "init", "--demo", "--without-stories" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("3400 simulated devices"));
        QVERIFY(r.out.contains("demo.simfleet.key"));
        QVERIFY(r.err.isEmpty()); // no log noise on the command line
    }

    void versionAndHelp()
    {
        const Run version = cli({ "--version" });
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("simfleet-cli 0."));
        QVERIFY(version.out.contains("OpenSSL 3"));
        const Run help = cli({ "--help" });
        QCOMPARE(help.exitCode, 0);
        for (const char *command : { "init", "info", "enroll", "devices", "operators", "audit", "aka" })
            QVERIFY2(help.out.contains(QByteArray(QByteArray("\n  ") + command + ' ')), command);
    }

    void badUsage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no command") << QStringList {} << QByteArray("no command given");
        QTest::newRow("unknown command") << QStringList { "frobnicate" } << QByteArray("unknown command 'frobnicate'");
        QTest::newRow("no workspace") << QStringList { "devices" } << QByteArray("say which workspace");
        QTest::newRow("enroll without csv") << QStringList { "-w", "x", "enroll", "--fleet", "F" } << QByteArray("--csv FILE");
        QTest::newRow("bad format") << QStringList { "-w", "x", "devices", "--format", "xml" }
                                    << QByteArray("--format must be json or csv");
        QTest::newRow("audit without verb") << QStringList { "-w", "x", "audit" } << QByteArray("audit verify");
        QTest::newRow("unknown option") << QStringList { "-w", "x", "operators", "--bogus" }
                                        << QByteArray("Unknown option 'bogus'");
        // Issue 17: "nan" passed every comparison and was stored as -2147483648 ms.
        QTest::newRow("timeout nan") << QStringList { "-w", "x", "attest", "--fleet", "F", "--timeout", "nan" }
                                     << QByteArray("--timeout must be a number of seconds");
        QTest::newRow("campaign timeout nan") << QStringList { "-w", "x", "change", "--fleet", "F", "--to", "O", "--timeout", "nan" }
                                              << QByteArray("--timeout must be a number of seconds");
        QTest::newRow("rate nan") << QStringList { "-w", "x", "change", "--fleet", "F", "--to", "O", "--rate", "nan" }
                                  << QByteArray("--rate must be devices per second");
        // Issue 23: the ledger and custody reports.
        QTest::newRow("ledger without dates") << QStringList { "-w", "x", "ledger" } << QByteArray("--from DATE --to DATE");
        QTest::newRow("ledger bad date") << QStringList { "-w", "x", "ledger", "--from", "2026-13-01", "--to", "2026-12-31" }
                                         << QByteArray("2026-13-01 is not a date");
        QTest::newRow("ledger backwards") << QStringList { "-w", "x", "ledger", "--from", "2026-12-31", "--to", "2026-12-01" }
                                          << QByteArray("--from must come before --to");
        QTest::newRow("ledger format") << QStringList { "-w", "x", "ledger", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "pdf" }
                                       << QByteArray("--format must be json or csv");
        QTest::newRow("report what") << QStringList { "-w", "x", "devices", "report", "8904" } << QByteArray("exactly one of --stolen");
        QTest::newRow("report two") << QStringList { "-w", "x", "devices", "report", "--stolen", "--lost", "8904" }
                                    << QByteArray("exactly one of --stolen");
        QTest::newRow("report nothing") << QStringList { "-w", "x", "devices", "report", "--stolen" } << QByteArray("name the devices");
        QTest::newRow("devices action") << QStringList { "-w", "x", "devices", "steal" } << QByteArray("list, report, release or alerts");
    }

    void badUsage()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, message);
        const Run r = cli(arguments);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), r.err.constData());
    }

    void initEmptyWorkspace()
    {
        const Run noPassphrase = cli({ "-w", ws("empty.simfleet"), "init" });
        QCOMPARE(noPassphrase.exitCode, 1);
        QVERIFY(noPassphrase.err.contains("set SIMFLEET_PASSPHRASE or run this in a terminal"));
        QVERIFY(!QFile::exists(ws("empty.simfleet")));

        const Run created = cli({ "-w", ws("empty.simfleet"), "init", "--name", "Grid North" }, "a fine passphrase");
        QVERIFY2(created.exitCode == 0, created.err.constData());
        // Without --user the owner acts, which takes the passphrase.
        const Run locked = cli({ "-w", ws("empty.simfleet"), "info" });
        QCOMPARE(locked.exitCode, 1);
        QVERIFY2(locked.err.contains("takes its passphrase"), locked.err.constData());
        const Run wrong = cli({ "-w", ws("empty.simfleet"), "info" }, "not the passphrase");
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains("wrong passphrase"), wrong.err.constData());
        const Run info = cli({ "-w", ws("empty.simfleet"), "info" }, "a fine passphrase");
        QCOMPARE(info.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(json.value("name").toString(), QStringLiteral("Grid North"));
        QCOMPARE(json.value("demo").toBool(), false);

        const Run again = cli({ "-w", ws("empty.simfleet"), "init" }, "a fine passphrase");
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains("already exists"));
    }

    void operatorsList()
    {
        const Run r = cli({ "-w", ws("demo.simfleet"), "operators" });
        QCOMPARE(r.exitCode, 0);
        const QJsonArray operators = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(operators.size(), 4);
        QStringList countries;
        for (const QJsonValue &v : operators) {
            const QJsonObject o = v.toObject();
            QVERIFY(!o.value("name").toString().isEmpty());
            QCOMPARE(o.value("mcc").toString().size(), 3);
            QVERIFY(o.value("mnc").toString().size() >= 2);
            QVERIFY(o.value("imsi_range").toObject().value("size").toInteger() > 0);
            QCOMPARE(o.value("percent_used").toDouble(), 0.0);
            countries.append(o.value("country").toString());
        }
        countries.removeDuplicates();
        QCOMPARE(countries.size(), 4);
    }

    void enrollDevicesAndAudit()
    {
        const QString sample = QStringLiteral(SIMFLEET_TEST_DATA "/enroll-sample.csv");
        const QString rejects = m_dir.filePath(QStringLiteral("rejects.csv"));
        const Run dry = cli({ "-w", ws("demo.simfleet"), "enroll", "--fleet", "Elm Street", "--customer",
                              "Stadtwerke Rheinau", "--csv", sample, "--dry-run" });
        QCOMPARE(dry.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(dry.out).object().value("accepted").toInt(), 8);
        QCOMPARE(cli({ "-w", ws("demo.simfleet"), "devices", "--fleet", "Elm Street" }).exitCode, 1); // not created

        const Run r = cli({ "-w", ws("demo.simfleet"), "enroll", "--fleet", "Elm Street", "--customer",
                            "Stadtwerke Rheinau", "--csv", sample, "--rejects", rejects });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(summary.value("accepted").toInt(), 8);
        QCOMPARE(summary.value("rejected").toInt(), 4);
        QCOMPARE(summary.value("duplicates").toInt(), 0);
        const QJsonArray errors = summary.value("errors").toArray();
        QCOMPARE(errors.first().toObject().value("line").toInt(), 10);
        QCOMPARE(errors.first().toObject().value("field").toString(), QStringLiteral("eid"));
        QVERIFY(QFile::exists(rejects));

        const Run again = cli({ "-w", ws("demo.simfleet"), "enroll", "--fleet", "Elm Street", "--csv", sample });
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(again.out).object().value("duplicates").toInt(), 8);
        QCOMPARE(QJsonDocument::fromJson(again.out).object().value("accepted").toInt(), 0);
        QVERIFY(again.err.contains("nothing new: 8 devices in the file are already enrolled"));

        const Run devices = cli({ "-w", ws("demo.simfleet"), "devices", "--fleet", "Elm Street" });
        QCOMPARE(devices.exitCode, 0);
        const QJsonArray list = QJsonDocument::fromJson(devices.out).array();
        QCOMPARE(list.size(), 8);
        const QJsonObject first = list.first().toObject();
        for (const char *key : { "eid", "imei", "serial", "model", "secure_element", "customer", "fleet", "operator",
                                 "iccid", "attestation" })
            QVERIFY2(first.contains(QLatin1StringView(key)), key);
        QCOMPARE(first.value("eid").toString(), QStringLiteral("89049032000000000000000000000066"));
        QVERIFY(first.value("operator").isNull());
        QCOMPARE(first.value("customer").toString(), QStringLiteral("Stadtwerke Rheinau"));

        const Run all = cli({ "-w", ws("demo.simfleet"), "devices", "--format", "csv" });
        QCOMPARE(all.exitCode, 0);
        QCOMPARE(all.out.count('\n'), 3400 + 8 + 1);

        const Run audit = cli({ "-w", ws("demo.simfleet"), "audit", "verify" });
        QCOMPARE(audit.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(audit.out).object().value("intact").toBool(), true);
        QCOMPARE(QJsonDocument::fromJson(audit.out).object().value("entries").toInt(), 11); // created, its eIM, demo filled, 7 demo users, one enrollment
    }

    // --user with SIMFLEET_PASSWORD: the role and the scope hold on the command line too.
    void usersRolesAndScope()
    {
        const QHash<QString, QString> demo { { QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("demo") } };
        const Run users = cli({ "-w", ws("demo.simfleet"), "users" });
        QVERIFY2(users.exitCode == 0, users.err.constData());
        const QJsonArray list = QJsonDocument::fromJson(users.out).array();
        QCOMPARE(list.size(), 7);
        QSet<QString> names;
        for (const QJsonValue &u : list) {
            names.insert(u.toObject().value("name").toString());
            QVERIFY(u.toObject().contains("role") && u.toObject().contains("operator"));
            QVERIFY(!u.toObject().contains("password_hash"));
        }
        QVERIFY(names.contains(QStringLiteral("am-albion")));
        for (const QJsonValue &u : list) {
            if (u.toObject().value("name").toString() == u"am-albion") {
                QCOMPARE(u.toObject().value("role").toString(), QStringLiteral("operator-account-manager"));
                QCOMPARE(u.toObject().value("operator").toString(), QStringLiteral("Albion Telecom"));
            }
        }

        const Run wrong = cli({ "-w", ws("demo.simfleet"), "--user", "viewer", "devices" }, {},
                              { { QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("guess") } });
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains("wrong user name or password"), wrong.err.constData());
        QVERIFY(wrong.out.isEmpty());

        const Run all = cli({ "-w", ws("demo.simfleet"), "devices", "--format", "csv" });
        const Run viewer = cli({ "-w", ws("demo.simfleet"), "--user", "viewer", "devices", "--format", "csv" }, {}, demo);
        QVERIFY2(viewer.exitCode == 0, viewer.err.constData());
        QCOMPARE(viewer.out, all.out);
        const Run forbidden = cli({ "-w", ws("demo.simfleet"), "--user", "viewer", "change", "--fleet", "PAYD car units", "--to",
                                    "Rheinfunk" },
                                  {}, demo);
        QCOMPARE(forbidden.exitCode, 1);
        QVERIFY2(forbidden.err.contains("viewer (Viewer) is not permitted to change subscriptions"), forbidden.err.constData());
        const Run noUsers = cli({ "-w", ws("demo.simfleet"), "--user", "viewer", "users" }, {}, demo);
        QCOMPARE(noUsers.exitCode, 1);
        QVERIFY(noUsers.err.contains("not permitted to manage users"));

        // An account manager sees only the devices of their operator: Albion is the PAYD units' home.
        const Run albion = cli({ "-w", ws("demo.simfleet"), "--user", "am-albion", "devices" }, {}, demo);
        QVERIFY2(albion.exitCode == 0, albion.err.constData());
        const QJsonArray mine = QJsonDocument::fromJson(albion.out).array();
        QCOMPARE(mine.size(), 800);
        for (const QJsonValue &d : mine)
            QCOMPARE(d.toObject().value("customer").toString(), QStringLiteral("Cover & Go Insurance"));
        const Run operators = cli({ "-w", ws("demo.simfleet"), "--user", "am-albion", "operators" }, {}, demo);
        QCOMPARE(QJsonDocument::fromJson(operators.out).array().size(), 1);

        // The owner adds a user; the new password comes from SIMFLEET_NEW_PASSWORD.
        const Run added = cli({ "-w", ws("demo.simfleet"), "users", "add", "olga", "--role", "operations" }, {},
                              { { QStringLiteral("SIMFLEET_NEW_PASSWORD"), QStringLiteral("harbour sprocket lilac") } });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        QCOMPARE(QJsonDocument::fromJson(added.out).array().size(), 8);
        QVERIFY(!added.out.contains("harbour sprocket lilac") && !added.err.contains("harbour sprocket lilac"));
        const Run olga = cli({ "-w", ws("demo.simfleet"), "--user", "olga", "info" }, {},
                             { { QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("harbour sprocket lilac") } });
        QVERIFY2(olga.exitCode == 0, olga.err.constData());
        const Run badRole = cli({ "-w", ws("demo.simfleet"), "users", "add", "x", "--role", "superuser" });
        QCOMPARE(badRole.exitCode, 2);
    }

    // Issue 23 from the command line: a car unit reported stolen is disabled at once in the
    // simulated field, the viewer may not report, and the ledger shows the period it ended.
    void reportStolenAndReadTheLedger()
    {
        const QHash<QString, QString> demo { { QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("demo") } };
        // A small demo of its own: four healthy car units.
        const QString w = ws("stolen.simfleet");
        QVERIFY(simfleet::simulation::DemoWorkspace::create(w, nullptr, { 4, 4, 4, false }));
        const Run provisioned = cli({ "-w", w, "provision", "--fleet", "PAYD car units", "--timeout", "2" });
        QVERIFY2(provisioned.exitCode == 0, provisioned.err.constData());
        const Run profiles = cli({ "-w", w, "profiles", "--fleet", "PAYD car units" });
        const QJsonArray list = QJsonDocument::fromJson(profiles.out).array();
        QCOMPARE(list.size(), 4);
        const QString eid = list.first().toObject().value(QStringLiteral("eid")).toString();
        const Run viewer = cli({ "-w", w, "--user", "viewer", "devices", "report", "--stolen", eid }, {}, demo);
        QCOMPARE(viewer.exitCode, 1);
        QVERIFY2(viewer.err.contains("report devices stolen"), viewer.err.constData());
        const Run reported = cli({ "-w", w, "--user", "operations", "devices", "report", "--stolen", "--note", "police ref 4711", eid },
                                 {}, demo);
        QVERIFY2(reported.exitCode == 0, reported.err.constData());
        const QJsonObject row = QJsonDocument::fromJson(reported.out).array().first().toObject();
        QCOMPARE(row.value(QStringLiteral("custody")).toString(), QStringLiteral("stolen"));
        QCOMPARE(row.value(QStringLiteral("contact")).toArray().first().toString(), QStringLiteral("subscription-disabled"));
        QVERIFY(row.value(QStringLiteral("enabled_iccid")).isNull());
        const QString today = QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate);
        const Run ledger = cli({ "-w", w, "ledger", "--from", today, "--to", today, "--format", "csv" });
        QVERIFY2(ledger.exitCode == 0, ledger.err.constData());
        QVERIFY(ledger.out.startsWith("eid,iccid,operator,customer,from,to,started_by,ended_by\n"));
        bool found = false;
        for (const QByteArray &line : ledger.out.split('\n')) {
            if (line.startsWith(eid.toUtf8()))
                found = line.endsWith(",reported-stolen") && line.contains(",campaign ");
        }
        QVERIFY2(found, ledger.out.constData());
        const Run monthly = cli({ "-w", w, "--user", "am-albion", "ledger", "--monthly", "--from", today, "--to", today }, {}, demo);
        QVERIFY2(monthly.exitCode == 0, monthly.err.constData());
        for (const QJsonValue &m : QJsonDocument::fromJson(monthly.out).array())
            QCOMPARE(m.toObject().value(QStringLiteral("operator")).toString(), QStringLiteral("Albion Telecom"));
        const Run alerts = cli({ "-w", w, "devices", "alerts" });
        QVERIFY(alerts.out.contains("subscription-disabled"));
        QCOMPARE(cli({ "-w", w, "audit", "verify" }).exitCode, 0);
    }

    void tamperedAuditLogFails()
    {
        QVERIFY(QFile::copy(ws("demo.simfleet"), ws("tampered.simfleet")));
        QVERIFY(QFile::copy(ws("demo.simfleet.key"), ws("tampered.simfleet.key")));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("t"));
            db.setDatabaseName(ws("tampered.simfleet"));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DROP TRIGGER audit_entry_no_update")));
            QVERIFY(q.exec(QStringLiteral("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 1")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("t"));
        const Run r = cli({ "-w", ws("tampered.simfleet"), "audit", "verify" });
        QCOMPARE(r.exitCode, 1);
        const QJsonObject json = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(json.value("intact").toBool(), false);
        QCOMPARE(json.value("first_bad_entry").toInt(), 1);
        QVERIFY(r.err.contains("tampered"));
    }

    // The owner keeps the head outside the file; a log cut behind it fails verify --against.
    void auditCheckpointFindsACutLog()
    {
        QVERIFY(QFile::copy(ws("demo.simfleet"), ws("cut.simfleet")));
        QVERIFY(QFile::copy(ws("demo.simfleet.key"), ws("cut.simfleet.key")));
        const QString kept = m_dir.filePath(QStringLiteral("head.json"));
        const Run taken = cli({ "-w", ws("cut.simfleet"), "audit", "checkpoint", "--out", kept });
        QVERIFY2(taken.exitCode == 0, taken.err.constData());
        const qint64 entries = QJsonDocument::fromJson(taken.out).object().value("entries").toInteger();
        QVERIFY(entries > 2);
        // Never overwritten; a file that is not a checkpoint says so.
        const Run again = cli({ "-w", ws("cut.simfleet"), "audit", "checkpoint", "--out", kept });
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("never overwritten"), again.err.constData());
        const Run missingOut = cli({ "-w", ws("cut.simfleet"), "audit", "checkpoint" });
        QCOMPARE(missingOut.exitCode, 2);
        const Run garbage = cli({ "-w", ws("cut.simfleet"), "audit", "verify", "--against", ws("cut.simfleet.key") });
        QCOMPARE(garbage.exitCode, 1);
        QVERIFY2(garbage.err.contains("not a usable audit checkpoint"), garbage.err.constData());
        const Run fine = cli({ "-w", ws("cut.simfleet"), "audit", "verify", "--against", kept });
        QVERIFY2(fine.exitCode == 0, fine.err.constData());

        // The newest entry cut and the head record rewritten to match.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("shell"));
            db.setDatabaseName(ws("cut.simfleet"));
            QVERIFY(db.open());
            QVERIFY(simfleet::testing::rewriteAuditLog(db, [](QList<simfleet::store::AuditEntry> &log) { log.removeLast(); }));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("shell"));
        const Run plain = cli({ "-w", ws("cut.simfleet"), "audit", "verify" });
        QVERIFY2(plain.exitCode == 0, plain.err.constData()); // consistent in itself
        const Run cut = cli({ "-w", ws("cut.simfleet"), "audit", "verify", "--against", kept });
        QCOMPARE(cut.exitCode, 1);
        const QJsonObject json = QJsonDocument::fromJson(cut.out).object();
        QCOMPARE(json.value("intact").toBool(), false);
        QCOMPARE(json.value("first_bad_entry").toInteger(), entries);
        QVERIFY2(cut.err.contains("were removed"), cut.err.constData());
    }

    void attestFleetAndExportEvidence()
    {
        const QString dir = m_dir.filePath(QStringLiteral("evidence"));
        const Run r = cli({ "-w", ws("demo.simfleet"), "attest", "--fleet", "Container trackers", "--timeout", "3",
                            "--export-evidence", dir });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray verdicts = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(verdicts.size(), 600);
        QSet<QString> seen;
        QString healthy;
        QString tampered;
        for (const QJsonValue &v : verdicts) {
            const QJsonObject o = v.toObject();
            QVERIFY(!o.value("message").toString().isEmpty());
            seen.insert(o.value("verdict").toString() + u'/' + o.value("reason").toString());
            if (o.value("reason").toString() == u"affirmed" && healthy.isEmpty())
                healthy = o.value("eid").toString();
            if (o.value("reason").toString() == u"measurement-mismatch" && tampered.isEmpty())
                tampered = o.value("eid").toString();
        }
        for (const char *expected : { "affirming/affirmed", "contraindicated/measurement-mismatch",
                                      "contraindicated/debug-enabled", "contraindicated/revoked", "warning/clock-skew",
                                      "warning/no-reference-values", "none/no-answer" })
            QVERIFY2(seen.contains(QLatin1StringView(expected)), expected);

        // The exported token verifies outside simfleet: its own CBOR code and the OpenSSL tool.
        QByteArray printed;
        const auto check = [&](const QString &eid, const QByteArray &tokenBytes = QByteArray()) {
            QString token = dir + u'/' + eid + QStringLiteral(".cbor");
            if (!tokenBytes.isEmpty()) {
                token = dir + QStringLiteral("/altered.cbor");
                QFile f(token);
                f.open(QIODevice::WriteOnly);
                f.write(tokenBytes);
            }
            QProcess p;
            p.start(QStringLiteral("python3"), { QStringLiteral(SIMFLEET_TOOLS "/verify_eat.py"), token,
                                                 dir + u'/' + eid + QStringLiteral("-chain.pem") });
            p.waitForFinished(30000);
            printed = p.readAllStandardOutput();
            return p.exitCode();
        };
        QCOMPARE(check(healthy), 0);
        // A tracker reports where it is: RFC 9711's location claim, as that decoder reads it.
        const QJsonObject where = QJsonDocument::fromJson(printed).object().value(QStringLiteral("264")).toObject();
        QVERIFY2(where.contains(QStringLiteral("latitude")) && where.contains(QStringLiteral("timestamp")), printed.constData());
        QVERIFY(qAbs(where.value(QStringLiteral("latitude")).toDouble()) <= 90.0);
        QVERIFY(where.value(QStringLiteral("latitude")).toDouble() != 0.0);
        QCOMPARE(check(tampered), 0); // genuinely signed: the device reports its modified firmware honestly
        QFile token(dir + u'/' + healthy + QStringLiteral(".cbor"));
        QVERIFY(token.open(QIODevice::ReadOnly));
        QByteArray altered = token.readAll();
        altered[altered.size() - 3] = char(altered[altered.size() - 3] ^ 0x10);
        QCOMPARE(check(healthy, altered), 1);

        // Retiring the software version turns the next verdict into a warning.
        const Run retire = cli({ "-w", ws("demo.simfleet"), "reference-values", "retire", "--hwmodel", "TagLite LTE-M",
                                 "--swversion", "1.9.2" });
        QVERIFY2(retire.exitCode == 0, retire.err.constData());
        const Run retired = cli({ "-w", ws("demo.simfleet"), "attest", "--device", healthy });
        QCOMPARE(QJsonDocument::fromJson(retired.out).array().first().toObject().value("reason").toString(),
                 QStringLiteral("software-retired"));
        const Run again = cli({ "-w", ws("demo.simfleet"), "reference-values", "retire", "--hwmodel", "TagLite LTE-M",
                                "--swversion", "1.9.2" });
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains("no current reference values"));
        // Publishing the new version's values makes it known again.
        QString measurements;
        for (const auto &m : simfleet::simulation::SimulatedDevice::firmwareMeasurements(QStringLiteral("TagLite LTE-M"),
                                                                          QStringLiteral("1.9.2")))
            measurements += m.component + u'=' + QString::fromLatin1(m.digest.toHex()) + u',';
        const Run bad = cli({ "-w", ws("demo.simfleet"), "reference-values", "add", "--manufacturer", "TrackTag",
                              "--hwmodel", "TagLite LTE-M", "--swversion", "2.0.0", "--measurements", "bootloader=abc" });
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("COMPONENT=SHA256HEX"));
        const Run added = cli({ "-w", ws("demo.simfleet"), "reference-values", "add", "--manufacturer", "TrackTag",
                                "--hwmodel", "TagLite LTE-M", "--swname", "TagFirm", "--swversion", "1.8.0",
                                "--measurements", measurements });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        QCOMPARE(QJsonDocument::fromJson(added.out).array().size(), 4);

        const Run one = cli({ "-w", ws("demo.simfleet"), "attest", "--device", healthy });
        QCOMPARE(one.exitCode, 0);
        QCOMPARE(QJsonDocument::fromJson(one.out).array().first().toObject().value("verdict").toString(),
                 QStringLiteral("warning"));
        const Run unknown = cli({ "-w", ws("demo.simfleet"), "attest", "--device", "89000000000000000000000000000000" });
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains("no device with EID"));
        // The device list shows the latest verdict.
        const Run listed = cli({ "-w", ws("demo.simfleet"), "devices", "--fleet", "Container trackers" });
        QVERIFY(listed.out.contains("\"attestation\":\"affirming\""));
        QVERIFY(listed.out.contains("\"attestation\":\"contraindicated\""));
    }

    void enrollRefusesBadFiles()
    {
        QFile empty(m_dir.filePath(QStringLiteral("empty.csv")));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        const Run r = cli({ "-w", ws("demo.simfleet"), "enroll", "--fleet", "X", "--csv", empty.fileName() });
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("the file is empty"));
        QVERIFY(r.err.contains("nothing was imported"));
        const Run missing = cli({ "-w", ws("nowhere.simfleet"), "operators" });
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("there is no workspace at"));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
