#include "crypto/milenage.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet::crypto;

namespace {

QJsonArray testSets()
{
    QFile file(QStringLiteral(SIMFLEET_TEST_DATA "/milenage-ts35208.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the TS 35.208 test data");
    return QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("sets")).toArray();
}

QByteArray field(const QJsonObject &set, const char *name)
{
    return set.value(QLatin1StringView(name)).toString().toLatin1();
}

QByteArray bytes(const QJsonObject &set, const char *name)
{
    return QByteArray::fromHex(field(set, name));
}

const char *const outputFields[] = { "opc", "mac_a", "mac_s", "res", "ck", "ik", "ak", "ak_star" };

struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliRun runCli(const QStringList &arguments, const QByteArray &input = QByteArray())
{
    QProcess process;
    process.start(QStringLiteral(SIMFLEET_CLI), arguments);
    process.write(input);
    process.closeWriteChannel();
    CliRun run;
    if (!process.waitForFinished(30000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QStringList akaArguments(const QJsonObject &set, bool useOpc)
{
    return { QStringLiteral("aka"),
             QStringLiteral("--k"), QString::fromLatin1(field(set, "k")),
             useOpc ? QStringLiteral("--opc") : QStringLiteral("--op"),
             QString::fromLatin1(field(set, useOpc ? "opc" : "op")),
             QStringLiteral("--rand"), QString::fromLatin1(field(set, "rand")),
             QStringLiteral("--sqn"), QString::fromLatin1(field(set, "sqn")),
             QStringLiteral("--amf"), QString::fromLatin1(field(set, "amf")) };
}

} // namespace

class TestMilenage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ts35208_data();
    void ts35208();
    void ts35208ThroughCli_data();
    void ts35208ThroughCli();
    void keysFromFileAndStandardInput();
    void resynchronisation();
    void badLengths();
    void cliRejectsBadInput_data();
    void cliRejectsBadInput();
};

void TestMilenage::ts35208_data()
{
    QTest::addColumn<QJsonObject>("set");
    const QJsonArray sets = testSets();
    QVERIFY(sets.size() >= 3);
    for (const QJsonValue &set : sets)
        QTest::addRow("set %d", set.toObject().value(QStringLiteral("set")).toInt()) << set.toObject();
}

void TestMilenage::ts35208()
{
    QFETCH(QJsonObject, set);
    const SecretBytes k(bytes(set, "k"));
    const auto computedOpc = Milenage::computeOpc(k, SecretBytes(bytes(set, "op")));
    QVERIFY(computedOpc.ok());
    QCOMPARE(revealAsHex(computedOpc.value()), field(set, "opc"));

    // Through OP and through OPc, the same answers.
    for (bool useOpc : { false, true }) {
        const auto milenage = useOpc ? Milenage::withOpc(k, SecretBytes(bytes(set, "opc")))
                                     : Milenage::withOp(k, SecretBytes(bytes(set, "op")));
        QVERIFY(milenage.ok());
        const auto v = milenage->compute(bytes(set, "rand"), bytes(set, "sqn"), bytes(set, "amf"));
        QVERIFY2(v.ok(), qPrintable(v.errorMessage()));
        QCOMPARE(revealAsHex(milenage->opc()), field(set, "opc"));
        QCOMPARE(v->macA.toHex(), field(set, "mac_a"));
        QCOMPARE(v->macS.toHex(), field(set, "mac_s"));
        QCOMPARE(v->res.toHex(), field(set, "res"));
        QCOMPARE(revealAsHex(v->ck), field(set, "ck"));
        QCOMPARE(revealAsHex(v->ik), field(set, "ik"));
        QCOMPARE(v->ak.toHex(), field(set, "ak"));
        QCOMPARE(v->akStar.toHex(), field(set, "ak_star"));
        // AUTN = (SQN xor AK) || AMF || MAC-A (TS 33.102 section 6.3.2)
        QByteArray sqnXorAk = bytes(set, "sqn");
        for (int i = 0; i < 6; ++i)
            sqnXorAk[i] = char(sqnXorAk[i] ^ v->ak[i]);
        QCOMPARE(v->autn.toHex(), QByteArray(sqnXorAk + bytes(set, "amf") + v->macA).toHex());
    }
}

void TestMilenage::ts35208ThroughCli_data()
{
    QTest::addColumn<QJsonObject>("set");
    QTest::addColumn<bool>("useOpc");
    for (const QJsonValue &set : testSets()) {
        const int n = set.toObject().value(QStringLiteral("set")).toInt();
        QTest::addRow("set %d with OP", n) << set.toObject() << false;
        QTest::addRow("set %d with OPc", n) << set.toObject() << true;
    }
}

void TestMilenage::ts35208ThroughCli()
{
    QFETCH(QJsonObject, set);
    QFETCH(bool, useOpc);
    const CliRun run = runCli(akaArguments(set, useOpc));
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(run.out, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(json.size(), 9);
    for (const char *name : outputFields)
        QCOMPARE(json.value(QLatin1StringView(name)).toString().toLatin1(), field(set, name));
    QCOMPARE(json.value(QStringLiteral("autn")).toString().size(), 32);
    // Keys given on the command line still work, with a warning that says why not to.
    QVERIFY2(run.err.contains("warning: --k on the command line can be read by other users of this machine (ps)"),
             run.err.constData());
    QVERIFY2(run.err.contains(useOpc ? "warning: --opc on the command line" : "warning: --op on the command line"),
             run.err.constData());
}

// Issue 17, Low: Ki taken on the command line shows in ps and the shell's history. From a file
// or standard input it gives the same answer and no warning.
void TestMilenage::keysFromFileAndStandardInput()
{
    const QJsonObject set = testSets().at(0).toObject();
    QTemporaryDir dir;
    const QString kFile = dir.filePath(QStringLiteral("k.hex"));
    QFile f(kFile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(field(set, "k") + "\n");
    f.close();
    const QStringList challenge { QStringLiteral("--rand"), QString::fromLatin1(field(set, "rand")), QStringLiteral("--sqn"),
                                  QString::fromLatin1(field(set, "sqn")), QStringLiteral("--amf"),
                                  QString::fromLatin1(field(set, "amf")) };
    const CliRun fromFile = runCli(QStringList { QStringLiteral("aka"), QStringLiteral("--k-file"), kFile,
                                                 QStringLiteral("--op-file"), QStringLiteral("-") }
                                       + challenge,
                                   field(set, "op") + "\n");
    QVERIFY2(fromFile.exitCode == 0, fromFile.err.constData());
    QVERIFY2(fromFile.err.isEmpty(), fromFile.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(fromFile.out).object();
    for (const char *name : outputFields)
        QCOMPARE(json.value(QLatin1StringView(name)).toString().toLatin1(), field(set, name));
    QVERIFY(!fromFile.out.contains(field(set, "k")));

    const CliRun fromStdin = runCli(QStringList { QStringLiteral("aka"), QStringLiteral("--k-file"), QStringLiteral("-"),
                                                  QStringLiteral("--opc"), QString::fromLatin1(field(set, "opc")) }
                                        + challenge,
                                    field(set, "k"));
    QVERIFY2(fromStdin.exitCode == 0, fromStdin.err.constData());
    QCOMPARE(QJsonDocument::fromJson(fromStdin.out).object().value(QStringLiteral("mac_a")).toString().toLatin1(),
             field(set, "mac_a"));
    QVERIFY(!fromStdin.err.contains("--k on the command line"));

    const CliRun both = runCli(QStringList { QStringLiteral("aka"), QStringLiteral("--k-file"), QStringLiteral("-"),
                                             QStringLiteral("--op-file"), QStringLiteral("-") }
                                   + challenge,
                               field(set, "k"));
    QCOMPARE(both.exitCode, 1);
    QVERIFY2(both.err.contains("only one key can come from standard input"), both.err.constData());
    const CliRun shortKey = runCli(QStringList { QStringLiteral("aka"), QStringLiteral("--k-file"), QStringLiteral("-"),
                                                 QStringLiteral("--op"), QString::fromLatin1(field(set, "op")) }
                                       + challenge,
                                   field(set, "k").chopped(1));
    QCOMPARE(shortKey.exitCode, 1);
    QVERIFY2(shortKey.err.contains("--k-file - has 31 hex digits"), shortKey.err.constData());
}

void TestMilenage::resynchronisation()
{
    const QJsonObject set = testSets().at(0).toObject();
    const auto milenage = Milenage::withOp(SecretBytes(bytes(set, "k")), SecretBytes(bytes(set, "op"))).value();
    const QByteArray rand = bytes(set, "rand");
    const QByteArray sqnMs = QByteArray::fromHex("00000000abcd");
    const auto auts = milenage.makeAuts(rand, sqnMs);
    QVERIFY(auts.ok());
    QCOMPARE(auts->size(), 14);
    const auto recovered = milenage.resynchronise(rand, auts.value());
    QVERIFY2(recovered.ok(), qPrintable(recovered.errorMessage()));
    QCOMPARE(recovered.value(), sqnMs);

    QByteArray tampered = auts.value();
    tampered[13] = char(tampered[13] ^ 0x80);
    QCOMPARE(milenage.resynchronise(rand, tampered).errorMessage(),
             QStringLiteral("AUTS does not verify: MAC-S does not match these credentials"));
    QByteArray otherRand = rand;
    otherRand[0] = char(otherRand[0] ^ 1);
    QVERIFY(!milenage.resynchronise(otherRand, auts.value()).ok());
    QCOMPARE(milenage.resynchronise(rand, auts->first(13)).errorMessage(), QStringLiteral("AUTS must be 14 bytes, got 13"));
}

void TestMilenage::badLengths()
{
    const SecretBytes k(QByteArray(16, 'k'));
    QCOMPARE(Milenage::withOp(SecretBytes(QByteArray(15, 'k')), k).errorMessage(), QStringLiteral("K must be 16 bytes, got 15"));
    QCOMPARE(Milenage::withOp(k, SecretBytes(QByteArray(17, 'o'))).errorMessage(), QStringLiteral("OP must be 16 bytes, got 17"));
    QCOMPARE(Milenage::withOpc(k, SecretBytes()).errorMessage(), QStringLiteral("OPc must be 16 bytes, got 0"));
    const auto m = Milenage::withOpc(k, k).value();
    QCOMPARE(m.compute(QByteArray(15, 'r'), QByteArray(6, 's'), QByteArray(2, 'a')).errorMessage(),
             QStringLiteral("RAND must be 16 bytes, got 15"));
    QCOMPARE(m.compute(QByteArray(16, 'r'), QByteArray(5, 's'), QByteArray(2, 'a')).errorMessage(),
             QStringLiteral("SQN must be 6 bytes, got 5"));
    QCOMPARE(m.compute(QByteArray(16, 'r'), QByteArray(6, 's'), QByteArray(3, 'a')).errorMessage(),
             QStringLiteral("AMF must be 2 bytes, got 3"));
}

void TestMilenage::cliRejectsBadInput_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("short K") << "--k" << "465b5ce8b199b49faa5f0a2ee238a6b" << 1 << "--k has 31 hex digits";
    QTest::newRow("non-hex RAND") << "--rand" << "23553cbe9637a89d218ae64dae47bf3g" << 1
                                  << "--rand contains a character that is not hex (g)";
    QTest::newRow("long SQN") << "--sqn" << "ff9bb4d0b60700" << 1 << "--sqn has 14 hex digits; it must be 12 hex digits";
    QTest::newRow("empty AMF") << "--amf" << "" << 1 << "--amf is missing";
    QTest::newRow("odd OP") << "--op" << "cdc202d5123e20f62b6d676ac72cb31" << 1 << "--op has 31 hex digits";
    QTest::newRow("both OP and OPc") << "--opc" << "cd63cb71954a9f4e48a5994e37a02baf" << 2
                                     << "give exactly one of --op and --opc";
    QTest::newRow("unknown option") << "--kk" << "00" << 2 << "Unknown option 'kk'";
}

void TestMilenage::cliRejectsBadInput()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    QStringList args = akaArguments(testSets().at(0).toObject(), false);
    const qsizetype at = args.indexOf(option);
    if (at >= 0)
        args[at + 1] = value;
    else
        args << option << value;
    const CliRun run = runCli(args);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY(run.out.isEmpty());
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
}

QTEST_GUILESS_MAIN(TestMilenage)
#include "tst_milenage.moc"
