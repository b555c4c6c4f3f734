#include "clirun.h"
#include "core/clock.h"
#include "crypto/demopki.h"
#include "crypto/milenage.h"
#include "profiles/credentialissuer.h"
#include "profiles/profileserver.h"
#include "store/operatorrepository.h"
#include "store/records.h"
#include "store/storewriter.h"
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

// Issue 18, operators: an Administrator onboards operators into an empty workspace through
// simfleet-cli, each wrong input is refused with its own message, and no OP or private key
// ever shows in anything the program prints.
class TestOperatorsOnboarding : public QObject
{
    Q_OBJECT

    using Run = testing::CliRun;

    static constexpr const char *passphrase = "onboarding test passphrase 18";
    static constexpr const char *opHex = "6a3f0e1d2c4b5a69788796a5b4c3d2e1";

    Run cli(const QStringList &arguments, const QByteArray &input = QByteArray(), const QString &password = QString())
    {
        QHash<QString, QString> variables { { QStringLiteral("SIMFLEET_PASSPHRASE"), QLatin1StringView(passphrase) } };
        if (!password.isEmpty())
            variables.insert(QStringLiteral("SIMFLEET_PASSWORD"), password);
        const Run r = testing::runCli(QStringLiteral(SIMFLEET_CLI), arguments, variables, input);
        m_everything += r.out + r.err;
        return r;
    }

    QString path(const char *name) const { return m_dir.filePath(QLatin1StringView(name)); }

    void write(const char *name, const QByteArray &content)
    {
        QFile f(path(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

    QStringList addArgs(const QString &name, const QString &mnc, const QString &imsis, const QString &iccids,
                        const QString &opFile) const
    {
        return { QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("operators"), QStringLiteral("add"),
                 QStringLiteral("--name"), name, QStringLiteral("--country"), QStringLiteral("SE"),
                 QStringLiteral("--mcc"), QStringLiteral("001"), QStringLiteral("--mnc"), mnc,
                 QStringLiteral("--imsi-range"), imsis, QStringLiteral("--iccid-range"), iccids,
                 QStringLiteral("--op-file"), opFile };
    }

    QJsonArray list(const char *workspace)
    {
        const Run r = cli({ QStringLiteral("-w"), path(workspace), QStringLiteral("operators") });
        return QJsonDocument::fromJson(r.out).array();
    }

    // The audit entries of one action, read straight from the workspace file.
    QList<QJsonObject> auditDetails(const char *workspace, const QString &action)
    {
        QList<QJsonObject> out;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("audit-reader"));
            db.setDatabaseName(path(workspace));
            if (db.open()) {
                QSqlQuery q(db);
                q.prepare(QStringLiteral("SELECT details FROM audit_entry WHERE action = ? ORDER BY seq"));
                q.addBindValue(action);
                q.exec();
                while (q.next())
                    out.append(QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object());
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("audit-reader"));
        return out;
    }

    QTemporaryDir m_dir;
    QByteArray m_everything; // every stdout and stderr of the run

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const Run r = cli({ QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("init") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        write("op.hex", QByteArray(opHex) + '\n');
        write("op31.hex", QByteArray(opHex).left(31) + '\n');
    }

    void addsTwoOperatorsFromFileAndStandardInput()
    {
        Run r = cli(addArgs(QStringLiteral("Nordlink"), QStringLiteral("01"), QStringLiteral("001010000000001-001010000999999"),
                            QStringLiteral("8946011000000000003-8946011000000999998"), path("op.hex")));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = cli(addArgs(QStringLiteral("Rheinfunk"), QStringLiteral("02"), QStringLiteral("001020000000001-001020000999999"),
                        QStringLiteral("8949021000000000005-8949021000000999990"), QStringLiteral("-")),
                QByteArray(opHex) + '\n');
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray operators = list("empty.simfleet");
        QCOMPARE(operators.size(), 2);
        QCOMPARE(operators.at(1)[QStringLiteral("name")].toString(), QStringLiteral("Rheinfunk"));
        QCOMPARE(operators.at(1)[QStringLiteral("imsi_range")][QStringLiteral("range")].toString(),
                 QStringLiteral("001020000000001-001020000999999"));
        QCOMPARE(operators.at(1)[QStringLiteral("iccid_range")][QStringLiteral("size")].toInt(), 100000);
        const QList<QJsonObject> added = auditDetails("empty.simfleet", QStringLiteral("operator.add"));
        QCOMPARE(added.size(), 2);
        QCOMPARE(added.at(0)[QStringLiteral("after")][QStringLiteral("name")].toString(), QStringLiteral("Nordlink"));
    }

    void refusesEachWrongInputWithItsOwnMessage_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("mnc");
        QTest::addColumn<QString>("imsis");
        QTest::addColumn<QString>("iccids");
        QTest::addColumn<QString>("opFile");
        QTest::addColumn<QString>("message");
        const QString goodIccids = QStringLiteral("8944031000000000004-8944031000000999999");
        const QString op = path("op.hex");
        QTest::newRow("IMSI range not of its MCC+MNC")
            << "Albion" << "03" << "001020000000001-001020000999999" << goodIccids << op
            << "the IMSI range must start with the operator's MCC+MNC 00103, and 001020000000001 does not";
        QTest::newRow("OP file with 31 hex digits")
            << "Albion" << "03" << "001030000000001-001030000999999" << goodIccids << path("op31.hex")
            << "has 31 hex digits; it must be 32 hex digits (16 bytes)";
        QTest::newRow("IMSI range overlaps another operator's")
            << "Albion" << "020" << "001020000000001-001020000999999" << goodIccids << op
            << "the IMSI range overlaps Rheinfunk's";
        QTest::newRow("ICCID range overlaps another operator's")
            << "Albion" << "03" << "001030000000001-001030000999999" << "8949021000000500004-8949021000000999990" << op
            << "the ICCID range overlaps Rheinfunk's";
        QTest::newRow("IMSI LAST before FIRST")
            << "Albion" << "03" << "001030000999999-001030000000001" << goodIccids << op
            << "the IMSI range ends (001030000000001) before it starts (001030000999999)";
        QTest::newRow("ICCID LAST before FIRST")
            << "Albion" << "03" << "001030000000001-001030000999999" << "8944031000000999999-8944031000000000004" << op
            << "the ICCID range ends (8944031000000000004) before it starts (8944031000000999999)";
        QTest::newRow("ICCID with a wrong check digit")
            << "Albion" << "03" << "001030000000001-001030000999999" << "8944031000000000008-8944031000000999999" << op
            << "8944031000000000008 is not a valid ICCID: ICCID check digit does not match";
        QTest::newRow("ICCID without 89")
            << "Albion" << "03" << "001030000000001-001030000999999" << "7944031000000000008-8944031000000999999" << op
            << "is not a valid ICCID: ICCID must start with the telecom industry identifier 89";
        QTest::newRow("duplicate name")
            << "Nordlink" << "03" << "001030000000001-001030000999999" << goodIccids << op
            << "there is already an operator named Nordlink";
        QTest::newRow("network code taken")
            << "Albion" << "01" << "001011000000000-001011000999999" << goodIccids << op
            << "MCC 001 MNC 01 is Nordlink's network already";
    }

    void refusesEachWrongInputWithItsOwnMessage()
    {
        QFETCH(QString, name);
        QFETCH(QString, mnc);
        QFETCH(QString, imsis);
        QFETCH(QString, iccids);
        QFETCH(QString, opFile);
        QFETCH(QString, message);
        const Run r = cli(addArgs(name, mnc, imsis, iccids, opFile));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1); // one sentence, nothing else
        QCOMPARE(list("empty.simfleet").size(), 2);
    }

    void editIsAuditedWithBeforeAndAfter()
    {
        const Run r = cli({ QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("operators"), QStringLiteral("edit"),
                            QStringLiteral("Rheinfunk"), QStringLiteral("--imsi-range"),
                            QStringLiteral("001020000000001-001020001999999"), QStringLiteral("--spn"),
                            QStringLiteral("Rheinfunk M2M") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QJsonObject> edits = auditDetails("empty.simfleet", QStringLiteral("operator.edit"));
        QCOMPARE(edits.size(), 1);
        QCOMPARE(edits.at(0)[QStringLiteral("before")][QStringLiteral("imsi_range")].toString(),
                 QStringLiteral("001020000000001-001020000999999"));
        QCOMPARE(edits.at(0)[QStringLiteral("after")][QStringLiteral("imsi_range")].toString(),
                 QStringLiteral("001020000000001-001020001999999"));
        QCOMPARE(edits.at(0)[QStringLiteral("after")][QStringLiteral("spn")].toString(), QStringLiteral("Rheinfunk M2M"));
        // The same rules hold for an edit.
        const Run overlap = cli({ QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("operators"),
                                  QStringLiteral("edit"), QStringLiteral("Rheinfunk"), QStringLiteral("--iccid-range"),
                                  QStringLiteral("8946011000000000003-8946011000000999998") });
        QCOMPARE(overlap.exitCode, 1);
        QVERIFY2(overlap.err.contains("the ICCID range overlaps Nordlink's"), overlap.err.constData());
    }

    void profileServerKeysMustMatchTheirCertificates()
    {
        const crypto::Validity validity { QDateTime::currentDateTimeUtc().addDays(-1),
                                                   QDateTime::currentDateTimeUtc().addYears(2) };
        auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Test CI"), validity);
        QVERIFY(ci.ok());
        auto auth = crypto::demopki::createProfileServer(ci.value(), QStringLiteral("Nordlink"), QStringLiteral("SE"),
                                                         QStringLiteral("smdp.nordlink.example"), validity);
        auto binding = crypto::demopki::createProfileServer(ci.value(), QStringLiteral("Nordlink"), QStringLiteral("SE"),
                                                            QStringLiteral("smdp.nordlink.example"), validity);
        QVERIFY(auth.ok() && binding.ok());
        write("auth.pem", auth->certificate.toPem());
        write("auth.key", auth->key.toPem().view().toByteArray());
        write("binding.pem", binding->certificate.toPem());
        write("binding.key", binding->key.toPem().view().toByteArray());
        write("ci.pem", ci->certificate.toPem());
        const QStringList base { QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("operators"),
                                 QStringLiteral("set-profile-server"), QStringLiteral("Nordlink"),
                                 QStringLiteral("--auth-cert"), path("auth.pem"), QStringLiteral("--binding-cert"),
                                 path("binding.pem") };
        const Run mismatched = cli(base + QStringList { QStringLiteral("--auth-key"), path("binding.key"),
                                                        QStringLiteral("--binding-key"), path("binding.key") });
        QCOMPARE(mismatched.exitCode, 1);
        QVERIFY2(mismatched.err.contains("--auth-key does not belong to --auth-cert (their public keys differ)"),
                 mismatched.err.constData());
        QVERIFY(auditDetails("empty.simfleet", QStringLiteral("operator.profile-server")).isEmpty());
        const Run matched = cli(base + QStringList { QStringLiteral("--auth-key"), path("auth.key"),
                                                     QStringLiteral("--binding-key"), path("binding.key") });
        QVERIFY2(matched.exitCode == 0, matched.err.constData());
        const Run remote = cli({ QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("operators"),
                                 QStringLiteral("set-profile-server"), QStringLiteral("Rheinfunk"), QStringLiteral("--address"),
                                 QStringLiteral("smdp.rheinfunk.example:443"), QStringLiteral("--root"), path("ci.pem") });
        QVERIFY2(remote.exitCode == 0, remote.err.constData());
        QCOMPARE(list("empty.simfleet").at(1)[QStringLiteral("profile_server_address")].toString(),
                 QStringLiteral("smdp.rheinfunk.example:443"));
        QCOMPARE(auditDetails("empty.simfleet", QStringLiteral("operator.profile-server")).size(), 2);
    }

    // Issue 19: an operator's own profile as its template, through the CLI; what is exported is
    // the template as personalised, with every secret zeroed; each wrong input is refused.
    void profileTemplateSetExportedAndRefused()
    {
        const QString ts48 = QStringLiteral(SIMFLEET_TS48 "/TS48v4_SAIP2.3_BERTLV.der");
        const auto setTemplate = [&](const QStringList &more, const QString &user = QString()) {
            QStringList args { QStringLiteral("-w"), path("empty.simfleet") };
            if (!user.isEmpty())
                args << QStringLiteral("-u") << user;
            return cli(args + QStringList { QStringLiteral("operators"), QStringLiteral("set-profile-template"), QStringLiteral("Rheinfunk") } + more,
                       QByteArray(), user.isEmpty() ? QString() : QStringLiteral("demo"));
        };
        Run r = setTemplate({});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("needs --file FILE.der"), r.err.constData());
        r = setTemplate({ QStringLiteral("--file"), path("missing.der") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot read --file"), r.err.constData());
        write("not-a-profile.der", "-----BEGIN CERTIFICATE-----\n");
        r = setTemplate({ QStringLiteral("--file"), path("not-a-profile.der") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no profile template simfleet can use: the profile package is malformed"), r.err.constData());
        QCOMPARE(list("empty.simfleet").at(1)[QStringLiteral("profile_template")].toString(), QStringLiteral("built-in"));

        r = setTemplate({ QStringLiteral("--file"), ts48 });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(list("empty.simfleet").at(1)[QStringLiteral("profile_template")].toString(), QStringLiteral("own"));
        const QList<QJsonObject> audited = auditDetails("empty.simfleet", QStringLiteral("operator.profile-template"));
        QCOMPARE(audited.size(), 1);
        QCOMPARE(audited.first()[QStringLiteral("after")][QStringLiteral("profile_type")].toString(),
                 QStringLiteral("GSMA Generic eUICC Test Profile"));
        QCOMPARE(audited.first()[QStringLiteral("after")][QStringLiteral("sha256")].toString().size(), 64);

        const QStringList exportArgs { QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("profiles"),
                                       QStringLiteral("export-template"), QStringLiteral("--operator"),
                                       QStringLiteral("Rheinfunk"), QStringLiteral("--out"), path("rheinfunk.der") };
        r = cli(exportArgs);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile exported(path("rheinfunk.der"));
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const QByteArray bytes = exported.readAll();
        // TS.48's keys (00 01 .. 0F for Ki and the security domains) are zeroed; the numbers are
        // the operator's next ones: ICCID 8949021000000000005 in EF.ICCID coding, MCC 001 MNC 02.
        QVERIFY(!bytes.contains(QByteArray::fromHex("000102030405060708090a0b0c0d0e0f")));
        QVERIFY(bytes.contains(QByteArray::fromHex("989420010000000000f5")));
        // Never overwritten.
        r = cli(exportArgs);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("never overwritten"), r.err.constData());

        r = setTemplate({ QStringLiteral("--built-in") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(list("empty.simfleet").at(1)[QStringLiteral("profile_template")].toString(), QStringLiteral("built-in"));
    }

    void retiresOnlyOperatorsWithoutProfiles()
    {
        const Run demo = cli({ QStringLiteral("-w"), path("demo.simfleet"), QStringLiteral("init"), QStringLiteral("--demo"),
                               QStringLiteral("--without-stories") });
        QVERIFY2(demo.exitCode == 0, demo.err.constData());
        // The demo's devices hold no profiles until a campaign provisions them.
        const Run provisioned = cli({ QStringLiteral("-w"), path("demo.simfleet"), QStringLiteral("provision"),
                                      QStringLiteral("--fleet"), QStringLiteral("Container trackers"),
                                      QStringLiteral("--timeout"), QStringLiteral("2"), QStringLiteral("--concurrency"),
                                      QStringLiteral("64") });
        QVERIFY2(provisioned.exitCode == 0, provisioned.err.constData());
        const Run held = cli({ QStringLiteral("-w"), path("demo.simfleet"), QStringLiteral("operators"), QStringLiteral("retire"),
                               QStringLiteral("Nordlink Mobile") });
        QCOMPARE(held.exitCode, 1);
        QVERIFY2(held.err.contains("Nordlink Mobile cannot be retired while"), held.err.constData());
        QVERIFY2(held.err.contains("move them to another operator with a subscription change"), held.err.constData());
        const Run retired = cli({ QStringLiteral("-w"), path("empty.simfleet"), QStringLiteral("operators"),
                                  QStringLiteral("retire"), QStringLiteral("Nordlink") });
        QVERIFY2(retired.exitCode == 0, retired.err.constData());
        QVERIFY(list("empty.simfleet").at(0)[QStringLiteral("retired")].toBool());
    }

    // What the CLI stores is what provisioning uses: profiles issued for an operator added by
    // the CLI carry OPc = Milenage(Ki, the OP given), and its profile server is the imported one.
    void provisioningUsesTheStoredOpAndProfileServer()
    {
        Run r = cli({ QStringLiteral("-w"), path("demo.simfleet"), QStringLiteral("operators"), QStringLiteral("add"),
                      QStringLiteral("--name"), QStringLiteral("Helvetia"), QStringLiteral("--country"), QStringLiteral("CH"),
                      QStringLiteral("--mcc"), QStringLiteral("001"), QStringLiteral("--mnc"), QStringLiteral("04"),
                      QStringLiteral("--imsi-range"), QStringLiteral("001040000000001-001040000999999"),
                      QStringLiteral("--iccid-range"), QStringLiteral("8941041000000000008-8941041000000999993"),
                      QStringLiteral("--spn"), QStringLiteral("Helvetia IoT"), QStringLiteral("--op-file"), QStringLiteral("-") },
                QByteArray(opHex) + '\n');
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // Operators are the Administrators' to change.
        r = cli({ QStringLiteral("-w"), path("demo.simfleet"), QStringLiteral("-u"), QStringLiteral("operations"),
                  QStringLiteral("operators"), QStringLiteral("retire"), QStringLiteral("Helvetia") },
                QByteArray(), QStringLiteral("demo"));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is not permitted to"), r.err.constData());
        // The demo's devices trust the demo's certificate issuer only: a server another CI
        // signed would fail every download, so it is refused up front.
        r = cli({ QStringLiteral("-w"), path("demo.simfleet"), QStringLiteral("operators"), QStringLiteral("set-profile-server"),
                  QStringLiteral("Helvetia"), QStringLiteral("--auth-cert"), path("auth.pem"), QStringLiteral("--auth-key"),
                  path("auth.key"), QStringLiteral("--binding-cert"), path("binding.pem"), QStringLiteral("--binding-key"),
                  path("binding.key") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--auth-cert does not chain to a certificate issuer this workspace trusts"), r.err.constData());

        {
            auto opened = store::Workspace::open(path("demo.simfleet"));
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
            store::Workspace &ws = *opened.value();
            QVERIFY(ws.unlockWithKeyFile().ok());
            auto op = store::OperatorRepository(ws.database()).findByName(QStringLiteral("Helvetia"));
            QVERIFY(op.ok() && op.value());
            QSqlQuery devices(ws.database());
            QVERIFY(devices.exec(QStringLiteral("SELECT id FROM device ORDER BY id DESC LIMIT 2")));
            QList<qint64> deviceIds;
            while (devices.next())
                deviceIds.append(devices.value(0).toLongLong());
            QCOMPARE(deviceIds.size(), 2);
            QList<profiles::IssuedProfile> issued;
            const qint64 operatorId = op.value()->id;
            auto done = ws.writer().run([&](QSqlDatabase &db) -> Result<void> {
                auto out = profiles::CredentialIssuer::issue(db, ws.vault(), operatorId, deviceIds, ws.clock().now());
                if (!out)
                    return out.error();
                issued = out.value();
                return {};
            });
            QVERIFY2(done.ok(), qPrintable(done.errorMessage()));
            QCOMPARE(issued.size(), 2);
            bool ok = false;
            const crypto::SecretBytes opValue = crypto::SecretBytes::fromHex(opHex, &ok);
            QVERIFY(ok);
            for (const profiles::IssuedProfile &p : issued) {
                QVERIFY(p.content.imsi.startsWith(QStringLiteral("00104")));
                QVERIFY(p.content.iccid.startsWith(QStringLiteral("8941041")));
                QCOMPARE(p.content.serviceProviderName, QStringLiteral("Helvetia IoT"));
                auto expected = crypto::Milenage::computeOpc(p.content.ki, opValue);
                QVERIFY(expected.ok());
                QVERIFY(p.content.opc == expected.value());
            }
        }
        {
            auto opened = store::Workspace::open(path("empty.simfleet"));
            QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
            store::Workspace &ws = *opened.value();
            QVERIFY(ws.unlock(QByteArrayView(passphrase)).ok());
            auto op = store::OperatorRepository(ws.database()).findByName(QStringLiteral("Nordlink"));
            QVERIFY(op.ok() && op.value());
            auto server = profiles::ProfileServer::ofOperator(ws, *op.value());
            QVERIFY2(server.ok(), qPrintable(server.errorMessage()));
            QFile auth(path("auth.pem"));
            QVERIFY(auth.open(QIODevice::ReadOnly));
            auto imported = crypto::Certificate::fromPem(auth.readAll());
            QVERIFY(imported.ok());
            QCOMPARE(server.value()->certificate().toDer(), imported->toDer());
        }
    }

    void referenceValuesRoundTripAndBadImportsChangeNothing()
    {
        Run r = cli({ QStringLiteral("-w"), path("demo.simfleet"), QStringLiteral("reference-values"), QStringLiteral("export"),
                      QStringLiteral("--out"), path("published.json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = cli({ QStringLiteral("-w"), path("second.simfleet"), QStringLiteral("init") });
        QVERIFY2(r.exitCode == 0, r.err.constData());

        QFile published(path("published.json"));
        QVERIFY(published.open(QIODevice::ReadOnly));
        QJsonArray entries = QJsonDocument::fromJson(published.readAll()).array();
        QVERIFY(entries.size() >= 3);
        // One bad entry at the end: nothing of the file goes in.
        QJsonArray malformed = entries;
        QJsonObject bad = entries.at(0).toObject();
        bad[QStringLiteral("swversion")] = QStringLiteral("9.9.9");
        bad[QStringLiteral("measurements")] = QJsonObject { { QStringLiteral("bootloader"), QStringLiteral("abc") } };
        malformed.append(bad);
        write("malformed.json", QJsonDocument(malformed).toJson());
        r = cli({ QStringLiteral("-w"), path("second.simfleet"), QStringLiteral("reference-values"), QStringLiteral("import"),
                  path("malformed.json") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is not 64 hex digits (SHA-256); nothing was imported"), r.err.constData());
        r = cli({ QStringLiteral("-w"), path("second.simfleet"), QStringLiteral("reference-values") });
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 0);

        r = cli({ QStringLiteral("-w"), path("second.simfleet"), QStringLiteral("reference-values"), QStringLiteral("import"),
                  path("published.json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = cli({ QStringLiteral("-w"), path("second.simfleet"), QStringLiteral("reference-values"), QStringLiteral("export"),
                  QStringLiteral("--out"), path("again.json") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile again(path("again.json"));
        QVERIFY(again.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(again.readAll()).array(), entries);
        QCOMPARE(auditDetails("second.simfleet", QStringLiteral("reference-values.import")).size(), 1);
        // A second import of the same values is refused whole.
        r = cli({ QStringLiteral("-w"), path("second.simfleet"), QStringLiteral("reference-values"), QStringLiteral("import"),
                  path("published.json") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("has reference values in this workspace already"), r.err.constData());
    }

    // Last: everything the run printed, and the workspace file itself, never hold the OP or a
    // private key in clear.
    void noSecretInAnyOutput()
    {
        QVERIFY(!m_everything.isEmpty());
        QVERIFY(!m_everything.contains(opHex));
        QVERIFY(!m_everything.toLower().contains(QByteArray(opHex).left(16)));
        QVERIFY(!m_everything.contains("PRIVATE KEY"));
        QFile key(path("auth.key"));
        QVERIFY(key.open(QIODevice::ReadOnly));
        const QByteArray keyPem = key.readAll();
        QVERIFY(keyPem.contains("PRIVATE KEY"));
        for (const char *file : { "empty.simfleet", "empty.simfleet-wal" }) {
            QFile f(path(file));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const QByteArray bytes = f.readAll();
            QVERIFY(!bytes.contains(opHex));
            QVERIFY(!bytes.contains(QByteArray::fromHex(opHex)));
            QVERIFY(!bytes.contains("PRIVATE KEY"));
        }
    }
};

QTEST_GUILESS_MAIN(TestOperatorsOnboarding)
#include "tst_operatorsonboarding.moc"
