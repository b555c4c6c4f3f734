// Issue 18, trust anchors: a PKI made with plain OpenSSL calls (tests/support/testpki.h, nothing
// from crypto/demopki) onboarded into an empty workspace through simfleet-cli as its users run it,
// the certificates trust must refuse refused each with its own reason, and the SGP.26 test CI
// making a test workspace.

#include "clirun.h"
#include "attestation/attestationservice.h"
#include "attestation/referencevaluebook.h"
#include "attestation/trustbook.h"
#include "crypto/eckey.h"
#include "crypto/sha256.h"
#include "devices/devicelink.h"
#include "identity/eid.h"
#include "protocol/entityattestationtoken.h"
#include "core/clock.h"
#include "crypto/certificate.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/fleetstatistics.h"
#include "fleet/fleetqueries.h"
#include "store/workspace.h"
#include "testsession.h"
#include "crypto/rolecheck.h"
#include "testpki.h"

#include <QDir>
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
const QByteArray passphrase = "tidal copper orchard 7";
const QString sgp26Ci = QStringLiteral(SIMFLEET_SGP26 "/CertificateIssuer/CERT_CI_ECDSA_NIST.der");
} // namespace

class TestTrust : public QObject
{
    Q_OBJECT

    using Run = testing::CliRun;

    Run cli(QStringList arguments, QHash<QString, QString> variables = {})
    {
        arguments.prepend(m_dir.filePath(QStringLiteral("pki.simfleet")));
        arguments.prepend(QStringLiteral("-w"));
        if (!variables.contains(QStringLiteral("SIMFLEET_PASSPHRASE")))
            variables.insert(QStringLiteral("SIMFLEET_PASSPHRASE"), QString::fromLatin1(passphrase));
        const Run r = testing::runCli(QStringLiteral(SIMFLEET_CLI), arguments, variables);
        // Nothing a trust command prints may carry a private key, whatever file it was given.
        m_everything += r.out + r.err;
        return r;
    }

    QString write(const char *name, const QByteArray &contents)
    {
        const QString path = m_dir.filePath(QLatin1StringView(name));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(contents) != contents.size())
            qFatal("cannot write %s", name);
        return path;
    }

    QJsonArray trustList()
    {
        const Run r = cli({ "trust", "list" });
        if (r.exitCode != 0)
            qWarning("trust list: %s", r.err.constData());
        return QJsonDocument::fromJson(r.out).array();
    }

    static QJsonObject find(const QJsonArray &list, const QString &subjectPart)
    {
        for (const QJsonValue &v : list) {
            if (v.toObject().value(QStringLiteral("subject")).toString().contains(subjectPart))
                return v.toObject();
        }
        return {};
    }

    // The issuers whose revocation lists the Dashboard calls out (FleetQueries::figures).
    QStringList revocationAlerts()
    {
        auto ws = store::Workspace::open(m_dir.filePath(QStringLiteral("pki.simfleet")));
        if (!ws || !ws.value()->unlock(passphrase))
            return { QStringLiteral("cannot open the workspace") };
        auto figures = fleet::FleetQueries(*ws.value()).figures(testing::ownerOf(*ws.value()));
        if (!figures)
            return { figures.errorMessage() };
        QStringList issuers;
        for (const auto &l : figures->revocationListsRunningOut)
            issuers << l.issuer;
        return issuers;
    }

    // A refusal: exit code 1, nothing on stdout, and the reason's distinctive words on stderr.
    void expectRefusal(const QStringList &arguments, const char *words)
    {
        const Run r = cli(arguments);
        QVERIFY2(r.exitCode == 1, qPrintable(QStringLiteral("%1: exit %2, %3").arg(arguments.join(u' ')).arg(r.exitCode).arg(QString::fromUtf8(r.err))));
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(words), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1); // one sentence, one line
    }

    QTemporaryDir m_dir;
    QByteArray m_everything;
    testpki::Issued m_ci;
    testpki::Issued m_eum;
    QString m_eumKeyId;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const Run init = cli({ "init" });
        QVERIFY2(init.exitCode == 0, init.err.constData());
        QCOMPARE(trustList().size(), 0);
        m_ci = testpki::certificateIssuer("Trustline Root CI");
        m_eum = testpki::issue(testpki::manufacturerSpec("Veloce Silicon", "8904903200", 10), &m_ci);
    }

    void onboardsIssuerAndManufacturer()
    {
        const Run ci = cli({ "trust", "add", "--issuer", write("ci.pem", testpki::pem(m_ci)) });
        QVERIFY2(ci.exitCode == 0, ci.err.constData());
        const QJsonObject added = QJsonDocument::fromJson(ci.out).object();
        QCOMPARE(added.value("kind").toString(), QStringLiteral("certificate-issuer"));
        QCOMPARE(added.value("test_issuer").toBool(true), false);

        const Run eum = cli({ "trust", "add", "--manufacturer", write("eum.der", testpki::der(m_eum)) });
        QVERIFY2(eum.exitCode == 0, eum.err.constData());

        const QJsonArray list = trustList();
        QCOMPARE(list.size(), 2);
        const QJsonObject m = find(list, QStringLiteral("Veloce Silicon"));
        QCOMPARE(m.value("kind").toString(), QStringLiteral("manufacturer"));
        QCOMPARE(m.value("name").toString(), QStringLiteral("Veloce Silicon"));
        QCOMPARE(m.value("eid_range").toString(), QStringLiteral("8904903200"));
        QVERIFY(m.value("valid_from").toString().endsWith(u'Z'));
        QVERIFY(m.value("valid_to").toString() > m.value("valid_from").toString());
        QVERIFY(m.value("crl_next_update").isNull());
        m_eumKeyId = m.value("key_id").toString();
        QCOMPARE(m_eumKeyId.size(), 20 * 3 - 1); // SHA-1 subject key identifier, as AA:BB:...

        const Run info = cli({ "info" });
        QCOMPARE(QJsonDocument::fromJson(info.out).object().value("test_workspace").toBool(true), false);
    }

    void refusesWhatTrustMustNotTake_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QByteArray>("words");

        const testpki::Issued stranger = testpki::certificateIssuer("Unknown Root CI", 99);
        QTest::newRow("EUM signed by an untrusted issuer")
            << "--manufacturer" << testpki::der(testpki::issue(testpki::manufacturerSpec("Shadow Fab", "89049044", 11), &stranger))
            << QByteArray("is not signed by a certificate issuer this workspace trusts");

        testpki::Spec expired = testpki::manufacturerSpec("Old Fab", "89049055", 12);
        expired.notBeforeDays = -800;
        expired.notAfterDays = -10;
        QTest::newRow("expired EUM") << "--manufacturer" << testpki::der(testpki::issue(expired, &m_ci))
                                     << QByteArray("expired on");

        testpki::Spec noRole = testpki::manufacturerSpec("Roleless Fab", "89049066", 13);
        noRole.policy = "2.23.146.1.2.1.1"; // an eUICC's policy, not the EUM's
        QTest::newRow("EUM without the EUM role")
            << "--manufacturer" << testpki::pem(testpki::issue(noRole, &m_ci))
            << QByteArray("is not a certificate for the eUICC manufacturer (EUM) role");

        testpki::Spec noRange = testpki::manufacturerSpec("Rangeless Fab", nullptr, 14);
        QTest::newRow("EUM without an EID range")
            << "--manufacturer" << testpki::der(testpki::issue(noRange, &m_ci)) << QByteArray("state no EID range");

        testpki::Spec deep = testpki::manufacturerSpec("Deep Fab", "89049077", 15);
        deep.pathlen = -1;
        QTest::newRow("EUM that could certify CAs")
            << "--manufacturer" << testpki::der(testpki::issue(deep, &m_ci)) << QByteArray("limit the path length to 0");

        QTest::newRow("overlapping EID ranges")
            << "--manufacturer" << testpki::der(testpki::issue(testpki::manufacturerSpec("Copycat Fab", "89049032", 16), &m_ci))
            << QByteArray("overlaps the range 8904903200");

        QTest::newRow("an issuer that is no root")
            << "--issuer" << testpki::pem(m_eum) << QByteArray("not a certificate for the certificate issuer (CI) role");

        const testpki::Issued forger = testpki::certificateIssuer("Forger", 98);
        QTest::newRow("CRL with a bad signature")
            << "--crl" << testpki::revocationList(m_ci, forger.key.get(), { 10 })
            << QByteArray("signature does not verify with the key of");

        QTest::newRow("CRL of an unknown issuer")
            << "--crl" << testpki::revocationList(forger, nullptr, {}) << QByteArray("neither a trusted certificate issuer");

        QTest::newRow("CRL that ran out")
            << "--crl" << testpki::revocationList(m_eum, nullptr, {}, -40, -5) << QByteArray("ran out on");

        QTest::newRow("a private key instead of a certificate")
            << "--manufacturer" << testpki::privateKeyPem(m_eum) << QByteArray("holds a private key, not a certificate");
        QTest::newRow("not a certificate") << "--issuer" << QByteArray("hello") << QByteArray("not a readable certificate");
    }

    void refusesWhatTrustMustNotTake()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, file);
        QFETCH(QByteArray, words);
        expectRefusal({ "trust", "add", kind, write("refused.bin", file) }, words.constData());
        QCOMPARE(trustList().size(), 2); // nothing was added
    }

    void revocationListsNewestWinsAndAlerts()
    {
        // A list about to run out is taken and called out.
        const Run soon = cli({ "trust", "add", "--crl", write("eum-soon.crl", testpki::revocationList(m_eum, nullptr, {}, -2, 3)) });
        QVERIFY2(soon.exitCode == 0, soon.err.constData());
        QCOMPARE(QJsonDocument::fromJson(soon.out).object().value("kind").toString(), QStringLiteral("crl"));
        Run listed = cli({ "trust", "list" });
        QVERIFY(find(QJsonDocument::fromJson(listed.out).array(), QStringLiteral("Veloce")).value("alert").toString().contains("runs out on"));
        QVERIFY(listed.err.contains("runs out on"));
        QCOMPARE(revocationAlerts(), QStringList { QStringLiteral("CN=EUM,O=Veloce Silicon,C=FR") });

        // A newer one (PEM this time) replaces it, and the alert goes.
        const QByteArray fresh = testpki::revocationList(m_eum, nullptr, { 4711 }, 0, 30);
        QByteArray freshPem = "-----BEGIN X509 CRL-----\n" + fresh.toBase64() + "\n-----END X509 CRL-----\n";
        const Run newer = cli({ "trust", "add", "--crl", write("eum.crl.pem", freshPem) });
        QVERIFY2(newer.exitCode == 0, newer.err.constData());
        const QJsonObject m = find(trustList(), QStringLiteral("Veloce"));
        QVERIFY(m.value("alert").isNull());
        QVERIFY(revocationAlerts().isEmpty());
        QVERIFY(!m.value("crl_next_update").toString().isEmpty());

        expectRefusal({ "trust", "add", "--crl", write("eum-old.crl", testpki::revocationList(m_eum, nullptr, {}, -1, 20)) },
                      "is not newer");
    }

    void issuerListCoversManufacturers()
    {
        const Run crl = cli({ "trust", "add", "--crl", write("ci.crl", testpki::revocationList(m_ci, nullptr, { 17 })) });
        QVERIFY2(crl.exitCode == 0, crl.err.constData());
        const auto revoked = testpki::issue(testpki::manufacturerSpec("Revoked Fab", "89049088", 17), &m_ci);
        expectRefusal({ "trust", "add", "--manufacturer", write("revoked.der", testpki::der(revoked)) }, "is revoked");
    }

    void retireFreesTheRange()
    {
        QVERIFY(!m_eumKeyId.isEmpty());
        const Run retired = cli({ "trust", "retire", "--key-id", m_eumKeyId.toLower() });
        QVERIFY2(retired.exitCode == 0, retired.err.constData());
        QCOMPARE(QJsonDocument::fromJson(retired.out).object().value("retired").toBool(), true);
        QVERIFY(find(trustList(), QStringLiteral("Veloce")).isEmpty());
        expectRefusal({ "trust", "retire", "--key-id", m_eumKeyId }, "no trusted issuer or manufacturer has the key id");

        // Its successor may now take an overlapping range.
        const auto successor = testpki::issue(testpki::manufacturerSpec("Veloce Silicon II", "89049032", 18), &m_ci);
        const Run added = cli({ "trust", "add", "--manufacturer", write("successor.pem", testpki::pem(successor)) });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        QCOMPARE(find(trustList(), QStringLiteral("Veloce Silicon II")).value("eid_range").toString(), QStringLiteral("89049032"));
    }

    void onlyAdministratorsChangeTrust()
    {
        const Run admin = cli({ "users", "add", "ada", "--role", "administrator" },
                              { { QStringLiteral("SIMFLEET_NEW_PASSWORD"), QStringLiteral("brisk walnut harbour") } });
        QVERIFY2(admin.exitCode == 0, admin.err.constData());
        const Run added = cli({ "users", "add", "oscar", "--role", "operations" },
                              { { QStringLiteral("SIMFLEET_NEW_PASSWORD"), QStringLiteral("quiet maple lantern") } });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        const QHash<QString, QString> oscar { { QStringLiteral("SIMFLEET_PASSWORD"), QStringLiteral("quiet maple lantern") } };
        const Run refused = cli({ "--user", "oscar", "trust", "add", "--issuer", sgp26Ci }, oscar);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("not permitted"), refused.err.constData());
        const Run listed = cli({ "--user", "oscar", "trust", "list" }, oscar);
        QCOMPARE(listed.exitCode, 0);
    }

    void badUsage_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("add without a file") << QStringList { "trust", "add" };
        QTest::newRow("two files") << QStringList { "trust", "add", "--issuer", "a", "--crl", "b" };
        QTest::newRow("retire without key id") << QStringList { "trust", "retire" };
        QTest::newRow("key id not hex") << QStringList { "trust", "retire", "--key-id", "xyz" };
        QTest::newRow("unknown action") << QStringList { "trust", "trustall" };
    }

    void badUsage()
    {
        QFETCH(QStringList, arguments);
        QCOMPARE(cli(arguments).exitCode, 2);
    }

    void sgp26TestIssuerMakesATestWorkspace()
    {
        if (!QFile::exists(sgp26Ci))
            QSKIP("the SGP.26 test certificates (../shared/testdata/sgp26) are not beside this tree");
        const Run added = cli({ "trust", "add", "--issuer", sgp26Ci });
        QVERIFY2(added.exitCode == 0, added.err.constData());
        QCOMPARE(QJsonDocument::fromJson(added.out).object().value("test_issuer").toBool(), true);
        QVERIFY(added.err.contains("test workspace"));
        QJsonObject info = QJsonDocument::fromJson(cli({ "info" }).out).object();
        QCOMPARE(info.value("test_workspace").toBool(), true);
        QVERIFY(info.value("test_workspace_notice").toString().contains(QStringLiteral("SGP.26 test certificate issuer")));

        // The same CI as PEM is the same certificate.
        expectRefusal({ "trust", "add", "--issuer", QStringLiteral(SIMFLEET_SGP26 "/CertificateIssuer/CERT_CI_ECDSA_NIST.pem") },
                      "already trusted");
        // A profile server's certificate is no EUM.
        expectRefusal({ "trust", "add", "--manufacturer", QStringLiteral(SIMFLEET_SGP26 "/DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der") },
                      "is not a certificate for the eUICC manufacturer (EUM) role");
        // Its published private key is not a certificate, and is not echoed.
        expectRefusal({ "trust", "add", "--issuer", QStringLiteral(SIMFLEET_SGP26 "/DPauth/SK_S_SM_DPauth_ECDSA_NIST.pem") },
                      "holds a private key");

        QString keyId = find(trustList(), QStringLiteral("TESTCERT")).value("key_id").toString();
        QCOMPARE(keyId, QStringLiteral("F5:41:72:BD:F9:8A:95:D6:5C:BE:B8:8A:38:A1:C1:1D:80:0A:85:C3"));
        QCOMPARE(cli({ "trust", "retire", "--key-id", keyId.remove(u':') }).exitCode, 0);
        info = QJsonDocument::fromJson(cli({ "info" }).out).object();
        QCOMPARE(info.value("test_workspace").toBool(true), false);
    }

    void changesAreAudited()
    {
        const Run verified = cli({ "audit", "verify" });
        QVERIFY2(verified.exitCode == 0, verified.err.constData());
        QStringList entries;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("audit"));
            db.setDatabaseName(m_dir.filePath(QStringLiteral("pki.simfleet")));
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT action, subject FROM audit_entry WHERE action LIKE 'trust.%' ORDER BY seq")));
            while (q.next())
                entries.append(q.value(0).toString() + u' ' + q.value(1).toString());
        }
        QSqlDatabase::removeDatabase(QStringLiteral("audit"));
        // CI, EUM, two EUM lists, the CI's list, the successor, the SGP.26 CI; two retirements.
        QCOMPARE(entries.filter(QStringLiteral("trust.add")).size(), 7);
        QCOMPARE(entries.filter(QStringLiteral("trust.retire")).size(), 2);
        QVERIFY(entries.contains(QStringLiteral("trust.add crl:CN=EUM,O=Veloce Silicon,C=FR")));
    }

    // The role rules on their own, against the published SGP.26 certificates and made-up ones.
    void roleChecks_data()
    {
        QTest::addColumn<QByteArray>("certificate");
        QTest::addColumn<int>("role");
        QTest::addColumn<QByteArray>("refusal"); // empty: accepted
        const auto file = [](const char *path) {
            QFile f(QStringLiteral(SIMFLEET_SGP26 "/") + QLatin1StringView(path));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        using crypto::RspRole;
        QTest::newRow("SGP.26 CI") << file("CertificateIssuer/CERT_CI_ECDSA_NIST.pem") << int(RspRole::CertificateIssuer) << QByteArray();
        QTest::newRow("SGP.26 DPauth") << file("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der") << int(RspRole::ProfileServerAuth) << QByteArray();
        QTest::newRow("SGP.26 DPpb") << file("DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der") << int(RspRole::ProfileServerBinding) << QByteArray();
        QTest::newRow("SGP.26 DP TLS") << file("DPtls/CERT_S_SM_DP_TLS_NIST.der") << int(RspRole::ProfileServerTls) << QByteArray();
        QTest::newRow("SGP.26 DPauth as TLS") << file("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der") << int(RspRole::ProfileServerTls)
                                              << QByteArray("do not name the SGP.22 role 2.23.146.1.2.1.3");
        QTest::newRow("SGP.26 DPpb as auth") << file("DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der") << int(RspRole::ProfileServerAuth)
                                             << QByteArray("do not name the SGP.22 role 2.23.146.1.2.1.4");

        const testpki::Issued ci = testpki::certificateIssuer("Role Check CI", 50);
        QTest::newRow("EUM") << testpki::der(testpki::issue(testpki::manufacturerSpec("Good Fab", "8904", 51), &ci))
                             << int(RspRole::Manufacturer) << QByteArray();
        testpki::Spec signOnly = testpki::manufacturerSpec("Sign Fab", "8905", 52);
        signOnly.keyUsage = "critical,digitalSignature";
        QTest::newRow("EUM that cannot sign certificates") << testpki::der(testpki::issue(signOnly, &ci)) << int(RspRole::Manufacturer)
                                                           << QByteArray("key usage must include keyCertSign");
        testpki::Spec euiccCa;
        euiccCa.commonName = "eUICC";
        euiccCa.policy = "2.23.146.1.2.1.1";
        euiccCa.ca = true;
        QTest::newRow("eUICC that is a CA") << testpki::der(testpki::issue(euiccCa, &ci)) << int(RspRole::Euicc)
                                            << QByteArray("it is a certificate authority");
        testpki::Spec tls;
        tls.commonName = "dp.example";
        tls.policy = "2.23.146.1.2.1.3";
        QTest::newRow("TLS without serverAuth") << testpki::der(testpki::issue(tls, &ci)) << int(RspRole::ProfileServerTls)
                                                << QByteArray("extended key usage must include serverAuth");
        testpki::Spec ciNoCrl;
        ciNoCrl.commonName = "CI without cRLSign";
        ciNoCrl.policy = "2.23.146.1.2.1.0";
        ciNoCrl.ca = true;
        ciNoCrl.keyUsage = "critical,keyCertSign";
        QTest::newRow("CI that cannot sign lists") << testpki::der(testpki::issue(ciNoCrl, nullptr)) << int(RspRole::CertificateIssuer)
                                                   << QByteArray("key usage must include keyCertSign and cRLSign");
    }

    void roleChecks()
    {
        QFETCH(QByteArray, certificate);
        QFETCH(int, role);
        QFETCH(QByteArray, refusal);
        if (certificate.isEmpty())
            QSKIP("the SGP.26 test certificates (../shared/testdata/sgp26) are not beside this tree");
        const auto cert = crypto::Certificate::fromFileContents(certificate);
        QVERIFY2(cert, qPrintable(cert.errorMessage()));
        const auto checked = crypto::checkRspRole(cert.value(), crypto::RspRole(role));
        if (refusal.isEmpty()) {
            QVERIFY2(checked, qPrintable(checked.errorMessage()));
        } else {
            QVERIFY(!checked);
            QVERIFY2(checked.errorMessage().contains(QString::fromUtf8(refusal)), qPrintable(checked.errorMessage()));
        }
    }

    // What trust holds is what attestation trusts: a manufacturer retired leaves its devices
    // unverifiable, and the same certificate added back through TrustBook makes them genuine again.
    void attestationUsesWhatTrustHolds()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("demo.simfleet"));
        ManualClock clock(QDateTime::currentDateTimeUtc());
        auto ws = simulation::DemoWorkspace::create(path, &clock, { 4, 0, 0, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        auto field = simulation::SimulatedField::openForWorkspace(path, &clock);
        QVERIFY2(field, qPrintable(field.errorMessage()));
        field.value()->setTiming({ std::chrono::milliseconds(0), 7200 });
        const auto meters = store::FleetRepository(ws.value()->database()).findUnique(QStringLiteral("Rheinau smart meters"));
        QVERIFY(meters);
        const auto devices = store::DeviceRepository(ws.value()->database()).idsInFleet(meters->id).value();
        QVERIFY(!devices.isEmpty());
        const access::Session owner = testing::ownerOf(*ws.value());
        attestation::AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(2000);
        attestation::AttestationService service(*ws.value(), *field.value(), options);
        const auto tiers = [&]() {
            QStringList out;
            for (const attestation::DeviceAttestation &o : service.attest(owner, devices).value())
                out.append(o.verdict.reasonCode);
            out.removeDuplicates();
            return out;
        };
        QCOMPARE(tiers(), QStringList { QStringLiteral("affirmed") });

        const auto trusted = attestation::TrustBook::list(*ws.value(), owner);
        QVERIFY2(trusted, qPrintable(trusted.errorMessage()));
        QList<crypto::Certificate> manufacturers;
        for (const attestation::TrustedCertificate &t : trusted.value()) {
            if (t.role == store::CertificateRoleName::Manufacturer) {
                manufacturers.append(t.certificate);
                const auto retired = attestation::TrustBook::retire(*ws.value(), owner, t.certificate.keyIdentifier());
                QVERIFY2(retired, qPrintable(retired.errorMessage()));
            }
        }
        QVERIFY(!manufacturers.isEmpty());
        QCOMPARE(tiers(), QStringList { QStringLiteral("untrusted-manufacturer") });

        // The demo's own manufacturers meet every rule an onboarded one must.
        for (const crypto::Certificate &m : manufacturers) {
            const auto added = attestation::TrustBook::addManufacturer(*ws.value(), owner, m.toPem());
            QVERIFY2(added, qPrintable(added.errorMessage()));
        }
        QCOMPARE(tiers(), QStringList { QStringLiteral("affirmed") });
    }

    // A device certified by an EUM onboarded through TrustBook is verified by attestation; the
    // EUM's list revoking the device, and the CI's list revoking the EUM, are both heeded.
    void attestsDevicesOfAnOnboardedManufacturer()
    {
        QTemporaryDir dir;
        ManualClock clock(QDateTime::currentDateTimeUtc());
        auto ws = store::Workspace::create(dir.filePath(QStringLiteral("own.simfleet")), QStringLiteral("own"),
                                           "granite heron window 4", &clock);
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        store::Workspace &workspace = *ws.value();
        const access::Session owner = testing::ownerOf(workspace);
        const testpki::Issued ci = testpki::certificateIssuer("Device Path CI", 70);
        const testpki::Issued eum = testpki::issue(testpki::manufacturerSpec("Kestrel Modules", "89049032", 71), &ci);
        QVERIFY(attestation::TrustBook::addIssuer(workspace, owner, testpki::der(ci)));
        QVERIFY(attestation::TrustBook::addManufacturer(workspace, owner, testpki::pem(eum)));

        const QString eid = identity::Eid::fromPayload(u"890490320000000000000000004242").value().toString();
        const QByteArray eidLatin1 = eid.toLatin1();
        const crypto::EcPrivateKey deviceKey = crypto::EcPrivateKey::generate();
        testpki::Spec deviceSpec;
        deviceSpec.commonName = "eUICC";
        deviceSpec.organization = "Kestrel Modules";
        deviceSpec.policy = "2.23.146.1.2.1.1";
        deviceSpec.subjectSerialNumber = eidLatin1.constData();
        deviceSpec.serial = 4242;
        const testpki::Issued device = testpki::issue(deviceSpec, &eum, deviceKey.handle());

        const QByteArray bootloader = crypto::sha256("kestrel boot 2.1");
        store::ReferenceValueRecord reference;
        reference.manufacturer = QStringLiteral("Kestrel Modules");
        reference.hwmodel = QStringLiteral("KM-7");
        reference.swname = QStringLiteral("kestrel-os");
        reference.swversion = QStringLiteral("2.1");
        reference.measurements = { { QStringLiteral("bootloader"), bootloader } };
        reference.addedAt = clock.now();
        QVERIFY(attestation::ReferenceValueBook::add(workspace, owner, reference));

        struct NoDevices : devices::DeviceLinkProvider
        {
            std::unique_ptr<devices::DeviceLink> linkTo(const QString &) override { return nullptr; }
        } noDevices;
        attestation::AttestationService service(workspace, noDevices);
        const auto verdictNow = [&]() {
            protocol::EatClaims claims;
            claims.nonce = QByteArray(32, '\x5a');
            claims.ueid = protocol::ueidForEid(eid);
            claims.hwmodel = reference.hwmodel;
            claims.swname = reference.swname;
            claims.swversion = reference.swversion;
            claims.measurements = { { QStringLiteral("bootloader"), bootloader } };
            claims.issuedAt = clock.now();
            const auto evidence = protocol::signCoseSign1(protocol::encodeClaims(claims),
                                                          { testpki::der(device), testpki::der(eum) }, deviceKey);
            const auto verifier = service.loadVerifier();
            if (!evidence || !verifier)
                return QStringLiteral("setup failed");
            const attestation::IssuedNonce issued { claims.nonce, eid, clock.now().addSecs(-1), clock.now().addSecs(300), false };
            return verifier->verify(eid, evidence.value(), [&](const QByteArray &) { return std::optional(issued); }, clock.now())
                .reasonCode;
        };
        QCOMPARE(verdictNow(), QStringLiteral("revocation-unknown"));
        QVERIFY(attestation::TrustBook::addRevocationList(workspace, owner, testpki::revocationList(eum, nullptr, {}, -1, 30)));
        QCOMPARE(verdictNow(), QStringLiteral("affirmed"));
        // Its newer list (the newest wins) revokes the device.
        QVERIFY(attestation::TrustBook::addRevocationList(workspace, owner, testpki::revocationList(eum, nullptr, { 4242 }, 0, 30)));
        QCOMPARE(verdictNow(), QStringLiteral("revoked"));
        // The CI's list covers the manufacturers it certified.
        QVERIFY(attestation::TrustBook::addRevocationList(workspace, owner, testpki::revocationList(ci, nullptr, { 71 }, 0, 30)));
        QCOMPARE(verdictNow(), QStringLiteral("untrusted-manufacturer"));
    }

    void cleanupTestCase()
    {
        QVERIFY(!m_everything.isEmpty());
        QVERIFY(!m_everything.contains("PRIVATE KEY"));
        QVERIFY(!m_everything.contains("BEGIN"));
    }
};

QTEST_GUILESS_MAIN(TestTrust)
#include "tst_trust.moc"
