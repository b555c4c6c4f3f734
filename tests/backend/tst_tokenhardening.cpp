// Issue 17, Low: attestation tokens that read two ways, and reference values any manufacturer's
// device could claim. Each test is the attack: a token correctly signed by a genuine device key,
// wrong only in the way the test names, which this verifier once affirmed.

#include "attestation/attestationverifier.h"
#include "crypto/demopki.h"
#include "crypto/ecdsa.h"
#include "identity/eid.h"
#include "protocol/entityattestationtoken.h"
#include "simulation/simulateddevice.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamWriter>
#include <QCborValue>
#include <QTest>

using namespace simfleet;
using namespace simfleet::attestation;
using namespace simfleet::protocol;

namespace {

const QDateTime t0(QDate(2026, 11, 1), QTime(12, 0), Qt::UTC);
const crypto::Validity validity { t0.addDays(-1), t0.addYears(5) };
const QByteArray nonce(32, '\x5a');

using Entries = QList<std::pair<QCborValue, QCborValue>>;

// A CBOR map written entry by entry, as an attacker writes it: keys may repeat.
QByteArray mapBytes(const Entries &entries)
{
    QByteArray out;
    QCborStreamWriter w(&out);
    w.startMap(quint64(entries.size()));
    for (const auto &[key, value] : entries) {
        key.toCbor(w);
        value.toCbor(w);
    }
    w.endMap();
    return out;
}

QCborValue decoded(const QByteArray &cbor)
{
    return QCborValue::fromCbor(cbor);
}

Entries entriesOf(const QCborMap &m)
{
    Entries out;
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        out.append({ it.key(), it.value() });
    return out;
}

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

class TestTokenHardening : public QObject
{
    Q_OBJECT

    crypto::CertifiedKey m_ci;
    crypto::CertifiedKey m_meterworks;
    crypto::CertifiedKey m_copycat; // another manufacturer under the same issuer
    Device m_meter;
    Device m_fake;

    Device makeDevice(const char *payload, const crypto::CertifiedKey &eum)
    {
        Device d;
        d.eid = identity::Eid::fromPayload(QString::fromLatin1(payload)).value().toString();
        d.key = crypto::EcPrivateKey::generate();
        d.cert = crypto::demopki::certifyDevice(eum, identity::Eid::parse(d.eid).value(), d.key.publicKey(), validity).value();
        return d;
    }

    EatClaims claimsFor(const Device &d) const
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

    // COSE_Sign1 over payload with the protected header given, signed by the device's own key.
    static QByteArray sign(const Device &d, const crypto::CertifiedKey &eum, const QByteArray &payload,
                           std::optional<QByteArray> protectedBytes = std::nullopt, const QByteArray &unprotected = QByteArray())
    {
        const QCborArray chain { d.cert.toDer(), eum.certificate.toDer() };
        const QByteArray header = protectedBytes.value_or(
            mapBytes({ { QCborValue(eat::coseAlg), QCborValue(eat::es256) }, { QCborValue(eat::coseX5chain), QCborValue(chain) } }));
        const QByteArray signature
            = crypto::ecdsaSign(d.key, signatureInput(header, payload), crypto::SignatureFormat::Raw).value();
        // Tag 18, an array of four (RFC 9052 section 4.2), written byte by byte so the unprotected
        // map goes out exactly as given.
        QByteArray out("\xd2\x84", 2);
        out += QCborValue(header).toCbor();
        out += unprotected.isEmpty() ? QByteArray("\xa0", 1) : unprotected;
        out += QCborValue(payload).toCbor();
        out += QCborValue(signature).toCbor();
        return out;
    }

    AttestationVerifier verifier(std::optional<qint64> oemid = std::nullopt) const
    {
        AttestationVerifier v;
        v.addTrustAnchor(m_ci.certificate);
        v.addManufacturer(m_meterworks.certificate);
        v.addManufacturer(m_copycat.certificate);
        for (const crypto::CertifiedKey *eum : { &m_meterworks, &m_copycat })
            v.addRevocationList(crypto::RevocationList::issue(eum->certificate, eum->key, {}, t0.addDays(-1), t0.addDays(30)).value());
        ReferenceValue r { QStringLiteral("Meterworks"), QStringLiteral("MeterOne M2"), QStringLiteral("MeterOS"),
                           QStringLiteral("3.2.1"), goodMeasurements(), {}, oemid };
        v.addReferenceValue(r);
        return v;
    }

    AttestationVerdict verdictOf(const Device &d, const QByteArray &evidence, const AttestationVerifier &v) const
    {
        const QString eid = d.eid;
        return v.verify(eid, evidence,
                        [eid](const QByteArray &presented) -> std::optional<IssuedNonce> {
                            if (presented != nonce)
                                return std::nullopt;
                            return IssuedNonce { nonce, eid, t0, t0.addSecs(300), false };
                        },
                        t0.addSecs(10), t0.addSecs(10));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Test CI"), validity).value();
        m_meterworks = crypto::demopki::createManufacturer(m_ci, QStringLiteral("Meterworks"), QStringLiteral("DE"),
                                                           QStringLiteral("89049032"), validity)
                           .value();
        m_copycat = crypto::demopki::createManufacturer(m_ci, QStringLiteral("Copycat Devices"), QStringLiteral("CN"),
                                                        QStringLiteral("89086099"), validity)
                        .value();
        m_meter = makeDevice("890490320000000000000000000001", m_meterworks);
        m_fake = makeDevice("890860990000000000000000000001", m_copycat);
    }

    // The honest token, built the same way as the attacks below, is affirmed: the attacks differ
    // from it only in the repeated key.
    void honestTokenIsAffirmed()
    {
        const QByteArray payload = mapBytes(entriesOf(decoded(encodeClaims(claimsFor(m_meter))).toMap()));
        const AttestationVerdict v = verdictOf(m_meter, sign(m_meter, m_meterworks, payload), verifier());
        QCOMPARE(v.reasonCode, QStringLiteral("affirmed"));
    }

    void duplicateKeysAreRefused_data()
    {
        QTest::addColumn<QString>("part");
        QTest::newRow("claims: dbgstat disabled, then enabled") << QStringLiteral("claims");
        QTest::newRow("claims: eat_nonce twice") << QStringLiteral("nonce");
        QTest::newRow("measurements: bootloader good, then modified") << QStringLiteral("measurements");
        QTest::newRow("protected header: ES256, then ES384") << QStringLiteral("protected");
        QTest::newRow("unprotected header: kid twice") << QStringLiteral("unprotected");
    }

    // A debug-enabled device (or anyone holding its key) writes each doubtful claim twice: this
    // verifier read the first value, other CBOR tools (an auditor's) the last.
    void duplicateKeysAreRefused()
    {
        QFETCH(QString, part);
        const QCborMap claims = decoded(encodeClaims(claimsFor(m_meter))).toMap();
        Entries entries = entriesOf(claims);
        std::optional<QByteArray> protectedBytes;
        QByteArray unprotected;
        if (part == u"claims") {
            entries.append({ QCborValue(eat::dbgstat), QCborValue(int(DebugStatus::Enabled)) });
        } else if (part == u"nonce") {
            entries.append({ QCborValue(eat::nonce), QCborValue(QByteArray(32, '\x01')) });
        } else if (part == u"measurements") {
            Entries components;
            for (const Measurement &m : goodMeasurements())
                components.append({ QCborValue(m.component), QCborValue(m.digest) });
            components.append({ QCborValue(components.first().first), QCborValue(QByteArray(32, '\x66')) });
            for (auto &[key, value] : entries) {
                if (key == QCborValue(eat::measurements))
                    value = QCborArray { QCborArray { eat::cborContentFormat, mapBytes(components) } };
            }
        } else if (part == u"protected") {
            const QCborArray chain { m_meter.cert.toDer(), m_meterworks.certificate.toDer() };
            protectedBytes = mapBytes({ { QCborValue(eat::coseAlg), QCborValue(eat::es256) },
                                        { QCborValue(eat::coseX5chain), QCborValue(chain) },
                                        { QCborValue(eat::coseAlg), QCborValue(-35) } });
        } else {
            unprotected = mapBytes({ { QCborValue(4), QCborValue(QByteArray("kid")) }, { QCborValue(4), QCborValue(QByteArray("other")) } });
        }
        const QByteArray evidence = sign(m_meter, m_meterworks, mapBytes(entries), protectedBytes, unprotected);
        const AttestationVerdict v = verdictOf(m_meter, evidence, verifier());
        QVERIFY2(v.tier != TrustTier::Affirming, qPrintable(v.message));
        QCOMPARE(v.reasonCode, QStringLiteral("malformed-evidence"));
        QVERIFY2(v.message.contains(QStringLiteral("twice")), qPrintable(v.message));
        // The parsers say so too, for the tools built on them (evidence export, the device pane).
        const auto sign1 = parseCoseSign1(evidence);
        QVERIFY(!sign1 || !decodeClaims(sign1->payload));
    }

    // Reference values for Meterworks' MeterOne M2 vouched for any device naming that model: a
    // copycat manufacturer's device, certified by its own (trusted) EUM and reporting Meterworks'
    // published measurements, was affirmed.
    void referenceValuesBelongToTheCertifyingManufacturer()
    {
        const AttestationVerifier v = verifier();
        const AttestationVerdict genuine = verdictOf(m_meter, sign(m_meter, m_meterworks, encodeClaims(claimsFor(m_meter))), v);
        QCOMPARE(genuine.reasonCode, QStringLiteral("affirmed"));
        const AttestationVerdict copy = verdictOf(m_fake, sign(m_fake, m_copycat, encodeClaims(claimsFor(m_fake))), v);
        QVERIFY2(copy.tier != TrustTier::Affirming, qPrintable(copy.message));
        QCOMPARE(copy.reasonCode, QStringLiteral("no-reference-values"));
        QVERIFY2(copy.message.contains(QStringLiteral("Copycat Devices")), qPrintable(copy.message));
    }

    // With the oemid the manufacturer's devices carry, a device whose token names another OEM is
    // measured against nothing either.
    void referenceValuesBoundToTheOemid()
    {
        const AttestationVerifier v = verifier(64901);
        QCOMPARE(verdictOf(m_meter, sign(m_meter, m_meterworks, encodeClaims(claimsFor(m_meter))), v).reasonCode,
                 QStringLiteral("affirmed"));
        EatClaims other = claimsFor(m_meter);
        other.oemid = 99999;
        const AttestationVerdict wrong = verdictOf(m_meter, sign(m_meter, m_meterworks, encodeClaims(other)), v);
        QCOMPARE(wrong.reasonCode, QStringLiteral("no-reference-values"));
    }

    // Issue 23: where a tracker or car unit says it is (RFC 9711's location claim) counts once
    // its evidence proved its own and fresh, also when it was tampered with; never before.
    void locationIsTakenFromAuthenticEvidenceOnly()
    {
        EatClaims c = claimsFor(m_meter);
        c.location = ReportedLocation { 53.4466, -3.0176, 8.0, {} };
        const QByteArray payload = encodeClaims(c);
        QCOMPARE(decodeClaims(payload).value().location->latitude, 53.4466);
        const AttestationVerdict honest = verdictOf(m_meter, sign(m_meter, m_meterworks, payload), verifier());
        QCOMPARE(honest.reasonCode, QStringLiteral("affirmed"));
        QVERIFY(honest.location);
        QCOMPARE(honest.location->longitude, -3.0176);
        QCOMPARE(honest.location->accuracy, std::optional<double>(8.0));
        QCOMPARE(honest.location->measuredAt, t0); // no fix time: the token's iat

        c.location->measuredAt = t0.addSecs(-60);
        c.tampered = true;
        const AttestationVerdict tampered = verdictOf(m_meter, sign(m_meter, m_meterworks, encodeClaims(c)), verifier());
        QCOMPARE(tampered.reasonCode, QStringLiteral("tamper-detected"));
        QVERIFY(tampered.location);
        QCOMPARE(tampered.location->measuredAt, t0.addSecs(-60));

        QCOMPARE(tampered.certificateNotAfter, m_meter.cert.notAfter());

        // An open debug port: the platform could say it is anywhere; its certificate still ends
        // when it ends.
        c.tampered = false;
        c.debug = DebugStatus::Enabled;
        const AttestationVerdict debug = verdictOf(m_meter, sign(m_meter, m_meterworks, encodeClaims(c)), verifier());
        QCOMPARE(debug.reasonCode, QStringLiteral("debug-enabled"));
        QVERIFY(!debug.location);
        QCOMPARE(debug.certificateNotAfter, m_meter.cert.notAfter());
        c.debug = DebugStatus::DisabledPermanently;

        c.nonce = QByteArray(32, '\x11'); // a challenge this verifier never sent
        const AttestationVerdict stale = verdictOf(m_meter, sign(m_meter, m_meterworks, encodeClaims(c)), verifier());
        QCOMPARE(stale.reasonCode, QStringLiteral("nonce-unknown"));
        QVERIFY(!stale.location);
        QVERIFY(!stale.certificateNotAfter.isValid()); // anyone can replay a genuine certificate

        // Signed by another device's key with this device's chain: no position either.
        c.nonce = nonce;
        Device impostor = m_meter;
        impostor.key = m_fake.key;
        const AttestationVerdict other = verdictOf(m_meter, sign(impostor, m_meterworks, encodeClaims(c)), verifier());
        QCOMPARE(other.reasonCode, QStringLiteral("bad-signature"));
        QVERIFY(!other.location);
        QVERIFY(!other.certificateNotAfter.isValid());
    }

    void locationOffTheGlobeIsRefused_data()
    {
        QTest::addColumn<QByteArray>("location");
        const auto map = [](const Entries &e) { return mapBytes(e); };
        const QCborValue lat(eat::where::latitude), lon(eat::where::longitude);
        QTest::newRow("latitude past the pole") << map({ { lat, 91.0 }, { lon, 0.0 } });
        QTest::newRow("longitude past the antimeridian") << map({ { lat, 0.0 }, { lon, -180.5 } });
        QTest::newRow("latitude as text") << map({ { lat, QStringLiteral("53.4") }, { lon, 0.0 } });
        QTest::newRow("no longitude") << map({ { lat, 53.4 } });
        QTest::newRow("not a number") << map({ { lat, qQNaN() }, { lon, 0.0 } });
        QTest::newRow("infinite") << map({ { lat, 0.0 }, { lon, qInf() } });
        QTest::newRow("negative accuracy") << map({ { lat, 1.0 }, { lon, 1.0 }, { QCborValue(eat::where::accuracy), -5.0 } });
        QTest::newRow("timestamp past year 9999")
            << map({ { lat, 1.0 }, { lon, 1.0 }, { QCborValue(eat::where::timestamp), qint64(253402300800) } });
        QTest::newRow("timestamp before 1970") << map({ { lat, 1.0 }, { lon, 1.0 }, { QCborValue(eat::where::timestamp), -1 } });
        QTest::newRow("timestamp as text")
            << map({ { lat, 1.0 }, { lon, 1.0 }, { QCborValue(eat::where::timestamp), QStringLiteral("yesterday") } });
        QTest::newRow("an array") << QCborValue(QCborArray { 53.4, -3.0 }).toCbor();
        QTest::newRow("latitude twice") << map({ { lat, 53.4 }, { lon, -3.0 }, { lat, 48.1 } });
    }

    void locationOffTheGlobeIsRefused()
    {
        QFETCH(QByteArray, location);
        Entries entries = entriesOf(decoded(encodeClaims(claimsFor(m_meter))).toMap());
        entries.append({ QCborValue(eat::location), decoded(location) });
        // A repeated key inside the claim is only visible in the bytes: splice them in as given.
        QByteArray payload = mapBytes(entries);
        const QByteArray reencoded = decoded(location).toCbor();
        if (reencoded != location) {
            const qsizetype at = payload.lastIndexOf(reencoded);
            QVERIFY(at > 0);
            payload.replace(at, reencoded.size(), location);
        }
        QVERIFY(!decodeClaims(payload));
        const AttestationVerdict v = verdictOf(m_meter, sign(m_meter, m_meterworks, payload), verifier());
        QCOMPARE(v.reasonCode, QStringLiteral("malformed-evidence"));
        QVERIFY(!v.location);
    }
};

QTEST_GUILESS_MAIN(TestTokenHardening)
#include "tst_tokenhardening.moc"
