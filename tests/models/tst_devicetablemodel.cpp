#include "devicetablemodel.h"
#include "modelfixture.h"

#include <QAbstractItemModelTester>

using namespace simfleet;
using models::DeviceTableModel;

class TestDeviceTableModel : public QObject
{
    Q_OBJECT

private slots:
    void pagedFilteredAndScoped()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        DeviceTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QTRY_VERIFY(model.isCounted() && !model.isLoading());
        QCOMPARE(model.totalCount(), 40);
        QCOMPARE(model.rowCount(), 40);
        QVERIFY(model.index(0, DeviceTableModel::Eid).data().toString().startsWith(QStringLiteral("89")));
        QVERIFY(model.index(0, DeviceTableModel::Eid).data(DeviceTableModel::DeviceIdRole).toLongLong() > 0);
        QCOMPARE(model.index(0, DeviceTableModel::Eid).data(DeviceTableModel::DeviceIdRole).toLongLong(), model.deviceIdAt(0));

        QVERIFY(model.setFilter(QStringLiteral("fleet=Rheinau smart meters"), {}).isEmpty());
        QTRY_VERIFY(model.isCounted() && !model.isLoading());
        QCOMPARE(model.totalCount(), 20);
        for (int row = 0; row < model.rowCount(); ++row)
            QCOMPARE(model.index(row, DeviceTableModel::Fleet).data().toString(), QStringLiteral("Rheinau smart meters"));

        // A filter that is not understood says why and changes nothing.
        QVERIFY(!model.setFilter(QStringLiteral("colour=blue"), {}).isEmpty());
        QCOMPARE(model.totalCount(), 20);

        // Two filters in a row: only the second one's answers count.
        QVERIFY(model.setFilter(QStringLiteral("fleet=Container trackers"), {}).isEmpty());
        QVERIFY(model.setFilter(QStringLiteral("fleet=PAYD car units"), {}).isEmpty());
        QTRY_VERIFY(model.isCounted() && !model.isLoading());
        QCOMPARE(model.totalCount(), 10);
        QCOMPARE(model.index(0, DeviceTableModel::Fleet).data().toString(), QStringLiteral("PAYD car units"));
    }

    void accountManagersSeeTheirOperatorsDevices()
    {
        testing::ModelFixture f;
        QVERIFY(f.open(QStringLiteral("am-albion")));
        DeviceTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.reload();
        QTRY_VERIFY(model.isCounted() && !model.isLoading());
        QCOMPARE(model.totalCount(), 10); // the car units, whose fleet's home is Albion
        QCOMPARE(model.index(0, DeviceTableModel::Fleet).data().toString(), QStringLiteral("PAYD car units"));
    }
};

QTEST_MAIN(TestDeviceTableModel)
#include "tst_devicetablemodel.moc"
