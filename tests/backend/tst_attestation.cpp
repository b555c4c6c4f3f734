#include "attestation/attestationservice.h"
#include "testsession.h"
#include "attestation/attestationverifier.h"
#include "protocol/entityattestationtoken.h"
#include "core/clock.h"
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "crypto/ecdsa.h"
#include "simulation/simulatedfield.h"
#include "simulation/demoworkspace.h"
#include "identity/eid.h"
#include "store/attestationrepository.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/workspace.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using namespace simfleet::attestation;
using namespace simfleet::protocol;

namespace {

const QDateTime t0(QDate(2026, 11, 1), QTime(12, 0), Qt::UTC);
const crypto::Validity validity { t0.addDays(-1), t0.addYears(5) };

struct Device
{
    QString eid;
    crypto::EcPrivateKey key;
    crypto::Certificate cert;
};

QList<Measurement> goodMeasurements()
{
    return simulation::SimulatedDevice::firmwareMeasurements(QStringLiteral("MeterOne M2"), QStringLiteral("3.2.1"));
}

} // namespace

class TestAttestation : public QObject
{
    Q_OBJECT

    crypto::CertifiedKey m_ci;
    crypto::CertifiedKey m_eum;
    Device m_a;
    Device m_b;
    crypto::RevocationList m_crl;

    Device makeDevice(const char *payload, const crypto::CertifiedKey &eum)
    {
        Device d;
        d.eid = identity::Eid::fromPayload(QString::fromLatin1(payload)).value().toString();
        d.key = crypto::EcPrivateKey::generate();
        d.cert = crypto::demopki::certifyDevice(eum, identity::Eid::parse(d.eid).value(), d.key.publicKey(), validity)
                     .value();
        return d;
    }

    EatClaims claimsFor(const Device &d, const QByteArray &nonce) const
    {
        EatClaims c;
        c.nonce = nonce;
        c.ueid = ueidForEid(d.eid);
        c.oemid = 64901;
        c.hwmodel = QStringLiteral("MeterOne M2");
        c.hwversion = QStringLiteral("2.1");
        c.swname = QStringLiteral("MeterOS");
        c.swversion = QStringLiteral("3.2.1");
        c.measurements = goodMeasurements();
        c.issuedAt = t0;
        return c;
    }

    QByteArray token(const EatClaims &claims, const Device &signer, const Device &chainOf) const
    {
        return signCoseSign1(encodeClaims(claims), { chainOf.cert.toDer(), m_eum.certificate.toDer() }, signer.key).value();
    }

    AttestationVerifier verifier(bool withCrl = true) const
    {
        AttestationVerifier v;
        v.addTrustAnchor(m_ci.certificate);
        v.addManufacturer(m_eum.certificate);
        if (withCrl)
            v.addRevocationList(m_crl);
        v.addReferenceValue({ QStringLiteral("Meterworks"), QStringLiteral("MeterOne M2"), QStringLiteral("MeterOS"),
                              QStringLiteral("3.2.1"), goodMeasurements(), {}, {} });
        v.addReferenceValue({ QStringLiteral("Meterworks"), QStringLiteral("MeterOne M2"), QStringLiteral("MeterOS"),
                              QStringLiteral("3.0.0"), simulation::SimulatedDevice::firmwareMeasurements(
                                                           QStringLiteral("MeterOne M2"), QStringLiteral("3.0.0")),
                              t0.addDays(-30), {} });
        return v;
    }

    static AttestationVerifier::NonceLookup nonces(const QByteArray &nonce, const QString &eid, bool used = false,
                                                   QDateTime expires = t0.addSecs(300))
    {
        return [=](const QByteArray &presented) -> std::optional<IssuedNonce> {
            if (presented != nonce)
                return std::nullopt;
            return IssuedNonce { nonce, eid, t0, expires, used };
        };
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Test CI"), validity).value();
        m_eum = crypto::demopki::createManufacturer(m_ci, QStringLiteral("Meterworks"), QStringLiteral("DE"),
                                                    QStringLiteral("89049032"), validity)
                    .value();
        m_a = makeDevice("890490320000000000000000000001", m_eum);
        m_b = makeDevice("890490320000000000000000000002", m_eum);
        m_crl = crypto::RevocationList::issue(m_eum.certificate, m_eum.key, {}, t0.addDays(-1), t0.addDays(30)).value();
    }

    void claimsRoundTrip()
    {
        const EatClaims c = claimsFor(m_a, QByteArray(32, 'n'));
        const auto decoded = decodeClaims(encodeClaims(c));
        QVERIFY2(decoded.ok(), qPrintable(decoded.errorMessage()));
        QCOMPARE(decoded->nonce, c.nonce);
        QCOMPARE(decoded->ueid, c.ueid);
        QCOMPARE(decoded->hwmodel, c.hwmodel);
        QCOMPARE(decoded->swversion, c.swversion);
        QCOMPARE(decoded->measurements, c.measurements);
        QCOMPARE(decoded->debug, c.debug);
        QCOMPARE(decoded->issuedAt, c.issuedAt);
        const auto sign1 = parseCoseSign1(token(c, m_a, m_a));
        QVERIFY(sign1.ok());
        QCOMPARE(sign1->x5chain.size(), 2);
        QCOMPARE(sign1->protectedHeader.value(1).toInteger(), -7);
    }

    void verdicts_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("tier");
        QTest::addColumn<QString>("reason");
        QTest::newRow("genuine") << "genuine" << "affirming" << "affirmed";
        QTest::newRow("one bit of the signature") << "flip-signature" << "contraindicated" << "bad-signature";
        QTest::newRow("one bit of the payload") << "flip-payload" << "contraindicated" << "bad-signature";
        QTest::newRow("signed by another device's key") << "other-key" << "contraindicated" << "bad-signature";
        QTest::newRow("another device answers") << "other-device" << "contraindicated" << "identity-mismatch";
        QTest::newRow("replayed nonce") << "replayed" << "none" << "nonce-replayed";
        QTest::newRow("expired nonce") << "expired" << "none" << "nonce-expired";
        QTest::newRow("unknown nonce") << "unknown-nonce" << "none" << "nonce-unknown";
        QTest::newRow("nonce of another device") << "foreign-nonce" << "none" << "nonce-unknown";
        QTest::newRow("chain to an unknown root") << "unknown-root" << "contraindicated" << "untrusted-chain";
        QTest::newRow("revoked device") << "revoked" << "contraindicated" << "revoked";
        QTest::newRow("EID outside the range") << "out-of-range" << "contraindicated" << "eid-out-of-range";
        QTest::newRow("measurement differs") << "measurement" << "contraindicated" << "measurement-mismatch";
        QTest::newRow("debug enabled") << "debug" << "contraindicated" << "debug-enabled";
        QTest::newRow("tamper sensor") << "tamper" << "contraindicated" << "tamper-detected";
        QTest::newRow("unknown software") << "unknown-software" << "warning" << "no-reference-values";
        QTest::newRow("retired software") << "retired-software" << "warning" << "software-retired";
        QTest::newRow("clock two hours ahead") << "clock" << "warning" << "clock-skew";
        QTest::newRow("no revocation list") << "no-crl" << "warning" << "revocation-unknown";
        QTest::newRow("truncated CBOR") << "truncated" << "none" << "malformed-evidence";
        QTest::newRow("garbage") << "garbage" << "none" << "malformed-evidence";
        QTest::newRow("empty") << "empty" << "none" << "malformed-evidence";
        QTest::newRow("ES384 header") << "es384" << "none" << "malformed-evidence";
        QTest::newRow("huge CBOR length") << "huge-length" << "none" << "malformed-evidence";
        QTest::newRow("deeply nested CBOR") << "deep" << "none" << "malformed-evidence";
        QTest::newRow("oversized token") << "oversized" << "none" << "malformed-evidence";
    }

    void verdicts()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, tier);
        QFETCH(QString, reason);
        const QByteArray nonce(32, '\x5a');
        EatClaims claims = claimsFor(m_a, nonce);
        QByteArray evidence;
        QString expectedEid = m_a.eid;
        auto lookup = nonces(nonce, m_a.eid);
        bool withCrl = true;
        const QDateTime now = t0.addSecs(10);

        if (scenario == u"flip-signature") {
            evidence = token(claims, m_a, m_a);
            evidence[evidence.size() - 1] = char(evidence[evidence.size() - 1] ^ 1);
        } else if (scenario == u"flip-payload") {
            evidence = token(claims, m_a, m_a);
            const qsizetype at = evidence.indexOf("MeterOS");
            evidence[at] = char(evidence[at] ^ 1);
        } else if (scenario == u"other-key") {
            evidence = token(claims, m_b, m_a);
        } else if (scenario == u"other-device") {
            evidence = token(claimsFor(m_b, nonce), m_b, m_b);
        } else if (scenario == u"replayed") {
            lookup = nonces(nonce, m_a.eid, true);
        } else if (scenario == u"expired") {
            lookup = nonces(nonce, m_a.eid, false, t0);
        } else if (scenario == u"unknown-nonce") {
            lookup = nonces(QByteArray(32, 'x'), m_a.eid);
        } else if (scenario == u"foreign-nonce") {
            lookup = nonces(nonce, m_b.eid);
        } else if (scenario == u"unknown-root") {
            const auto otherCi = crypto::demopki::createCertificateIssuer(QStringLiteral("Rogue CI"), validity).value();
            const auto otherEum = crypto::demopki::createManufacturer(otherCi, QStringLiteral("Meterworks"),
                                                                      QStringLiteral("DE"), QStringLiteral("89049032"),
                                                                      validity)
                                      .value();
            Device impostor = makeDevice("890490320000000000000000000001", otherEum);
            evidence = signCoseSign1(encodeClaims(claims), { impostor.cert.toDer(), otherEum.certificate.toDer() },
                                     impostor.key)
                           .value();
        } else if (scenario == u"revoked") {
            m_crl = crypto::RevocationList::issue(m_eum.certificate, m_eum.key, { { m_a.cert.serialNumber(), t0 } },
                                                  t0.addDays(-1), t0.addDays(30))
                        .value();
        } else if (scenario == u"out-of-range") {
            crypto::CertificateTemplate t;
            t.role = crypto::CertificateRole::Device;
            const QString foreign = identity::Eid::fromPayload(u"890440990000000000000000000001").value().toString();
            t.subject = { {}, QStringLiteral("Meterworks"), {}, {}, foreign };
            Device rogue { foreign, crypto::EcPrivateKey::generate(), {} };
            t.subjectKey = rogue.key.publicKey();
            t.notBefore = validity.notBefore;
            t.notAfter = validity.notAfter;
            rogue.cert = crypto::issueCertificate(t, m_eum.certificate, m_eum.key).value();
            expectedEid = foreign;
            evidence = token(claimsFor(rogue, nonce), rogue, rogue);
            lookup = nonces(nonce, foreign);
        } else if (scenario == u"measurement") {
            claims.measurements[1].digest = QByteArray(32, '\0');
        } else if (scenario == u"debug") {
            claims.debug = DebugStatus::Enabled;
        } else if (scenario == u"tamper") {
            claims.tampered = true;
        } else if (scenario == u"unknown-software") {
            claims.swversion = QStringLiteral("9.9.9");
        } else if (scenario == u"retired-software") {
            claims.swversion = QStringLiteral("3.0.0");
            claims.measurements = simulation::SimulatedDevice::firmwareMeasurements(QStringLiteral("MeterOne M2"),
                                                                               QStringLiteral("3.0.0"));
        } else if (scenario == u"clock") {
            claims.issuedAt = t0.addSecs(7200);
        } else if (scenario == u"no-crl") {
            withCrl = false;
        } else if (scenario == u"truncated") {
            evidence = token(claims, m_a, m_a);
            evidence.chop(40);
        } else if (scenario == u"garbage") {
            evidence = QByteArray("\xff\xfe not cbor at all", 18);
        } else if (scenario == u"empty") {
            evidence = QByteArray("", 0);
            evidence.clear();
            evidence.append('\0');
            evidence.clear();
        } else if (scenario == u"es384") {
            QCborMap header;
            header.insert(1, -35);
            header.insert(33, QCborArray { m_a.cert.toDer(), m_eum.certificate.toDer() });
            const QByteArray protectedBytes = header.toCborValue().toCbor();
            const QByteArray payload = encodeClaims(claims);
            const QByteArray sig = crypto::ecdsaSign(m_a.key, signatureInput(protectedBytes, payload),
                                                     crypto::SignatureFormat::Raw)
                                       .value();
            evidence = QCborValue(QCborTag(18), QCborArray { protectedBytes, QCborMap(), payload, sig }).toCbor();
        } else if (scenario == u"huge-length") {
            // A byte string claiming 2^62 bytes inside a COSE array.
            evidence = QByteArray::fromHex("d28443a10126a05b4000000000000000");
        } else if (scenario == u"deep") {
            evidence = QByteArray(10000, '\x81') + QByteArray(1, '\x00');
        } else if (scenario == u"oversized") {
            claims.swname = QString(20000, u'x');
        }
        if (evidence.isNull() && scenario != u"empty")
            evidence = token(claims, m_a, m_a);

        const AttestationVerdict v = verifier(withCrl).verify(expectedEid, evidence, lookup, now);
        QVERIFY2(v.reasonCode == reason, qPrintable(v.reasonCode + QStringLiteral(": ") + v.message));
        QCOMPARE(tierName(v.tier), tier);
        QVERIFY(!v.message.isEmpty());
        if (scenario == u"revoked")
            m_crl = crypto::RevocationList::issue(m_eum.certificate, m_eum.key, {}, t0.addDays(-1), t0.addDays(30)).value();
    }

    // A nonce's 24 random bytes make it unguessable; its prefix (issue time, then a counter) makes
    // later nonces sort after earlier ones, so the store's nonce index grows at its end.
    void noncesAreUnguessableAndInIssueOrder()
    {
        const QDateTime t0 = QDateTime::fromString(QStringLiteral("2026-03-01T10:00:00.000Z"), Qt::ISODateWithMs);
        QSet<QByteArray> randomParts;
        QByteArray highestBefore;
        for (int ms = 0; ms < 30; ++ms) {
            const QDateTime at = t0.addMSecs(ms);
            QByteArray lowest, highest;
            for (int i = 0; i < 100; ++i) {
                const QByteArray n = AttestationService::issueNonce(at);
                QCOMPARE(n.size(), 32);
                quint64 prefix = 0;
                for (int b = 0; b < 6; ++b)
                    prefix = prefix << 8 | quint8(n.at(b));
                QCOMPARE(qint64(prefix), at.toMSecsSinceEpoch());
                randomParts.insert(n.mid(8));
                if (lowest.isEmpty() || n < lowest)
                    lowest = n;
                if (n > highest)
                    highest = n;
            }
            QVERIFY2(lowest > highestBefore, "a nonce issued later sorts before one issued earlier");
            highestBefore = highest;
        }
        QCOMPARE(randomParts.size(), 3000);
    }

    // A demo fleet through the whole service: every fault kind gets its verdict, everything is stored.
    void demoFleetEndToEnd()
    {
        QTemporaryDir dir;
        ManualClock clock(QDateTime::currentDateTimeUtc());
        const QString path = dir.filePath(QStringLiteral("demo.simfleet"));
        auto ws = simulation::DemoWorkspace::create(path, &clock, { 700, 0, 0 });
        QVERIFY2(ws.ok(), qPrintable(ws.errorMessage()));
        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path), &clock);
        QVERIFY2(field.ok(), qPrintable(field.errorMessage()));
        field.value()->setTiming({ std::chrono::milliseconds(50), 7200 });
        AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(1500);
        options.chunk = 128;
        AttestationService service(*ws.value(), *field.value(), options);
        const auto fleetId = store::FleetRepository(ws.value()->database())
                                 .findByName(QStringLiteral("Rheinau smart meters"))
                                 .value()
                                 .first()
                                 .id;
        const auto devices = store::DeviceRepository(ws.value()->database()).idsInFleet(fleetId).value();
        QCOMPARE(devices.size(), 700);
        qsizetype lastProgress = 0;
        const auto outcomes = service.attest(testing::ownerOf(*ws.value()), devices,
                                             [&](qsizetype done, qsizetype) { lastProgress = done; });
        QVERIFY2(outcomes.ok(), qPrintable(outcomes.errorMessage()));
        QCOMPARE(lastProgress, 700);

        QHash<simulation::Fault, QSet<QString>> reasonsByFault;
        for (const DeviceAttestation &o : outcomes.value()) {
            const simulation::Fault fault = field.value()->faultOf(o.eid);
            reasonsByFault[fault].insert(o.verdict.reasonCode);
            if (o.verdict.tier == TrustTier::Affirming)
                QCOMPARE(fault == simulation::Fault::None || fault == simulation::Fault::Slow
                             || fault == simulation::Fault::CrashesMidDownload || fault == simulation::Fault::RejectsEnable
                             || fault == simulation::Fault::NoCoverage,
                         true);
        }
        QCOMPARE(reasonsByFault.value(simulation::Fault::Offline), QSet<QString> { QStringLiteral("no-answer") });
        QCOMPARE(reasonsByFault.value(simulation::Fault::Slow), QSet<QString> { QStringLiteral("affirmed") });
        QCOMPARE(reasonsByFault.value(simulation::Fault::TamperedFirmware), QSet<QString> { QStringLiteral("measurement-mismatch") });
        QCOMPARE(reasonsByFault.value(simulation::Fault::DebugEnabled), QSet<QString> { QStringLiteral("debug-enabled") });
        QCOMPARE(reasonsByFault.value(simulation::Fault::Revoked), QSet<QString> { QStringLiteral("revoked") });
        QCOMPARE(reasonsByFault.value(simulation::Fault::ClockSkew), QSet<QString> { QStringLiteral("clock-skew") });
        QVERIFY(reasonsByFault.value(simulation::Fault::None).contains(QStringLiteral("affirmed")));
        QVERIFY(reasonsByFault.value(simulation::Fault::None).contains(QStringLiteral("no-reference-values")));

        // Stored: one verdict per device, its evidence, and every answered nonce spent.
        QSqlQuery q(ws.value()->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*), count(evidence) FROM attestation_result")) && q.next());
        QCOMPARE(q.value(0).toInt(), 700);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM attestation_nonce WHERE used_at IS NULL")) && q.next());
        int offline = 0;
        for (const DeviceAttestation &o : outcomes.value())
            offline += o.verdict.reasonCode == u"no-answer" ? 1 : 0;
        QCOMPARE(q.value(0).toInt(), offline);
        const auto latest = store::AttestationRepository(ws.value()->database()).latest(devices.first().first);
        QVERIFY(latest.ok() && latest.value().has_value());
        QCOMPARE(latest.value()->verdict, tierName(outcomes->first().verdict.tier));

        // A stored token re-verifies later; its nonce is spent, so it cannot be replayed.
        const auto verifier = service.loadVerifier().value();
        const DeviceAttestation &healthy = *std::find_if(outcomes->cbegin(), outcomes->cend(), [](const auto &o) {
            return o.verdict.tier == TrustTier::Affirming;
        });
        const auto replay = verifier.verify(healthy.eid, healthy.evidence,
                                            [&](const QByteArray &n) -> std::optional<IssuedNonce> {
                                                auto r = store::AttestationRepository(ws.value()->database()).findNonce(n);
                                                if (!r.ok() || !r.value())
                                                    return std::nullopt;
                                                return IssuedNonce { n, healthy.eid, r.value()->issuedAt,
                                                                     r.value()->expiresAt, r.value()->usedAt.has_value() };
                                            },
                                            clock.now());
        QCOMPARE(replay.reasonCode, QStringLiteral("nonce-replayed"));
    }
};

QTEST_GUILESS_MAIN(TestAttestation)
#include "tst_attestation.moc"
