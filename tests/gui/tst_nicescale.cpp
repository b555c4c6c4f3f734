#include "charts/nicescale.h"

#include <QTest>

#include <cmath>
#include <limits>

using simfleet::ui::charts::niceScale;

// Axis ticks a person reads at a glance (ui/charts/nicescale.h): steps of 1, 2, 2.5 or 5 times a
// power of ten; whole-number axes never step by fractions.
class TestNiceScale : public QObject
{
    Q_OBJECT

private slots:
    void ticks_data()
    {
        QTest::addColumn<double>("largest");
        QTest::addColumn<bool>("whole");
        QTest::addColumn<double>("maximum");
        QTest::addColumn<double>("step");
        QTest::addColumn<int>("decimals");
        QTest::newRow("ten seconds") << 10.0 << false << 10.0 << 2.0 << 0;
        QTest::newRow("eleven seconds") << 11.0 << false << 12.5 << 2.5 << 1;
        QTest::newRow("1983 devices") << 1983.0 << true << 2000.0 << 500.0 << 0;
        QTest::newRow("1487 devices") << 1487.0 << true << 1500.0 << 500.0 << 0;
        QTest::newRow("three devices") << 3.0 << true << 3.0 << 1.0 << 0;
        QTest::newRow("nine devices, no 2.5") << 9.0 << true << 10.0 << 2.0 << 0;
        QTest::newRow("0.7 per second") << 0.7 << false << 0.8 << 0.2 << 1;
        QTest::newRow("0.9 per second") << 0.9 << false << 1.0 << 0.2 << 1;
        QTest::newRow("0.11 per second") << 0.11 << false << 0.125 << 0.025 << 3;
        QTest::newRow("2141 per second") << 2141.0 << false << 2500.0 << 500.0 << 0;
        QTest::newRow("nothing yet") << 0.0 << true << 1.0 << 1.0 << 0;
        QTest::newRow("not a number") << std::numeric_limits<double>::quiet_NaN() << false << 1.0 << 0.2 << 1;
    }
    void ticks()
    {
        QFETCH(double, largest);
        QFETCH(bool, whole);
        QFETCH(double, maximum);
        QFETCH(double, step);
        QFETCH(int, decimals);
        const auto s = niceScale(largest, whole);
        QCOMPARE(s.maximum, maximum);
        QCOMPARE(s.step, step);
        QCOMPARE(s.decimals, decimals);
        QCOMPARE(s.tickCount, int(std::lround(maximum / step)) + 1);
        QVERIFY(s.tickCount <= 6);
        QVERIFY(s.maximum >= largest || !(largest > 0));
    }
};

QTEST_APPLESS_MAIN(TestNiceScale)
#include "tst_nicescale.moc"
