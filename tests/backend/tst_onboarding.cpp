// Issue 18, end to end: an empty workspace becomes a real deployment through simfleet-cli alone,
// with a PKI the test makes with plain OpenSSL calls (tests/support/testpki.h, nothing from
// simfleet's demo): trust the CI, the EUM and its revocation list, onboard an operator and its
// profile server, make a field from the EUM key, enroll, attest (affirming) and provision. Every
// byte the CLI prints or logs along the way, and the workspace file itself, is searched for the
// OP and the private keys.

#include "clirun.h"
#include "testpki.h"

#include <openssl/core_names.h>

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;

namespace {

constexpr const char *opHex = "3c8e1f20a4b7d90655e1c2f3a4b5c6d7";
const QString operatorName = QStringLiteral("Kestrel Mobile");
const QString manufacturerName = QStringLiteral("Lumen Modules");

// The private scalar as hex digits: what a leak of the key would print.
QByteArray scalarHex(EVP_PKEY *key)
{
    BIGNUM *d = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1)
        return {};
    char *hex = BN_bn2hex(d);
    const QByteArray out = QByteArray(hex).toLower();
    OPENSSL_free(hex);
    BN_clear_free(d);
    return out;
}

// A profile server certificate (SGP.22 section 4.5.2.1.0.4: CERT.DPauth and CERT.DPpb).
testpki::Issued profileServer(const testpki::Issued &ci, const char *policy, long serial)
{
    testpki::Spec s;
    s.commonName = "smdp.kestrel.example";
    s.organization = "Kestrel Mobile";
    s.policy = policy;
    s.keyUsage = "critical,digitalSignature";
    s.serial = serial;
    return testpki::issue(s, &ci);
}

} // namespace

class TestOnboarding : public QObject
{
    Q_OBJECT

    using Run = testing::CliRun;

    QString path(const char *name) const { return m_dir.filePath(QLatin1StringView(name)); }

    QString write(const char *name, const QByteArray &contents)
    {
        QFile f(path(name));
        if (!f.open(QIODevice::WriteOnly) || f.write(contents) != contents.size())
            qFatal("cannot write %s", name);
        return f.fileName();
    }

    // simfleet-cli as its users run it, with every logging category on, so whatever it could
    // log reaches the search for secrets.
    Run cli(QStringList arguments, const char *workspace = "lab.simfleet")
    {
        arguments.prepend(path(workspace));
        arguments.prepend(QStringLiteral("-w"));
        const Run r = testing::runCli(QStringLiteral(SIMFLEET_CLI), arguments,
                                      { { QStringLiteral("SIMFLEET_PASSPHRASE"), QStringLiteral("copper kiln meadow 81") },
                                        { QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true") } });
        m_everything += r.out + r.err;
        return r;
    }

    QJsonValue json(const QStringList &arguments)
    {
        const Run r = cli(arguments);
        if (r.exitCode != 0)
            qWarning("%s: %s", qPrintable(arguments.join(u' ')), r.err.constData());
        return QJsonDocument::fromJson(r.out).isArray() ? QJsonValue(QJsonDocument::fromJson(r.out).array())
                                                         : QJsonValue(QJsonDocument::fromJson(r.out).object());
    }

    // A refusal: exit code 1, nothing on stdout, the reason's words on stderr in one line.
    void expectRefusal(const QStringList &arguments, const char *words, int exitCode = 1)
    {
        const Run r = cli(arguments);
        QVERIFY2(r.exitCode == exitCode, qPrintable(QStringLiteral("%1: exit %2, %3").arg(arguments.join(u' ')).arg(r.exitCode).arg(QString::fromUtf8(r.err))));
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(words), r.err.constData());
        // One sentence on one line, among whatever the logging rules let through.
        const QList<QByteArray> lines = r.err.split('\n');
        QCOMPARE(std::count_if(lines.cbegin(), lines.cend(), [](const QByteArray &l) { return l.startsWith("simfleet-cli "); }), 1);
    }

    QStringList fieldCreate(const QString &fleet, int count) const
    {
        QStringList a { QStringLiteral("field"), QStringLiteral("create"), QStringLiteral("--manufacturer-cert"), m_eumCert,
                        QStringLiteral("--manufacturer-key"), m_eumKey, QStringLiteral("--count"), QString::number(count),
                        QStringLiteral("--model"), QStringLiteral("LM-8 tracker"), QStringLiteral("--software"),
                        QStringLiteral("3.1") };
        if (!fleet.isEmpty())
            a << QStringLiteral("--fleet") << fleet << QStringLiteral("--customer") << QStringLiteral("Harbour Logistics")
              << QStringLiteral("--operator") << operatorName;
        return a;
    }

    QTemporaryDir m_dir;
    QByteArray m_everything;
    QList<QByteArray> m_secrets;
    testpki::Issued m_ci;
    testpki::Issued m_eum;
    testpki::Issued m_auth;
    testpki::Issued m_binding;
    QString m_eumCert;
    QString m_eumKey;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_ci = testpki::certificateIssuer("Kestrel Root CI", 1);
        testpki::Spec eum = testpki::manufacturerSpec("Lumen Modules", "8904903288", 2);
        eum.keyUsage = "critical,keyCertSign,cRLSign";
        m_eum = testpki::issue(eum, &m_ci);
        m_auth = profileServer(m_ci, "2.23.146.1.2.1.4", 3);
        m_binding = profileServer(m_ci, "2.23.146.1.2.1.5", 4);
        write("ci.der", testpki::der(m_ci));
        m_eumCert = write("eum.pem", testpki::pem(m_eum));
        m_eumKey = write("eum.key", testpki::privateKeyPem(m_eum));
        write("eum.crl", testpki::revocationList(m_eum, nullptr, {}));
        write("auth.pem", testpki::pem(m_auth));
        write("auth.key", testpki::privateKeyPem(m_auth));
        write("binding.der", testpki::der(m_binding));
        write("binding.key", testpki::privateKeyPem(m_binding));
        write("op.hex", QByteArray(opHex) + '\n');
        m_secrets = { QByteArray(opHex), QByteArray(opHex).toUpper(), QByteArray::fromHex(opHex) };
        for (const testpki::Issued *k : { &m_ci, &m_eum, &m_auth, &m_binding }) {
            const QByteArray scalar = scalarHex(k->key.get());
            QVERIFY(scalar.size() >= 60);
            m_secrets << scalar << scalar.toUpper() << QByteArray::fromHex(scalar);
            // The base64 body of the PEM key file, a line of it as a log would wrap it.
            const QList<QByteArray> lines = testpki::privateKeyPem(*k).split('\n');
            m_secrets << lines.value(1);
        }
    }

    void emptyWorkspaceToProvisionedFleet()
    {
        QCOMPARE(cli({ "init" }).exitCode, 0);
        QCOMPARE(cli({ "trust", "add", "--issuer", path("ci.der") }).exitCode, 0);
        QCOMPARE(cli({ "trust", "add", "--manufacturer", m_eumCert }).exitCode, 0);
        QCOMPARE(cli({ "trust", "add", "--crl", path("eum.crl") }).exitCode, 0);
        Run r = cli({ "operators", "add", "--name", operatorName, "--country", "NO", "--mcc", "001", "--mnc", "07",
                      "--imsi-range", "001070000000001-001070000999999", "--iccid-range",
                      "8947071000000000008-8947071000000999993", "--spn", "Kestrel IoT", "--op-file", path("op.hex") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = cli({ "operators", "set-profile-server", operatorName, "--auth-cert", path("auth.pem"), "--auth-key",
                  path("auth.key"), "--binding-cert", path("binding.der"), "--binding-key", path("binding.key") });
        QVERIFY2(r.exitCode == 0, r.err.constData());

        // The field, its enrollment and its reference values in one step.
        r = cli(fieldCreate(QStringLiteral("Tool trackers"), 12)
                << QStringLiteral("--csv-out") << path("run1.csv") << QStringLiteral("--reference-out") << path("run1.json"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject made = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(made[QStringLiteral("devices")].toInt(), 12);
        QCOMPARE(made[QStringLiteral("enrolled")].toInt(), 12);
        QCOMPARE(made[QStringLiteral("manufacturer")].toString(), manufacturerName);
        QVERIFY(made[QStringLiteral("first_eid")].toString().startsWith(QStringLiteral("8904903288")));
        QVERIFY(made[QStringLiteral("reference_values_imported")].toBool());
        QVERIFY(QFile::exists(path("lab.field")));
        // The files it wrote are what enroll and reference-values import read.
        QFile csv(path("run1.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 13);
        QFile reference(path("run1.json"));
        QVERIFY(reference.open(QIODevice::ReadOnly));
        const QJsonArray published = QJsonDocument::fromJson(reference.readAll()).array();
        QCOMPARE(published.size(), 1);
        QCOMPARE(published.at(0)[QStringLiteral("manufacturer")].toString(), manufacturerName);
        QCOMPARE(published.at(0)[QStringLiteral("measurements")].toObject().size(), 3);

        const QJsonArray verdicts = json({ "attest", "--fleet", "Tool trackers" }).toArray();
        QCOMPARE(verdicts.size(), 12);
        for (const QJsonValue &v : verdicts)
            QVERIFY2(v[QStringLiteral("verdict")].toString() == u"affirming", qPrintable(v[QStringLiteral("message")].toString()));

        r = cli({ "provision", "--fleet", "Tool trackers" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject campaign = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(campaign[QStringLiteral("succeeded")].toInt(), 12);
        QCOMPARE(campaign[QStringLiteral("failed")].toInt(), 0);
        const QJsonArray profiles = json({ "profiles" }).toArray();
        QCOMPARE(profiles.size(), 12);
        for (const QJsonValue &p : profiles) {
            QCOMPARE(p[QStringLiteral("operator")].toString(), operatorName);
            QVERIFY(p[QStringLiteral("imsi")].toString().startsWith(QStringLiteral("00107")));
        }
    }

    // A second run continues the range, and its files enroll as any factory's would.
    void secondRunThroughItsFiles()
    {
        Run r = cli(fieldCreate(QString(), 5) << QStringLiteral("--csv-out") << path("run2.csv"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject made = QJsonDocument::fromJson(r.out).object();
        QVERIFY(!made.contains(QStringLiteral("enrolled")));
        QVERIFY(made[QStringLiteral("first_eid")].toString() > QStringLiteral("89049032880000000000000000001200"));
        r = cli({ "enroll", "--csv", path("run2.csv"), "--fleet", "Spare trackers", "--customer", "Harbour Logistics",
                  "--operator", operatorName });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object()[QStringLiteral("accepted")].toInt(), 5);
        const QJsonArray verdicts = json({ "attest", "--fleet", "Spare trackers" }).toArray();
        QCOMPARE(verdicts.size(), 5);
        QCOMPARE(verdicts.at(4)[QStringLiteral("verdict")].toString(), QStringLiteral("affirming"));
    }

    void refusesWhatItCannotMake()
    {
        // Refusals before any device exists leave the field as it was.
        const qint64 fieldSize = QFileInfo(path("lab.field")).size();
        expectRefusal(fieldCreate(QString(), 0), "--count takes a number from 1 to 100000", 2);
        write("other.key", testpki::privateKeyPem(m_auth));
        expectRefusal({ "field", "create", "--manufacturer-cert", m_eumCert, "--manufacturer-key", path("other.key"),
                        "--count", "2", "--model", "M", "--software", "1" },
                      "the manufacturer key does not belong to");
        const testpki::Issued stranger = testpki::issue(testpki::manufacturerSpec("Stray Fab", "8904903299", 9), &m_ci);
        write("stranger.pem", testpki::pem(stranger));
        write("stranger.key", testpki::privateKeyPem(stranger));
        expectRefusal({ "field", "create", "--manufacturer-cert", path("stranger.pem"), "--manufacturer-key",
                        path("stranger.key"), "--count", "2", "--model", "M", "--software", "1" },
                      "is not a manufacturer this workspace trusts; add its certificate first with trust add --manufacturer");
        expectRefusal(fieldCreate(QString(), 2) << QStringLiteral("--csv-out") << path("run1.csv"), "exists already");
        expectRefusal(fieldCreate(QStringLiteral("Tool trackers"), 2).replaceInStrings(operatorName, QStringLiteral("Nobody")),
                      "no device was made");
        // One field carries one certificate issuer, as one eUICC does.
        const testpki::Issued otherCi = testpki::certificateIssuer("Second Root CI", 20);
        testpki::Spec otherSpec = testpki::manufacturerSpec("Far Fab", "8904903277", 21);
        const testpki::Issued otherEum = testpki::issue(otherSpec, &otherCi);
        write("ci2.der", testpki::der(otherCi));
        write("eum2.pem", testpki::pem(otherEum));
        write("eum2.key", testpki::privateKeyPem(otherEum));
        QCOMPARE(cli({ "trust", "add", "--issuer", path("ci2.der") }).exitCode, 0);
        QCOMPARE(cli({ "trust", "add", "--manufacturer", path("eum2.pem") }).exitCode, 0);
        expectRefusal({ "field", "create", "--manufacturer-cert", path("eum2.pem"), "--manufacturer-key", path("eum2.key"),
                        "--count", "2", "--model", "M", "--software", "1" },
                      "holds devices of another certificate issuer");
        QCOMPARE(QFileInfo(path("lab.field")).size(), fieldSize);
        // Operations enroll, but making devices vouches for their firmware: an Administrator's.
        const QJsonArray devices = json({ "devices" }).toArray();
        QCOMPARE(devices.size(), 17);
    }

    // The CI's revocation list covers the profile servers it certified (SGP.22 section 4.5.2.2).
    void revokedProfileServerAuthenticatesNothing()
    {
        QCOMPARE(cli({ "trust", "add", "--crl", write("ci.crl", testpki::revocationList(m_ci, nullptr, { 3 })) }).exitCode, 0);
        const Run r = cli({ "provision", "--fleet", "Spare trackers" });
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("profile server certificate was revoked by"), r.err.constData());
        QCOMPARE(json({ "profiles" }).toArray().size(), 12);
        expectRefusal({ "operators", "set-profile-server", operatorName, "--auth-cert", path("auth.pem"), "--auth-key",
                        path("auth.key"), "--binding-cert", path("binding.der"), "--binding-key", path("binding.key") },
                      "--auth-cert is revoked");
    }

    // Nothing printed or logged in the whole run, nor the workspace file, holds the OP or a
    // private key (the field file holds the EUM's key: it is the simulated factory).
    void noSecretEverLeaves()
    {
        QVERIFY(m_everything.size() > 10000);
        QByteArray stored;
        for (const char *file : { "lab.simfleet", "lab.simfleet-wal" }) {
            QFile f(path(file));
            if (f.open(QIODevice::ReadOnly))
                stored += f.readAll();
        }
        QVERIFY(stored.size() > 100000);
        for (const QByteArray &secret : std::as_const(m_secrets)) {
            QVERIFY(!secret.isEmpty());
            QVERIFY2(!m_everything.contains(secret), secret.toHex().constData());
            QVERIFY2(!stored.contains(secret), secret.toHex().constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestOnboarding)
#include "tst_onboarding.moc"
