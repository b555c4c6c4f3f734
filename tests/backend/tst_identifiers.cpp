#include "identity/checkdigits.h"
#include "identity/eid.h"
#include "identity/iccid.h"
#include "identity/imei.h"
#include "identity/imsi.h"

#include <QFile>
#include <QTest>

using namespace simfleet::identity;

class TestIdentifiers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void eid_data();
    void eid();
    void eidFromPayload();
    void imei_data();
    void imei();
    void imeiSv_data();
    void imeiSv();
    void iccid_data();
    void iccid();
    void iccidFromPayload();
    void imsi_data();
    void imsi();
    void luhn_data();
    void luhn();
    void sampleCsvIdentifiers();
};

void TestIdentifiers::eid_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("normalised");
    QTest::addColumn<QString>("error");

    // SGP.29 example structure; check digits computed so the number is 1 mod 97.
    QTest::newRow("valid") << "89049032000000000000000000000066" << "89049032000000000000000000000066" << "";
    QTest::newRow("valid with spaces") << "  89049032000000000000000000000163\t"
                                       << "89049032000000000000000000000163" << "";
    QTest::newRow("GSMA example") << "89049032123451234512345678901235" << "89049032123451234512345678901235" << "";
    QTest::newRow("wrong check digits") << "89049032000000000000000000009999" << ""
                                        << "EID check digits do not match: expected 60";
    QTest::newRow("check digit off by one") << "89049032123451234512345678901234" << ""
                                            << "EID check digits do not match: expected 35";
    QTest::newRow("31 digits") << "8904903200000000000000000000006" << "" << "EID must have 32 digits, got 31";
    QTest::newRow("33 digits") << "890490320000000000000000000000660" << "" << "EID must have 32 digits, got 33";
    QTest::newRow("letter") << "8904903200000000000000000000006A" << "" << "EID must contain digits only";
    QTest::newRow("inner space") << "8904903200000000 000000000000066" << "" << "EID must contain digits only";
    QTest::newRow("empty") << "" << "" << "EID is empty";
    QTest::newRow("blank") << "   " << "" << "EID is empty";
    QTest::newRow("sign") << "+9049032000000000000000000000066" << "" << "EID must contain digits only";
    QTest::newRow("arabic-indic digits") << QStringLiteral("٨٩049032000000000000000000000066") << ""
                                         << "EID must contain digits only";
}

void TestIdentifiers::eid()
{
    QFETCH(QString, input);
    QFETCH(QString, normalised);
    QFETCH(QString, error);
    const auto result = Eid::parse(input);
    QCOMPARE(result.ok(), error.isEmpty());
    if (result)
        QCOMPARE(result->toString(), normalised);
    else
        QCOMPARE(result.errorMessage(), error);
}

void TestIdentifiers::eidFromPayload()
{
    const auto eid = Eid::fromPayload(u"890490321234512345123456789012");
    QVERIFY(eid.ok());
    QCOMPARE(eid->toString(), QStringLiteral("89049032123451234512345678901235"));
    QVERIFY(Eid::parse(eid->toString()).ok());
    QVERIFY(!Eid::fromPayload(u"89049032").ok());
    QVERIFY(!Eid::fromPayload(u"89049032123451234512345678901x").ok());
    // Every payload completes to a parseable EID, including those whose check value is 02..09.
    for (int i = 0; i < 200; ++i) {
        const QString payload = QStringLiteral("8904903200000000000000%1").arg(i, 8, 10, QLatin1Char('0'));
        const auto completed = Eid::fromPayload(payload);
        QVERIFY(completed.ok());
        QVERIFY2(Eid::parse(completed->toString()).ok(), qPrintable(completed->toString()));
    }
}

void TestIdentifiers::imei_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("normalised");
    QTest::addColumn<QString>("error");
    QTest::newRow("valid") << "352099000000006" << "352099000000006" << "";
    QTest::newRow("valid 3GPP example") << "490154203237518" << "490154203237518" << "";
    QTest::newRow("14 digits completed") << "49015420323751" << "490154203237518" << "";
    QTest::newRow("trimmed") << " 352099000000014 " << "352099000000014" << "";
    QTest::newRow("bad check digit") << "352099000000991" << "" << "IMEI check digit does not match: expected 8";
    QTest::newRow("13 digits") << "3520990000000" << ""
                               << "IMEI must have 15 digits (or 14 without the check digit), got 13";
    QTest::newRow("16 digits") << "3520990000000060" << "" << "IMEI must have 15 digits; 16 digits is an IMEISV";
    QTest::newRow("hyphens") << "35-209900-000000-6" << "" << "IMEI must contain digits only";
    QTest::newRow("empty") << "" << "" << "IMEI is empty";
}

void TestIdentifiers::imei()
{
    QFETCH(QString, input);
    QFETCH(QString, normalised);
    QFETCH(QString, error);
    const auto result = Imei::parse(input);
    QCOMPARE(result.ok(), error.isEmpty());
    if (result)
        QCOMPARE(result->toString(), normalised);
    else
        QCOMPARE(result.errorMessage(), error);
}

void TestIdentifiers::imeiSv_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("imei");
    QTest::addColumn<QString>("error");
    QTest::newRow("valid") << "4901542032375104" << "490154203237518" << "";
    QTest::newRow("15 digits") << "490154203237518" << "" << "IMEISV must have 16 digits, got 15";
    QTest::newRow("reserved SVN") << "4901542032375199" << "" << "IMEISV software version 99 is reserved";
    QTest::newRow("letters") << "49015420323751O4" << "" << "IMEISV must contain digits only";
}

void TestIdentifiers::imeiSv()
{
    QFETCH(QString, input);
    QFETCH(QString, imei);
    QFETCH(QString, error);
    const auto result = ImeiSv::parse(input);
    QCOMPARE(result.ok(), error.isEmpty());
    if (result) {
        QCOMPARE(result->imei().toString(), imei);
        QCOMPARE(result->softwareVersion(), QStringView(input).last(2));
    } else {
        QCOMPARE(result.errorMessage(), error);
    }
}

void TestIdentifiers::iccid_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("19 digits") << "8944500102198304826" << "";
    QTest::newRow("20 digits") << "89310410106543789305" << "";
    QTest::newRow("18 digits") << "894450010219830486" << "";
    QTest::newRow("bad check") << "8944500102198304827" << "ICCID check digit does not match: expected 6";
    QTest::newRow("not 89") << "9944500102198304826" << "ICCID must start with the telecom industry identifier 89";
    QTest::newRow("17 digits") << "89445001021983048" << "ICCID with check digit must have 18 to 20 digits, got 17";
    QTest::newRow("21 digits") << "894450010219830482612"
                               << "ICCID with check digit must have 18 to 20 digits, got 21";
    QTest::newRow("trailing F (BCD filler)") << "8944500102198304826F" << "ICCID must contain digits only";
    QTest::newRow("empty") << "" << "ICCID is empty";
}

void TestIdentifiers::iccid()
{
    QFETCH(QString, input);
    QFETCH(QString, error);
    const auto result = Iccid::parse(input);
    QCOMPARE(result.ok(), error.isEmpty());
    if (!result)
        QCOMPARE(result.errorMessage(), error);
    else
        QCOMPARE(result->toString(), input);
}

void TestIdentifiers::iccidFromPayload()
{
    const auto iccid = Iccid::fromPayload(u"894450010219830482");
    QVERIFY(iccid.ok());
    QCOMPARE(iccid->toString(), QStringLiteral("8944500102198304826"));
    QVERIFY(!Iccid::fromPayload(u"994450010219830482").ok());
    QVERIFY(!Iccid::fromPayload(u"8944").ok());
}

void TestIdentifiers::imsi_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("mncDigits");
    QTest::addColumn<QString>("mcc");
    QTest::addColumn<QString>("mnc");
    QTest::addColumn<QString>("error");
    QTest::newRow("2-digit MNC") << "001010123456789" << 2 << "001" << "01" << "";
    QTest::newRow("3-digit MNC") << "310260123456789" << 3 << "310" << "260" << "";
    QTest::newRow("short MSIN") << "9997012" << 2 << "999" << "70" << "";
    QTest::newRow("16 digits") << "0010101234567890" << 2 << "" << "" << "IMSI must have at most 15 digits, got 16";
    QTest::newRow("no MSIN") << "00101" << 2 << "" << ""
                             << "IMSI must have MCC (3 digits), MNC (2 digits) and at least one MSIN digit";
    QTest::newRow("no MSIN, 3-digit MNC") << "310260" << 3 << "" << ""
                                          << "IMSI must have MCC (3 digits), MNC (3 digits) and at least one MSIN digit";
    QTest::newRow("bad MNC length") << "001010123456789" << 4 << "" << "" << "MNC must have 2 or 3 digits, got 4";
    QTest::newRow("letters") << "00101A123456789" << 2 << "" << "" << "IMSI must contain digits only";
    QTest::newRow("empty") << "" << 2 << "" << "" << "IMSI is empty";
}

void TestIdentifiers::imsi()
{
    QFETCH(QString, input);
    QFETCH(int, mncDigits);
    QFETCH(QString, mcc);
    QFETCH(QString, mnc);
    QFETCH(QString, error);
    const auto result = Imsi::parse(input, mncDigits);
    QCOMPARE(result.ok(), error.isEmpty());
    if (result) {
        QCOMPARE(result->mcc(), mcc);
        QCOMPARE(result->mnc(), mnc);
        QCOMPARE(QString(result->mcc() + result->mnc() + result->msin()), input);
    } else {
        QCOMPARE(result.errorMessage(), error);
    }
}

void TestIdentifiers::luhn_data()
{
    QTest::addColumn<QString>("payload");
    QTest::addColumn<int>("check");
    QTest::newRow("ISO 7812 example") << "7992739871" << 3;
    QTest::newRow("IMEI") << "49015420323751" << 8;
    QTest::newRow("zeros") << "0000000" << 0;
    QTest::newRow("single 5") << "5" << 9;
}

void TestIdentifiers::luhn()
{
    QFETCH(QString, payload);
    QFETCH(int, check);
    QCOMPARE(luhnCheckDigit(payload), check);
    QVERIFY(hasValidLuhn(QString(payload + QChar(u'0' + check))));
    QVERIFY(!hasValidLuhn(QString(payload + QChar(u'0' + (check + 1) % 10))));
}

// The published sample: lines 2-9 valid, line 10 a wrong EID check digit, line 11 a wrong
// IMEI check digit.
void TestIdentifiers::sampleCsvIdentifiers()
{
    QFile file(QStringLiteral(SIMFLEET_TEST_DATA "/enroll-sample.csv"));
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 13);
    for (int line = 2; line <= 9; ++line) {
        const QStringList fields = lines.at(line - 1).split(u',');
        QVERIFY2(Eid::parse(fields.at(0)).ok(), qPrintable(fields.at(0)));
        QVERIFY2(Imei::parse(fields.at(1)).ok(), qPrintable(fields.at(1)));
    }
    QVERIFY(!Eid::parse(lines.at(9).split(u',').at(0)).ok());
    QVERIFY(Eid::parse(lines.at(10).split(u',').at(0)).ok());
    QCOMPARE(Imei::parse(lines.at(10).split(u',').at(1)).errorMessage(),
             QStringLiteral("IMEI check digit does not match: expected 8"));
}

QTEST_GUILESS_MAIN(TestIdentifiers)
#include "tst_identifiers.moc"
