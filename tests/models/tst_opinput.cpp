#include "opinput.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using models::OpInput;

namespace {
const QByteArray opHex = "cdc202d5123e20f62b6d676ac72cb318";

crypto::SecretBytes expectedOp()
{
    bool ok = false;
    return crypto::SecretBytes::fromHex(opHex, &ok);
}
} // namespace

// The OP an Administrator types or gives as a file on the Operators page (issue 18): 32 hex
// digits and nothing else, parsed without a copy of the digits, the typed text wiped in place,
// and no refusal repeating what was given.
class TestOpInput : public QObject
{
    Q_OBJECT

private slots:
    void typed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("ok");
        QTest::newRow("lower case") << opHex << true;
        QTest::newRow("upper case") << opHex.toUpper() << true;
        QTest::newRow("spaces and a line end around") << QByteArray("  " + opHex + "\r\n") << true;
        QTest::newRow("31 digits") << opHex.left(31) << false;
        QTest::newRow("33 digits") << QByteArray(opHex + 'a') << false;
        QTest::newRow("not hex") << QByteArray(opHex.left(31) + 'g') << false;
        QTest::newRow("a space inside") << QByteArray(opHex.left(16) + ' ' + opHex.mid(16)) << false;
        QTest::newRow("0x prefix") << QByteArray("0x" + opHex) << false;
        QTest::newRow("empty") << QByteArray() << false;
    }

    void typed()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, ok);
        QString typed = QString::fromLatin1(text);
        const QString sharing = typed; // another holder of the same buffer, as a widget may be
        auto input = OpInput::fromTyped(typed);
        QVERIFY(typed.isEmpty());
        QVERIFY(sharing.count(QChar(0)) == sharing.size()); // wiped in place, not detached
        QCOMPARE(input.ok(), ok);
        if (!ok) {
            QVERIFY(input.errorMessage().contains(QStringLiteral("32 hex digits")));
            if (text.size() > 4)
                QVERIFY(!input.errorMessage().contains(QString::fromLatin1(text.trimmed().left(6))));
            return;
        }
        QVERIFY(input->isGiven());
        auto op = input->read();
        QVERIFY(op && op.value());
        QVERIFY(*op.value() == expectedOp());
    }

    void file_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<bool>("ok");
        QTest::newRow("with a line end") << QByteArray(opHex + '\n') << true;
        QTest::newRow("without") << opHex.toUpper() << true;
        QTest::newRow("CRLF and spaces") << QByteArray("\r\n " + opHex + " \r\n") << true;
        QTest::newRow("two OPs") << QByteArray(opHex + '\n' + opHex + '\n') << false;
        QTest::newRow("31 digits") << QByteArray(opHex.left(31) + '\n') << false;
        QTest::newRow("larger than any OP file") << QByteArray(opHex + QByteArray(300, ' ')) << false;
        QTest::newRow("empty") << QByteArray() << false;
    }

    void file()
    {
        QFETCH(QByteArray, contents);
        QFETCH(bool, ok);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("op.hex"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(contents);
        f.close();
        const OpInput input = OpInput::fromFile(path);
        QVERIFY(input.isGiven());
        QCOMPARE(input.file(), path);
        auto op = input.read();
        QCOMPARE(op.ok(), ok);
        if (!ok) {
            QVERIFY2(op.errorMessage().contains(QStringLiteral("32 hex digits and nothing else")), qPrintable(op.errorMessage()));
            QVERIFY(!op.errorMessage().contains(QString::fromLatin1(opHex.left(6)), Qt::CaseInsensitive));
            return;
        }
        QVERIFY(*op.value() == expectedOp());
    }

    void missingFileAndNone()
    {
        auto missing = OpInput::fromFile(QStringLiteral("/nonexistent/op.hex")).read();
        QVERIFY(!missing);
        QVERIFY2(missing.errorMessage().contains(QStringLiteral("cannot be read")), qPrintable(missing.errorMessage()));
        const OpInput none;
        QVERIFY(!none.isGiven());
        auto nothing = none.read();
        QVERIFY(nothing && !nothing.value());
    }
};

QTEST_GUILESS_MAIN(TestOpInput)
#include "tst_opinput.moc"
