#include "modelfixture.h"
#include "operatortablemodel.h"

#include <QAbstractItemModelTester>

using namespace simfleet;
using models::OperatorTableModel;

class TestOperatorTableModel : public QObject
{
    Q_OBJECT

private slots:
    void operatorsWithTheirRangesAndPolicy()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        OperatorTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &OperatorTableModel::reload));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.headerData(OperatorTableModel::Name, Qt::Horizontal).toString(), QStringLiteral("Operator"));
        QStringList names;
        for (int row = 0; row < model.rowCount(); ++row) {
            names << model.index(row, OperatorTableModel::Name).data().toString();
            const double share = model.index(row, OperatorTableModel::ImsiUsed).data(OperatorTableModel::UsedShareRole).toDouble();
            QVERIFY(share >= 0 && share <= 1);
            QVERIFY(!model.index(row, OperatorTableModel::Name).data(OperatorTableModel::UsedShareRole).isValid());
            QVERIFY(model.index(row, OperatorTableModel::ServerCertificate).data().toString().contains(u','));
        }
        QVERIFY(names.contains(QStringLiteral("Albion Telecom")));
    }

    // Two reloads in a row: the first answer is stale when it arrives and is dropped.
    void staleAnswersAreDropped()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        OperatorTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &OperatorTableModel::loaded);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.reload();
        model.reload();
        QTRY_COMPARE(loaded.count(), 1);
        QTest::qWait(200);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 4);
    }

    // Logged out, the rows go: nobody sees what the user before them saw.
    void rowsGoWithTheSession()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        OperatorTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &OperatorTableModel::reload));
        QCOMPARE(model.rowCount(), 4);
        f.access->logout();
        QSignalSpy failed(&model, &OperatorTableModel::loadFailed);
        model.reload();
        QCOMPARE(failed.count(), 1);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestOperatorTableModel)
#include "tst_operatortablemodel.moc"
