#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "identity/eid.h"

#include <QTest>

using namespace simfleet::crypto;
using simfleet::identity::Eid;

namespace {

const QDateTime t0(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
const Validity tenYears { t0, t0.addYears(10) };
const Validity twoYears { t0, t0.addYears(2) };
const QString eumPrefix = QStringLiteral("89049032");

Eid eid(const char *payload)
{
    return Eid::fromPayload(QString::fromLatin1(payload)).value();
}

struct Pki
{
    CertifiedKey ci;
    CertifiedKey eum;
    CertifiedKey device;
    CertifiedKey server;
};

Pki makePki()
{
    Pki p;
    p.ci = demopki::createCertificateIssuer(QStringLiteral("simfleet Demo CI"), tenYears).value();
    p.eum = demopki::createManufacturer(p.ci, QStringLiteral("Meterworks"), QStringLiteral("DE"), eumPrefix, tenYears)
                .value();
    p.device.key = EcPrivateKey::generate();
    p.device.certificate = demopki::certifyDevice(p.eum, eid("890490320000000000000000000001"),
                                                  p.device.key.publicKey(), twoYears)
                               .value();
    p.server = demopki::createProfileServer(p.ci, QStringLiteral("Nordlink"), QStringLiteral("SE"),
                                            QStringLiteral("smdp.nordlink.example"), tenYears)
                   .value();
    return p;
}

ChainVerifier verifierAt(const Pki &p, const QDateTime &when)
{
    ChainVerifier v;
    v.addTrustAnchor(p.ci.certificate);
    v.setTime(when);
    return v;
}

} // namespace

class TestX509 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_pki = makePki(); }

    void certificateContents()
    {
        const Certificate &ci = m_pki.ci.certificate;
        QVERIFY(ci.isCertificateAuthority());
        QCOMPARE(ci.subjectText(), ci.issuerText());
        QCOMPARE(m_pki.eum.certificate.permittedEidPrefix(), std::optional<QString>(eumPrefix));
        QVERIFY(m_pki.eum.certificate.isCertificateAuthority());
        QVERIFY(!m_pki.device.certificate.isCertificateAuthority());
        QVERIFY(!m_pki.server.certificate.isCertificateAuthority());
        QCOMPARE(m_pki.device.certificate.subject().serialNumber, QStringLiteral("89049032000000000000000000000163"));
        QCOMPARE(m_pki.device.certificate.subject().organization, QStringLiteral("Meterworks"));
        QCOMPARE(m_pki.device.certificate.issuerText(), m_pki.eum.certificate.subjectText());
        QCOMPARE(m_pki.device.certificate.notBefore(), t0);
        QCOMPARE(m_pki.device.certificate.notAfter(), t0.addYears(2));
        QVERIFY(m_pki.device.certificate.publicKey() == m_pki.device.key.publicKey());
        QCOMPARE(m_pki.server.certificate.subject().organization, QStringLiteral("Nordlink"));
        QVERIFY(!m_pki.device.certificate.serialNumber().isEmpty());
        QVERIFY(m_pki.device.certificate.serialNumber() != m_pki.eum.certificate.serialNumber());
    }

    void encodingsRoundTrip()
    {
        const Certificate &c = m_pki.device.certificate;
        QCOMPARE(Certificate::fromDer(c.toDer()).value(), c);
        QCOMPARE(Certificate::fromPem(c.toPem()).value(), c);
        const auto bundle = Certificate::listFromPem(QByteArray(c.toPem() + m_pki.eum.certificate.toPem()));
        QVERIFY(bundle.ok());
        QCOMPARE(bundle->size(), 2);
        QCOMPARE(bundle->at(1), m_pki.eum.certificate);
        QCOMPARE(c.sha256Fingerprint().size(), 32);
    }

    void damagedEncodings_data()
    {
        QTest::addColumn<QByteArray>("der");
        QTest::addColumn<QString>("error");
        const QByteArray der = makePki().device.certificate.toDer();
        QTest::newRow("truncated by one byte") << der.first(der.size() - 1)
                                               << "not a DER X.509 certificate (truncated or damaged)";
        QTest::newRow("half") << der.first(der.size() / 2) << "not a DER X.509 certificate (truncated or damaged)";
        QTest::newRow("empty") << QByteArray() << "not a DER X.509 certificate (truncated or damaged)";
        QTest::newRow("trailing garbage") << QByteArray(der + "xx") << "unexpected bytes after the DER certificate";
        QTest::newRow("random") << QByteArray(300, '\x30') << "not a DER X.509 certificate (truncated or damaged)";
    }

    void damagedEncodings()
    {
        QFETCH(QByteArray, der);
        QFETCH(QString, error);
        QCOMPARE(Certificate::fromDer(der).errorMessage(), error);
    }

    void pemWithoutCertificate()
    {
        QCOMPARE(Certificate::fromPem("hello").errorMessage(),
                 QStringLiteral("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)"));
        QVERIFY(!Certificate::fromPem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").ok());
    }

    void deviceChainVerifies()
    {
        const auto path = verifierAt(m_pki, t0.addDays(30)).verify(m_pki.device.certificate, { m_pki.eum.certificate });
        QVERIFY2(path.ok(), qPrintable(path.errorMessage()));
        QCOMPARE(path->size(), 3);
        QCOMPARE(path->at(0), m_pki.device.certificate);
        QCOMPARE(path->at(1), m_pki.eum.certificate);
        QCOMPARE(path->at(2), m_pki.ci.certificate);
        QVERIFY(checkEidInManufacturerRange(m_pki.device.certificate, m_pki.eum.certificate).ok());
    }

    void profileServerChainVerifies()
    {
        const auto path = verifierAt(m_pki, t0.addDays(30)).verify(m_pki.server.certificate, {});
        QVERIFY2(path.ok(), qPrintable(path.errorMessage()));
        QCOMPARE(path->size(), 2);
    }

    void validityWindow_data()
    {
        QTest::addColumn<QDateTime>("when");
        QTest::addColumn<QString>("error");
        QTest::newRow("just inside") << t0.addYears(2).addSecs(-1) << "";
        QTest::newRow("expired") << t0.addYears(2).addDays(1)
                                 << "certificate of serialNumber=89049032000000000000000000000163,O=Meterworks "
                                    "expired on 2028-01-01T00:00:00Z";
        QTest::newRow("not yet valid") << t0.addDays(-1)
                                       << "is not valid before 2026-01-01T00:00:00Z";
    }

    void validityWindow()
    {
        QFETCH(QDateTime, when);
        QFETCH(QString, error);
        const auto path = verifierAt(m_pki, when).verify(m_pki.device.certificate, { m_pki.eum.certificate });
        QCOMPARE(path.ok(), error.isEmpty());
        if (!path.ok())
            QVERIFY2(path.errorMessage().contains(error), qPrintable(path.errorMessage()));
    }

    void revokedDevice()
    {
        const QDateTime now = t0.addDays(60);
        const auto deviceCrl = RevocationList::issue(m_pki.eum.certificate, m_pki.eum.key,
                                                     { { m_pki.device.certificate.serialNumber(), t0.addDays(50) } },
                                                     t0.addDays(55), t0.addDays(85));
        QVERIFY2(deviceCrl.ok(), qPrintable(deviceCrl.errorMessage()));
        QVERIFY(deviceCrl->lists(m_pki.device.certificate));
        QVERIFY(!deviceCrl->lists(m_pki.eum.certificate));
        const auto emptyCrl = RevocationList::issue(m_pki.eum.certificate, m_pki.eum.key, {}, t0.addDays(55),
                                                    t0.addDays(85));
        const auto ciCrl = RevocationList::issue(m_pki.ci.certificate, m_pki.ci.key, {}, t0.addDays(55), t0.addDays(85));
        QVERIFY(emptyCrl.ok() && ciCrl.ok());

        ChainVerifier revoked = verifierAt(m_pki, now);
        revoked.setRevocationCheck(RevocationCheck::WholeChain);
        revoked.addRevocationList(RevocationList::fromPem(deviceCrl->toPem()).value());
        revoked.addRevocationList(RevocationList::fromDer(ciCrl->toDer()).value());
        const auto refused = revoked.verify(m_pki.device.certificate, { m_pki.eum.certificate });
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().endsWith(QStringLiteral("is revoked")), qPrintable(refused.errorMessage()));

        ChainVerifier clean = verifierAt(m_pki, now);
        clean.setRevocationCheck(RevocationCheck::WholeChain);
        clean.addRevocationList(emptyCrl.value());
        clean.addRevocationList(ciCrl.value());
        const auto accepted = clean.verify(m_pki.device.certificate, { m_pki.eum.certificate });
        QVERIFY2(accepted.ok(), qPrintable(accepted.errorMessage()));

        // Checking revocation without the lists is an error that says what to import.
        ChainVerifier missing = verifierAt(m_pki, now);
        missing.setRevocationCheck(RevocationCheck::Leaf);
        QVERIFY(missing.verify(m_pki.device.certificate, { m_pki.eum.certificate }).errorMessage().contains(
            QStringLiteral("import its CRL")));

        // A list past its next update is not trusted.
        ChainVerifier stale = verifierAt(m_pki, t0.addDays(100));
        stale.setRevocationCheck(RevocationCheck::Leaf);
        stale.addRevocationList(emptyCrl.value());
        QVERIFY(stale.verify(m_pki.device.certificate, { m_pki.eum.certificate }).errorMessage().contains(
            QStringLiteral("out of date")));
        QVERIFY(!RevocationList::fromDer(ciCrl->toDer().first(20)).ok());
    }

    void untrustedRoot()
    {
        const Pki other = makePki();
        // A chain that is internally sound but ends at a root this verifier does not trust.
        const auto path = verifierAt(m_pki, t0.addDays(30)).verify(other.device.certificate, { other.eum.certificate });
        QVERIFY(!path.ok());
        QVERIFY2(path.errorMessage().contains(QStringLiteral("does not chain to a trusted certificate issuer")),
                 qPrintable(path.errorMessage()));
        // Nor may an intermediate from elsewhere be slipped in as a trust path.
        const auto mixed = verifierAt(m_pki, t0.addDays(30)).verify(other.device.certificate, { m_pki.eum.certificate });
        QVERIFY(!mixed.ok());
        // Handing the untrusted root along as an intermediate changes nothing.
        const auto withRoot = verifierAt(m_pki, t0.addDays(30))
                                  .verify(other.device.certificate, { other.eum.certificate, other.ci.certificate });
        QVERIFY(!withRoot.ok());
    }

    void eidOutsideManufacturerRange()
    {
        const Eid foreign = eid("890440990000000000000000000001");
        // The issuing helper refuses outright.
        const auto refused = demopki::certifyDevice(m_pki.eum, foreign, EcPrivateKey::generate().publicKey(), twoYears);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("outside the range 89049032")),
                 qPrintable(refused.errorMessage()));

        // A rogue issuing system that signs anyway is caught by verification.
        CertificateTemplate t;
        t.role = CertificateRole::Device;
        t.subject = { {}, QStringLiteral("Meterworks"), {}, {}, foreign.toString() };
        t.subjectKey = EcPrivateKey::generate().publicKey();
        t.notBefore = twoYears.notBefore;
        t.notAfter = twoYears.notAfter;
        const auto rogue = issueCertificate(t, m_pki.eum.certificate, m_pki.eum.key);
        QVERIFY(rogue.ok());
        const auto path = verifierAt(m_pki, t0.addDays(30)).verify(rogue.value(), { m_pki.eum.certificate });
        QVERIFY(!path.ok());
        QCOMPARE(path.errorMessage(),
                 QStringLiteral("EID %1 lies outside the range 89049032… that manufacturer Meterworks may certify")
                     .arg(foreign.toString()));
        QVERIFY(!checkEidInManufacturerRange(rogue.value(), m_pki.eum.certificate).ok());
    }

    void wrongManufacturerName()
    {
        CertificateTemplate t;
        t.role = CertificateRole::Device;
        t.subject = { {}, QStringLiteral("Other Maker"), {}, {}, QStringLiteral("89049032000000000000000000000163") };
        t.subjectKey = EcPrivateKey::generate().publicKey();
        t.notBefore = twoYears.notBefore;
        t.notAfter = twoYears.notAfter;
        const auto cert = issueCertificate(t, m_pki.eum.certificate, m_pki.eum.key).value();
        QVERIFY(!verifierAt(m_pki, t0.addDays(30)).verify(cert, { m_pki.eum.certificate }).ok());
    }

    void forgedSignature()
    {
        // A device certificate signed by a key that is not the manufacturer's.
        CertificateTemplate t;
        t.role = CertificateRole::Device;
        t.subject = { {}, QStringLiteral("Meterworks"), {}, {}, QStringLiteral("89049032000000000000000000000163") };
        t.subjectKey = EcPrivateKey::generate().publicKey();
        t.notBefore = twoYears.notBefore;
        t.notAfter = twoYears.notAfter;
        const auto forged = issueCertificate(t, m_pki.eum.certificate, EcPrivateKey::generate());
        QCOMPARE(forged.errorMessage(), QStringLiteral("the issuer key does not belong to the issuer certificate"));
    }

    void deviceCannotIssue()
    {
        CertificateTemplate t;
        t.role = CertificateRole::Device;
        t.subject = { {}, QStringLiteral("Meterworks"), {}, {}, QStringLiteral("89049032000000000000000000000260") };
        t.subjectKey = EcPrivateKey::generate().publicKey();
        t.notBefore = twoYears.notBefore;
        t.notAfter = twoYears.notAfter;
        QCOMPARE(issueCertificate(t, m_pki.device.certificate, m_pki.device.key).errorMessage(),
                 QStringLiteral("the issuer certificate is not a certificate authority"));
    }

    void templateChecks()
    {
        CertificateTemplate t;
        t.role = CertificateRole::Manufacturer;
        t.subject = { {}, QStringLiteral("Meterworks"), {}, {}, {} };
        t.subjectKey = EcPrivateKey::generate().publicKey();
        t.notBefore = t0;
        t.notAfter = t0.addYears(1);
        t.permittedEidPrefix = QStringLiteral("8904x");
        QCOMPARE(issueCertificate(t, m_pki.ci.certificate, m_pki.ci.key).errorMessage(),
                 QStringLiteral("a manufacturer certificate needs an EID prefix of 1 to 30 digits"));
        t.permittedEidPrefix = eumPrefix;
        t.notAfter = t0;
        QCOMPARE(issueCertificate(t, m_pki.ci.certificate, m_pki.ci.key).errorMessage(),
                 QStringLiteral("certificate validity must end after it begins"));
        t.notAfter = t0.addYears(1);
        QCOMPARE(issueCertificate(t, Certificate(), m_pki.ci.key).errorMessage(),
                 QStringLiteral("only a certificate issuer root may be self-signed"));
    }

    void noAnchorsNoTime()
    {
        ChainVerifier v;
        v.setTime(t0);
        QCOMPARE(v.verify(m_pki.device.certificate, {}).errorMessage(),
                 QStringLiteral("no trusted certificate issuer is configured"));
        ChainVerifier w;
        w.addTrustAnchor(m_pki.ci.certificate);
        QCOMPARE(w.verify(m_pki.device.certificate, {}).errorMessage(),
                 QStringLiteral("chain verification needs the current time"));
        QVERIFY(!verifierAt(m_pki, t0.addDays(1)).verify(m_pki.device.certificate, {}).ok());
    }

private:
    Pki m_pki;
};

QTEST_GUILESS_MAIN(TestX509)
#include "tst_x509.moc"
