#include "crypto/constanttime.h"
#include "crypto/random.h"
#include "crypto/secretbytes.h"

#include <QDebug>
#include <QTest>

using simfleet::crypto::SecretBytes;

// A secret must not be printable: streaming it to QDebug must not even compile.
template<typename T>
concept Debuggable = requires(QDebug d, const T &value) { d << value; };
static_assert(!Debuggable<SecretBytes>, "SecretBytes must not be printable through QDebug");
static_assert(Debuggable<QByteArray>, "the concept itself must detect printable types");

class TestSecretBytes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void copiesAreDeep()
    {
        SecretBytes a(QByteArrayView("\x01\x02\x03\x04", 4));
        SecretBytes b(a);
        QVERIFY(a.data() != b.data());
        QVERIFY(a == b);
        b.data()[0] = 9;
        QVERIFY(!(a == b));
        QCOMPARE(a.data()[0], 1);
    }

    void moveLeavesSourceEmpty()
    {
        SecretBytes a(QByteArrayView("secret", 6));
        SecretBytes b(std::move(a));
        QVERIFY(a.isEmpty()); // NOLINT(bugprone-use-after-move): the state after a move is the contract
        QCOMPARE(b.size(), std::size_t(6));
        SecretBytes c;
        c = std::move(b);
        QVERIFY(b.isEmpty()); // NOLINT(bugprone-use-after-move)
        QCOMPARE(c.view(), QByteArrayView("secret"));
    }

    void fromHex_data()
    {
        QTest::addColumn<QByteArray>("hex");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("lower") << QByteArray("00ff10") << true << QByteArray("\x00\xff\x10", 3);
        QTest::newRow("upper") << QByteArray("ABCDEF") << true << QByteArray("\xab\xcd\xef");
        QTest::newRow("empty") << QByteArray() << true << QByteArray();
        QTest::newRow("odd length") << QByteArray("abc") << false << QByteArray();
        QTest::newRow("not hex") << QByteArray("zz") << false << QByteArray();
        QTest::newRow("space") << QByteArray("ab cd") << false << QByteArray();
        QTest::newRow("0x prefix") << QByteArray("0xab") << false << QByteArray();
    }

    void fromHex()
    {
        QFETCH(QByteArray, hex);
        QFETCH(bool, ok);
        QFETCH(QByteArray, bytes);
        bool parsed = !ok;
        const SecretBytes s = SecretBytes::fromHex(hex, &parsed);
        QCOMPARE(parsed, ok);
        QCOMPARE(s.view(), QByteArrayView(bytes));
    }

    void constantTimeCompare()
    {
        using simfleet::crypto::equalConstantTime;
        QVERIFY(equalConstantTime("abc", "abc"));
        QVERIFY(!equalConstantTime("abc", "abd"));
        QVERIFY(!equalConstantTime("abc", "abcd"));
        QVERIFY(equalConstantTime(QByteArrayView(), QByteArrayView()));
    }

    void randomSecretsDiffer()
    {
        const SecretBytes a = simfleet::crypto::randomSecret(16);
        const SecretBytes b = simfleet::crypto::randomSecret(16);
        QCOMPARE(a.size(), std::size_t(16));
        QVERIFY(!(a == b));
        QCOMPARE(simfleet::crypto::randomBytes(32).size(), 32);
        QVERIFY(simfleet::crypto::randomBytes(32) != simfleet::crypto::randomBytes(32));
    }
};

QTEST_GUILESS_MAIN(TestSecretBytes)
#include "tst_secretbytes.moc"
