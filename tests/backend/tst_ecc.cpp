#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/eckey.h"

#include <QTest>

using namespace simfleet::crypto;

namespace {
QByteArray hex(const char *h)
{
    return QByteArray::fromHex(h);
}

// RFC 6979 appendix A.2.5: the P-256 key and its SHA-256 signature over "sample".
const char rfc6979Private[] = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
const char rfc6979Public[] = "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
                             "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";
const char rfc6979Signature[] = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
                                "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
const char p256Order[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
} // namespace

class TestEcc : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void publicKeyFromScalar()
    {
        const auto key = EcPrivateKey::fromScalar(SecretBytes(hex(rfc6979Private)));
        QVERIFY2(key.ok(), qPrintable(key.errorMessage()));
        QCOMPARE(key->publicKey().uncompressedPoint().toHex(), QByteArray(rfc6979Public));
    }

    void badScalars_data()
    {
        QTest::addColumn<QByteArray>("scalar");
        QTest::addColumn<QString>("error");
        QTest::newRow("zero") << QByteArray(32, '\0') << "P-256 private scalar must lie between 1 and the group order";
        QTest::newRow("order") << hex(p256Order) << "P-256 private scalar must lie between 1 and the group order";
        QTest::newRow("all ones") << QByteArray(32, '\xff')
                                  << "P-256 private scalar must lie between 1 and the group order";
        QTest::newRow("31 bytes") << QByteArray(31, '\x01') << "P-256 private scalar must be 32 bytes, got 31";
    }

    void badScalars()
    {
        QFETCH(QByteArray, scalar);
        QFETCH(QString, error);
        QCOMPARE(EcPrivateKey::fromScalar(SecretBytes(scalar)).errorMessage(), error);
    }

    void knownSignatureVerifies()
    {
        const auto pub = EcPublicKey::fromUncompressedPoint(hex(rfc6979Public));
        QVERIFY2(pub.ok(), qPrintable(pub.errorMessage()));
        const auto ok = ecdsaVerify(pub.value(), "sample", hex(rfc6979Signature), SignatureFormat::Raw);
        QVERIFY2(ok.ok(), qPrintable(ok.errorMessage()));
        const auto der = ecdsaRawToDer(hex(rfc6979Signature));
        QVERIFY(der.ok());
        QVERIFY(ecdsaVerify(pub.value(), "sample", der.value(), SignatureFormat::Der).ok());
        QCOMPARE(ecdsaVerify(pub.value(), "samplf", hex(rfc6979Signature), SignatureFormat::Raw).errorMessage(),
                 QStringLiteral("signature does not match"));
    }

    void signVerifyRoundTrip_data()
    {
        QTest::addColumn<SignatureFormat>("format");
        QTest::newRow("DER") << SignatureFormat::Der;
        QTest::newRow("raw r||s") << SignatureFormat::Raw;
    }

    void signVerifyRoundTrip()
    {
        QFETCH(SignatureFormat, format);
        const EcPrivateKey key = EcPrivateKey::generate();
        const QByteArray message = "challenge from the profile server";
        const auto signature = ecdsaSign(key, message, format);
        QVERIFY(signature.ok());
        if (format == SignatureFormat::Raw)
            QCOMPARE(signature->size(), 64);
        QVERIFY(ecdsaVerify(key.publicKey(), message, signature.value(), format).ok());

        // Any one-bit change in message or signature is caught.
        QByteArray changedMessage = message;
        changedMessage[3] = char(changedMessage[3] ^ 1);
        QCOMPARE(ecdsaVerify(key.publicKey(), changedMessage, signature.value(), format).errorMessage(),
                 QStringLiteral("signature does not match"));
        const qsizetype last = signature->size() - 1;
        QByteArray changed = signature.value();
        changed[last] = char(changed[last] ^ 1);
        QVERIFY(!ecdsaVerify(key.publicKey(), message, changed, format).ok());
        // Another key does not verify it.
        QCOMPARE(ecdsaVerify(EcPrivateKey::generate().publicKey(), message, signature.value(), format).errorMessage(),
                 QStringLiteral("signature does not match"));
    }

    void malformedSignatures_data()
    {
        QTest::addColumn<QByteArray>("signature");
        QTest::addColumn<SignatureFormat>("format");
        QTest::addColumn<QString>("error");
        const QByteArray good = hex(rfc6979Signature);
        QTest::newRow("r zero") << QByteArray(QByteArray(32, '\0') + good.sliced(32)) << SignatureFormat::Raw
                                << "signature is malformed: r is zero or negative";
        QTest::newRow("s zero") << QByteArray(good.first(32) + QByteArray(32, '\0')) << SignatureFormat::Raw
                                << "signature is malformed: s is zero or negative";
        QTest::newRow("r = order") << QByteArray(hex(p256Order) + good.sliced(32)) << SignatureFormat::Raw
                                   << "signature is malformed: r is not below the P-256 group order";
        QTest::newRow("s above order") << QByteArray(good.first(32) + QByteArray(32, '\xff')) << SignatureFormat::Raw
                                       << "signature is malformed: s is not below the P-256 group order";
        QTest::newRow("63 bytes") << good.first(63) << SignatureFormat::Raw
                                  << "signature is malformed: r || s must be 64 bytes, got 63";
        QTest::newRow("empty raw") << QByteArray() << SignatureFormat::Raw
                                   << "signature is malformed: r || s must be 64 bytes, got 0";
        const QByteArray der = ecdsaRawToDer(good).value();
        QTest::newRow("truncated DER") << der.first(der.size() - 1) << SignatureFormat::Der
                                       << "signature is malformed: not a DER ECDSA-Sig-Value";
        QTest::newRow("DER trailing byte") << QByteArray(der + '\0') << SignatureFormat::Der
                                           << "signature is malformed: trailing bytes after the DER value";
        QTest::newRow("raw given as DER") << good << SignatureFormat::Der
                                          << "signature is malformed: not a DER ECDSA-Sig-Value";
        // SEQUENCE { INTEGER 0, INTEGER 1 }
        QTest::newRow("DER r zero") << hex("3006020100020101") << SignatureFormat::Der
                                    << "signature is malformed: r is zero or negative";
        // SEQUENCE { INTEGER 1, INTEGER -1 }: OpenSSL refuses negative INTEGERs while decoding.
        QTest::newRow("DER s negative") << hex("30060201010201ff") << SignatureFormat::Der
                                        << "signature is malformed: not a DER ECDSA-Sig-Value";
        // Non-minimal INTEGER encoding of r = 1 (leading zero byte).
        QTest::newRow("DER non-canonical") << hex("300702020001020101") << SignatureFormat::Der
                                           << "signature is malformed: not a DER ECDSA-Sig-Value";
    }

    void malformedSignatures()
    {
        QFETCH(QByteArray, signature);
        QFETCH(SignatureFormat, format);
        QFETCH(QString, error);
        const auto pub = EcPublicKey::fromUncompressedPoint(hex(rfc6979Public)).value();
        QCOMPARE(ecdsaVerify(pub, "sample", signature, format).errorMessage(), error);
    }

    void badPoints_data()
    {
        QTest::addColumn<QByteArray>("point");
        QTest::addColumn<QString>("error");
        const QByteArray good = hex(rfc6979Public);
        QByteArray offCurve = good;
        offCurve[64] = char(offCurve[64] ^ 1);
        QTest::newRow("off the curve") << offCurve << "public key point is not on the P-256 curve";
        QTest::newRow("zeros (no infinity encoding)") << QByteArray(QByteArray(1, '\x04') + QByteArray(64, '\0'))
                                                      << "public key point is not on the P-256 curve";
        QTest::newRow("infinity, 1 byte") << QByteArray(1, '\0')
                                          << "P-256 public key must be 65 bytes (04 || X || Y), got 1";
        QTest::newRow("compressed") << QByteArray(QByteArray(1, '\x02') + good.sliced(1, 32))
                                    << "P-256 public key must be 65 bytes (04 || X || Y), got 33";
        QByteArray hybrid = good;
        hybrid[0] = '\x06';
        QTest::newRow("hybrid prefix") << hybrid << "P-256 public key must be in uncompressed form (first byte 04)";
        QTest::newRow("truncated") << good.first(64) << "P-256 public key must be 65 bytes (04 || X || Y), got 64";
        QTest::newRow("empty") << QByteArray() << "P-256 public key must be 65 bytes (04 || X || Y), got 0";
        QByteArray xTooLarge = good;
        xTooLarge.replace(1, 32, QByteArray(32, '\xff'));
        QTest::newRow("x beyond the field") << xTooLarge << "public key point is not on the P-256 curve";
    }

    void badPoints()
    {
        QFETCH(QByteArray, point);
        QFETCH(QString, error);
        QCOMPARE(EcPublicKey::fromUncompressedPoint(point).errorMessage(), error);
    }

    // NIST CAVS ECC CDH primitive test, P-256, COUNT = 0.
    void ecdhKnownAnswer()
    {
        const auto own = EcPrivateKey::fromScalar(
            SecretBytes(hex("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534")));
        QVERIFY(own.ok());
        const auto peer = EcPublicKey::fromUncompressedPoint(
            hex("04700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287"
                "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac"));
        QVERIFY2(peer.ok(), qPrintable(peer.errorMessage()));
        const auto z = ecdh(own.value(), peer.value());
        QVERIFY2(z.ok(), qPrintable(z.errorMessage()));
        QCOMPARE(z->view().toByteArray().toHex(),
                 QByteArray("46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"));
    }

    void ecdhBothSidesAgree()
    {
        const EcPrivateKey device = EcPrivateKey::generate();
        const EcPrivateKey server = EcPrivateKey::generate();
        const auto a = ecdh(device, server.publicKey());
        const auto b = ecdh(server, device.publicKey());
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->size(), std::size_t(32));
        QVERIFY(a.value() == b.value());
        QCOMPARE(ecdh(EcPrivateKey(), server.publicKey()).errorMessage(),
                 QStringLiteral("ECDH needs both an own private key and a peer public key"));
    }

    void encodings()
    {
        const EcPrivateKey key = EcPrivateKey::generate();
        const auto fromPkcs8 = EcPrivateKey::fromPkcs8(key.toPkcs8());
        QVERIFY2(fromPkcs8.ok(), qPrintable(fromPkcs8.errorMessage()));
        QVERIFY(fromPkcs8->publicKey() == key.publicKey());
        const SecretBytes pem = key.toPem();
        QVERIFY(pem.view().startsWith("-----BEGIN PRIVATE KEY-----"));
        QVERIFY(EcPrivateKey::fromPem(pem.view()).value().publicKey() == key.publicKey());

        const QByteArray spki = key.publicKey().subjectPublicKeyInfo();
        QVERIFY(EcPublicKey::fromSubjectPublicKeyInfo(spki).value() == key.publicKey());
        QVERIFY(!EcPublicKey::fromSubjectPublicKeyInfo(spki.first(spki.size() - 3)).ok());
        QCOMPARE(EcPrivateKey::fromPkcs8(SecretBytes(QByteArrayView("not a key"))).errorMessage(),
                 QStringLiteral("not a DER PKCS#8 private key"));
        QVERIFY(!EcPrivateKey::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
    }

    void otherCurvesRefused()
    {
        // A P-384 SubjectPublicKeyInfo must not pass as a P-256 key.
        const QByteArray p384 = QByteArray::fromBase64(
            "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEmXcfrlk5HQCATokEf8IhFSCG1RTRI55xG5MtNIvdDHspAp3Cudd+sAduY+5lwTG0"
            "RjVX10Q9PwmnleKW19UKcy1MsPoH+VHbtmUcmgEfRA1ozT6Ej0AQCbG9PHbyEOYO");
        QCOMPARE(EcPublicKey::fromSubjectPublicKeyInfo(p384).errorMessage(),
                 QStringLiteral("public key is not on the P-256 curve"));
        QVERIFY(!EcPublicKey::fromSubjectPublicKeyInfo(p384).ok());
    }
};

QTEST_GUILESS_MAIN(TestEcc)
#include "tst_ecc.moc"
