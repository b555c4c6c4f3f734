#include "crypto/aes.h"
#include "crypto/kdf.h"
#include "crypto/scramverifier.h"
#include "crypto/sha256.h"

#include <QTest>

using namespace simfleet::crypto;

namespace {
QByteArray hex(const char *h)
{
    return QByteArray::fromHex(h);
}
SecretBytes secret(const char *h)
{
    return SecretBytes(QByteArray::fromHex(h));
}
QByteArray flipBit(QByteArray b, qsizetype byte, int bit = 0)
{
    b[byte] = char(b[byte] ^ (1 << bit));
    return b;
}
} // namespace

class TestSymmetric : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // RFC 4231 test case 2, and the SCRAM-SHA-256 exchange of RFC 7677 section 3: the server's
    // signature computed from the ServerKey simfleet derives must be the one the RFC shows.
    void scramSha256Vectors()
    {
        QCOMPARE(hmacSha256("Jefe", "what do ya want for nothing?").value().toHex(),
                 QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
        const QByteArray salt = QByteArray::fromBase64("W22ZaJ0SNY7soEsUEjb6gQ==");
        const auto keys = scramSha256Keys("pencil", salt, 4096);
        QVERIFY2(keys, qPrintable(keys.errorMessage()));
        const QByteArray authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
                                       "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                                       "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        QCOMPARE(hmacSha256(keys->serverKey, authMessage).value().toBase64(),
                 QByteArray("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
        // The client's proof is ClientKey XOR HMAC(StoredKey, AuthMessage); the server recovers
        // ClientKey from it and checks SHA-256(ClientKey) == StoredKey.
        const QByteArray proof = QByteArray::fromBase64("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        const QByteArray clientSignature = hmacSha256(keys->storedKey, authMessage).value();
        QByteArray clientKey(32, '\0');
        for (int i = 0; i < 32; ++i)
            clientKey[i] = char(proof[i] ^ clientSignature[i]);
        QCOMPARE(sha256(clientKey), keys->storedKey);
        const auto verifier = postgresScramVerifier("pencil");
        QVERIFY(verifier);
        QVERIFY(verifier->startsWith(QStringLiteral("SCRAM-SHA-256$4096:")));
        QVERIFY(!verifier->contains(QStringLiteral("pencil")));
        QVERIFY(!scramSha256Keys("pencil", salt, 100));
    }

    void sha256Vectors()
    {
        QCOMPARE(sha256("abc").toHex(), QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256(QByteArrayView()).toHex(),
                 QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        Sha256 incremental;
        incremental.add("a").add("bc");
        QCOMPARE(incremental.finish(), sha256("abc"));
    }

    // NIST SP 800-38A appendix F.2.1 (AES-128) and F.2.5 (AES-256), CBC, first two blocks.
    void aesCbcVectors_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("plaintext");
        QTest::addColumn<QByteArray>("ciphertext");
        const QByteArray pt = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        QTest::newRow("F.2.1 AES-128") << hex("2b7e151628aed2a6abf7158809cf4f3c") << pt
                                       << hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2");
        QTest::newRow("F.2.5 AES-256") << hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
                                       << pt
                                       << hex("f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d");
    }

    void aesCbcVectors()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, plaintext);
        QFETCH(QByteArray, ciphertext);
        const QByteArray iv = hex("000102030405060708090a0b0c0d0e0f");
        const auto enc = aesCbcEncrypt(key, iv, plaintext);
        QVERIFY2(enc.ok(), qPrintable(enc.errorMessage()));
        QCOMPARE(enc.value().toHex(), ciphertext.toHex());
        const auto dec = aesCbcDecrypt(key, iv, ciphertext);
        QVERIFY(dec.ok());
        QCOMPARE(dec.value(), plaintext);
    }

    void aesCbcBadInput_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("iv");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("error");
        const QByteArray k16(16, 'k');
        const QByteArray iv(16, 'i');
        QTest::newRow("15-byte key") << QByteArray(15, 'k') << iv << QByteArray(16, 'd')
                                     << "AES key must be 16 or 32 bytes, got 15";
        QTest::newRow("24-byte key") << QByteArray(24, 'k') << iv << QByteArray(16, 'd')
                                     << "AES key must be 16 or 32 bytes, got 24";
        QTest::newRow("empty key") << QByteArray() << iv << QByteArray(16, 'd') << "AES key must be 16 or 32 bytes, got 0";
        QTest::newRow("short IV") << k16 << QByteArray(8, 'i') << QByteArray(16, 'd') << "AES-CBC IV must be 16 bytes, got 8";
        QTest::newRow("partial block") << k16 << iv << QByteArray(17, 'd')
                                       << "AES-CBC input must be a whole number of 16-byte blocks, got 17 bytes";
    }

    void aesCbcBadInput()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, iv);
        QFETCH(QByteArray, data);
        QFETCH(QString, error);
        QCOMPARE(aesCbcEncrypt(key, iv, data).errorMessage(), error);
        QCOMPARE(aesCbcDecrypt(key, iv, data).errorMessage(), error);
    }

    // RFC 4493 section 4, examples 1 to 4.
    void cmacVectors_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("tag");
        const QByteArray m = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                                 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        QTest::newRow("empty") << QByteArray() << hex("bb1d6929e95937287fa37d129b756746");
        QTest::newRow("16 bytes") << m.first(16) << hex("070a16b46b4d4144f79bdd9dd04a287c");
        QTest::newRow("40 bytes") << m.first(40) << hex("dfa66747de9ae63030ca32611497c827");
        QTest::newRow("64 bytes") << m << hex("51f0bebf7e3b9d92fc49741779363cfe");
    }

    void cmacVectors()
    {
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, tag);
        const QByteArray key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        const auto mac = aesCmac(key, message);
        QVERIFY2(mac.ok(), qPrintable(mac.errorMessage()));
        QCOMPARE(mac.value().toHex(), tag.toHex());
        if (!message.isEmpty())
            QVERIFY(aesCmac(key, flipBit(message, message.size() - 1)).value() != tag);
    }

    void cmacVerify()
    {
        const QByteArray key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        const QByteArray message = hex("6bc1bee22e409f96e93d7e117393172a");
        const QByteArray tag = hex("070a16b46b4d4144f79bdd9dd04a287c");
        QVERIFY(aesCmacVerify(key, message, tag).ok());
        QVERIFY(aesCmacVerify(key, message, tag.first(8)).ok()); // SGP.22 segment MACs are 8 bytes
        const QString mismatch = QStringLiteral("MAC does not match: the data or its MAC was changed");
        for (qsizetype byte = 0; byte < 8; ++byte) {
            for (int bit = 0; bit < 8; ++bit)
                QCOMPARE(aesCmacVerify(key, message, flipBit(tag.first(8), byte, bit)).errorMessage(), mismatch);
        }
        QCOMPARE(aesCmacVerify(key, flipBit(message, 0), tag).errorMessage(), mismatch);
        QCOMPARE(aesCmacVerify(flipBit(key, 15), message, tag).errorMessage(), mismatch);
        QCOMPARE(aesCmacVerify(key, message, tag.first(4)).errorMessage(),
                 QStringLiteral("a CMAC to check must be 8 to 16 bytes, got 4"));
        QCOMPARE(aesCmacVerify(key, message, QByteArray()).errorMessage(),
                 QStringLiteral("a CMAC to check must be 8 to 16 bytes, got 0"));
    }

    void cmacBadKey()
    {
        QCOMPARE(aesCmac(QByteArray(8, 'k'), "data").errorMessage(),
                 QStringLiteral("AES-CMAC key must be 16 or 32 bytes, got 8"));
    }

    void gcmRoundTripAndTampering()
    {
        const QByteArray key(32, '\x42');
        const QByteArray aad("profile:17:ki");
        const QByteArray plaintext = hex("465b5ce8b199b49faa5f0a2ee238a6bc");
        const auto sealed = aesGcmSeal(key, plaintext, aad);
        QVERIFY(sealed.ok());
        QCOMPARE(sealed->size(), 12 + plaintext.size() + 16);
        QVERIFY(!sealed->contains(plaintext));
        const auto opened = aesGcmOpen(key, sealed.value(), aad);
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        QCOMPARE(opened->view(), QByteArrayView(plaintext));

        // Two seals of the same value differ (fresh nonce each time).
        QVERIFY(aesGcmSeal(key, plaintext, aad).value() != sealed.value());

        const QString refused = QStringLiteral(
            "sealed value does not open: wrong key, or the value or its associated data was changed");
        for (qsizetype i = 0; i < sealed->size(); ++i)
            QCOMPARE(aesGcmOpen(key, flipBit(sealed.value(), i, int(i % 8)), aad).errorMessage(), refused);
        QCOMPARE(aesGcmOpen(key, sealed.value(), "profile:18:ki").errorMessage(), refused);
        QCOMPARE(aesGcmOpen(QByteArray(32, '\x43'), sealed.value(), aad).errorMessage(), refused);
        QCOMPARE(aesGcmOpen(key, sealed->first(20), aad).errorMessage(),
                 QStringLiteral("sealed value is truncated: 20 bytes, at least 28 expected"));
        QCOMPARE(aesGcmOpen(QByteArray(16, 'k'), sealed.value(), aad).errorMessage(),
                 QStringLiteral("AES-256-GCM key must be 32 bytes, got 16"));
        QCOMPARE(aesGcmSeal(QByteArray(31, 'k'), plaintext, aad).errorMessage(),
                 QStringLiteral("AES-256-GCM key must be 32 bytes, got 31"));
    }

    void gcmEmptyPlaintext()
    {
        const QByteArray key(32, '\x01');
        const auto sealed = aesGcmSeal(key, QByteArrayView(), "aad");
        QVERIFY(sealed.ok());
        const auto opened = aesGcmOpen(key, sealed.value(), "aad");
        QVERIFY(opened.ok());
        QVERIFY(opened->isEmpty());
        QVERIFY(!aesGcmOpen(key, sealed.value(), "other").ok());
    }

    // NIST CAVS X9.63 KDF with SHA-256 (as in OpenSSL's evpkdf_x963 tests).
    void x963Vectors_data()
    {
        QTest::addColumn<QByteArray>("z");
        QTest::addColumn<QByteArray>("sharedInfo");
        QTest::addColumn<QByteArray>("output");
        QTest::newRow("no shared info") << hex("96c05619d56c328ab95fe84b18264b08725b85e33fd34f08") << QByteArray()
                                        << hex("443024c3dae66b95e6f5670601558f71");
        QTest::newRow("shared info, 1024 bits")
            << hex("22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d") << hex("75eef81aa3041e33b80971203d2c0c52")
            << hex("c498af77161cc59f2962b9a713e2b215152d139766ce34a776df11866a69bf2e52a13d9c7c6fc878c50c5ea0bc7b00e0"
                   "da2447cfd874f6cf92f30d0097111485500c90c3af8b487872d04685d14c8d1dc8d7fa08beb0ce0ababc11f0bd4962"
                   "69142d43525a78e5bc79a17f59676a5706dc54d54d4d1f0bd7e386128ec26afc21");
    }

    void x963Vectors()
    {
        QFETCH(QByteArray, z);
        QFETCH(QByteArray, sharedInfo);
        QFETCH(QByteArray, output);
        const auto derived = x963Kdf(SecretBytes(z), sharedInfo, std::size_t(output.size()));
        QVERIFY2(derived.ok(), qPrintable(derived.errorMessage()));
        QCOMPARE(QByteArray(derived->view().toByteArray()).toHex(), output.toHex());
    }

    void x963BadInput()
    {
        QCOMPARE(x963Kdf(SecretBytes(), "info", 16).errorMessage(), QStringLiteral("X9.63 KDF needs a shared secret"));
        QCOMPARE(x963Kdf(secret("00"), "info", 0).errorMessage(),
                 QStringLiteral("X9.63 KDF output length must be positive"));
    }

    // RFC 7914 section 12, the third vector (N = 16384 would be slow in a unit test).
    void scryptVector()
    {
        const auto derived = scrypt("password", "NaCl", 64, ScryptParameters { 1024, 8, 16 });
        QVERIFY2(derived.ok(), qPrintable(derived.errorMessage()));
        QCOMPARE(derived->view().toByteArray().toHex(),
                 QByteArray("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                            "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"));
    }

    void scryptBadInput()
    {
        QCOMPARE(scrypt("pw", QByteArrayView(), 32).errorMessage(), QStringLiteral("scrypt needs a salt"));
        QCOMPARE(scrypt("pw", "salt", 32, ScryptParameters { 1000, 8, 1 }).errorMessage(),
                 QStringLiteral("scrypt N must be a power of two above 1"));
        QCOMPARE(scrypt("pw", "salt", 0).errorMessage(), QStringLiteral("scrypt output length must be positive"));
    }
};

QTEST_GUILESS_MAIN(TestSymmetric)
#include "tst_symmetric.moc"
