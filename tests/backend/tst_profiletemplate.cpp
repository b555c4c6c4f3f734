// Profile packages as operators ship them (issue 19): every GSMA TS.48 test profile decodes and
// encodes back byte for byte, serves as a template that simfleet personalises per device, and
// the device reads the personalised profile back; simfleet's built-in template has the structure
// real profiles have. Hostile packages and unusable templates are refused with a reason.
#include "protocol/profilepackage.h"
#include "protocol/profiletemplate.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace simfleet;
using namespace simfleet::protocol;

namespace {

const QString ts48Directory = QStringLiteral(SIMFLEET_TS48);

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// TS 35.208 test set 1 values: published, not anybody's subscription.
ProfileContent sampleContent()
{
    ProfileContent p;
    p.iccid = QStringLiteral("8999901000000000017");
    p.imsi = QStringLiteral("240991234567891");
    p.ki = crypto::SecretBytes(QByteArray::fromHex("465b5ce8b199b49faa5f0a2ee238a6bc"));
    p.opc = crypto::SecretBytes(QByteArray::fromHex("cd63cb71954a9f4e48a5994e37a02baf"));
    p.serviceProviderName = QStringLiteral("Nordtel");
    p.mncDigits = 2;
    return p;
}

QStringList kinds(const ProfilePackageSummary &s)
{
    QStringList out;
    for (const ProfileElementSummary &e : s.elements)
        out.append(e.kind);
    return out;
}

} // namespace

class TestProfileTemplate : public QObject
{
    Q_OBJECT

private slots:
    void ts48ProfilesDecodeAndEncodeByteForByte_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = QDir(ts48Directory).entryList({ QStringLiteral("*.der") }, QDir::Files, QDir::Name);
        QVERIFY2(files.size() == 18, qPrintable(QStringLiteral("expected the 18 TS.48 profiles in %1, found %2").arg(ts48Directory).arg(files.size())));
        for (const QString &f : files)
            QTest::newRow(qPrintable(f)) << QDir(ts48Directory).filePath(f);
    }

    void ts48ProfilesDecodeAndEncodeByteForByte()
    {
        QFETCH(QString, path);
        const QByteArray original = readFile(path);
        QVERIFY(!original.isEmpty());
        auto package = ProfilePackage::decode(original);
        QVERIFY2(package, qPrintable(package.errorMessage()));
        QCOMPARE(package->encode(), original);

        const ProfilePackageSummary s = package->summary();
        QCOMPARE(s.majorVersion, 2);
        QVERIFY(s.profileType.contains(QStringLiteral("Test Profile")) || s.profileType.contains(QStringLiteral("GSMA")));
        const QStringList k = kinds(s);
        QCOMPARE(k.first(), QStringLiteral("header"));
        QCOMPARE(k.last(), QStringLiteral("end"));
        for (const char *needed : { "mf", "pinCodes", "pukCodes", "usim", "akaParameter" })
            QVERIFY2(k.contains(QLatin1StringView(needed)), needed);
        QVERIFY(s.mandatoryServices.contains(QStringLiteral("usim")));
        // The header's ICCID (BCD in reading order) is the one EF.ICCID holds (nibbles swapped).
        const der::Node *mf = nullptr;
        for (const der::Node &e : package->elements())
            if (e.tag == 0xB0)
                mf = &e;
        QVERIFY(mf && mf->child(0xA4));
        QCOMPARE(efIccidToIccid(fileContent(*mf->child(0xA4))), s.iccid);
        QCOMPARE(s.iccid.size(), 20);
    }

    void ts48ProfilesServeAsTemplates_data() { ts48ProfilesDecodeAndEncodeByteForByte_data(); }

    void ts48ProfilesServeAsTemplates()
    {
        QFETCH(QString, path);
        const QByteArray original = readFile(path);
        auto made = ProfileTemplate::fromPackage(original);
        QVERIFY2(made, qPrintable(made.errorMessage()));
        const ProfileTemplate t = made.value();
        const ProfileContent content = sampleContent();
        auto personalised = t.personalise(content);
        QVERIFY2(personalised, qPrintable(personalised.errorMessage()));

        // The device reads back what it was given.
        auto back = decodeProfilePackage(personalised->view());
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(back->iccid, content.iccid);
        QCOMPARE(back->imsi, content.imsi);
        QVERIFY(back->ki == content.ki);
        QVERIFY(back->opc == content.opc);
        QCOMPARE(back->serviceProviderName, QStringLiteral("Nordtel"));

        // Milenage replaced the test algorithm everywhere; the header says so.
        auto package = ProfilePackage::decode(personalised->view());
        QVERIFY(package);
        const ProfilePackageSummary s = package->summary();
        QVERIFY(s.mandatoryServices.contains(QStringLiteral("milenage")));
        QVERIFY(!s.mandatoryServices.contains(QStringLiteral("usim-test-algorithm")));
        QCOMPARE(s.iccid, content.iccid);
        // Everything else is the operator's: the same elements, in the same order.
        QCOMPARE(kinds(s), kinds(t.summary()));
        // The template itself is untouched (personalising works on a copy).
        QCOMPARE(t.encode(), original);
        // EF.ACC from the IMSI's last digit (1): class 1.
        const QByteArray acc = QByteArray::fromHex("830200") + char(0x02);
        QVERIFY(personalised->view().toByteArray().contains(acc));
    }

    void exportedTemplateHoldsNoSecret()
    {
        const QByteArray original = readFile(QDir(ts48Directory).filePath(QStringLiteral("TS48v5_SAIP2.3_BERTLV_SUCI.der")));
        auto t = ProfileTemplate::fromPackage(original);
        QVERIFY(t);
        const ProfileContent content = sampleContent();
        auto inspected = t->withoutSecrets(content);
        QVERIFY2(inspected, qPrintable(inspected.errorMessage()));
        QVERIFY(!inspected->contains(content.ki.view()));
        QVERIFY(!inspected->contains(content.opc.view()));
        // TS.48's security domain keys (00 01 .. 0F) and PUKs ("11111111") are gone too.
        QVERIFY(!inspected->contains(QByteArray::fromHex("000102030405060708090a0b0c0d0e0f")));
        QVERIFY(!inspected->contains(QByteArrayView("11111111")));
        auto package = ProfilePackage::decode(*inspected);
        QVERIFY2(package, qPrintable(package.errorMessage()));
        QCOMPARE(package->summary().iccid, content.iccid);
    }

    void builtInTemplateHasARealProfilesStructure()
    {
        const ProfileContent content = sampleContent();
        auto personalised = encodeProfilePackage(content);
        QVERIFY2(personalised, qPrintable(personalised.errorMessage()));
        auto package = ProfilePackage::decode(personalised->view());
        QVERIFY2(package, qPrintable(package.errorMessage()));
        QCOMPARE(kinds(package->summary()),
                 QStringList({ "header", "mf", "pukCodes", "pinCodes", "usim", "pinCodes", "akaParameter", "end" }));
        QCOMPARE(package->encode(), personalised->view().toByteArray());
        auto back = decodeProfilePackage(personalised->view());
        QVERIFY2(back, qPrintable(back.errorMessage()));
        QCOMPARE(back->imsi, content.imsi);
        QCOMPARE(back->mncDigits, 2);
        // EF.AD byte 4 carries a three-digit MNC when the operator has one.
        ProfileContent three = sampleContent();
        three.mncDigits = 3;
        QCOMPARE(decodeProfilePackage(encodeProfilePackage(three)->view())->mncDigits, 3);
        // Each device gets PUKs of its own.
        auto other = encodeProfilePackage(content);
        QVERIFY(other->view() != personalised->view());
    }

    void unusableTemplatesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("package");
        QTest::addColumn<QString>("reason");
        const QByteArray ts48 = readFile(QDir(ts48Directory).filePath(QStringLiteral("TS48v1_A.der")));
        auto package = ProfilePackage::decode(ts48).value();
        const auto without = [&](quint16 tag) {
            ProfilePackage p = package;
            p.elements().removeIf([tag](const der::Node &e) { return e.tag == tag; });
            return p.encode();
        };
        QTest::newRow("no USIM") << without(0xB3) << QStringLiteral("no USIM");
        QTest::newRow("no MF") << without(0xB0) << QStringLiteral("no MF");
        QTest::newRow("no AKA parameters") << without(0xA4) << QStringLiteral("AKA parameters");
        QTest::newRow("no end") << without(0xAA) << QStringLiteral("PE-End");
        QTest::newRow("cut short") << ts48.left(ts48.size() - 1) << QStringLiteral("malformed");
        QTest::newRow("not DER") << QByteArray("hello") << QStringLiteral("malformed");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
        ProfilePackage headerLast = package;
        headerLast.elements().move(0, 3);
        QTest::newRow("header not first") << headerLast.encode() << QStringLiteral("ProfileHeader");
        ProfilePackage unknown = package;
        unknown.elements().insert(1, der::Node::constructedOf(0xBF40, { der::Node::constructedOf(0xA0, { der::Node::primitive(0x81, QByteArray(1, 9)) }) }));
        QTest::newRow("unknown element") << unknown.encode() << QStringLiteral("no profile element");
        // Nested past what any profile needs: refused, not a stack overflow.
        QByteArray deep = QByteArray::fromHex("a000");
        for (int i = 0; i < 40; ++i)
            deep = QByteArray(1, char(0xA1)) + char(deep.size()) + deep;
        QTest::newRow("nested deep") << (QByteArray(1, char(0xA0)) + char(deep.size()) + deep) << QStringLiteral("nested");
    }

    void unusableTemplatesAreRefused()
    {
        QFETCH(QByteArray, package);
        QFETCH(QString, reason);
        auto t = ProfileTemplate::fromPackage(package);
        QVERIFY(!t);
        QVERIFY2(t.errorMessage().contains(reason), qPrintable(t.errorMessage()));
    }

    void deviceRefusesWhatItCannotRun()
    {
        // An unpersonalised TS.48 profile mandates the test algorithm and no Milenage.
        const QByteArray ts48 = readFile(QDir(ts48Directory).filePath(QStringLiteral("TS48v2_SAIP2.3_BERTLV.der")));
        auto refused = decodeProfilePackage(ts48);
        QVERIFY(!refused);
        QVERIFY2(refused.errorMessage().contains(QStringLiteral("Milenage")), qPrintable(refused.errorMessage()));
        // EF.ICCID that disagrees with the header.
        auto t = ProfileTemplate::fromPackage(ts48).value();
        QByteArray personalised = t.personalise(sampleContent()).value().view().toByteArray();
        const QByteArray efIccid = iccidToEfIccid(u"8999901000000000017");
        personalised.replace(personalised.indexOf(efIccid), efIccid.size(), iccidToEfIccid(u"8999901000000000025"));
        auto mismatch = decodeProfilePackage(personalised);
        QVERIFY(!mismatch);
        QVERIFY2(mismatch.errorMessage().contains(QStringLiteral("EF.ICCID")), qPrintable(mismatch.errorMessage()));
    }

    void personaliseRefusesBadContent()
    {
        const ProfileTemplate &t = ProfileTemplate::builtIn();
        ProfileContent p = sampleContent();
        p.mncDigits = 4;
        QVERIFY(!t.personalise(p));
        p = sampleContent();
        p.imsi = QStringLiteral("24099123456789A");
        QVERIFY(!t.personalise(p));
    }
};

QTEST_GUILESS_MAIN(TestProfileTemplate)
#include "tst_profiletemplate.moc"
