#include "attestationmodels.h"
#include "modelfixture.h"

#include <QAbstractItemModelTester>

using namespace simfleet;
using models::ReferenceValueTableModel;

class TestReferenceValueTableModel : public QObject
{
    Q_OBJECT

private slots:
    void referenceValuesWithTheirMeasurements()
    {
        testing::ModelFixture f;
        QVERIFY(f.open(QStringLiteral("viewer")));
        ReferenceValueTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &ReferenceValueTableModel::reload));
        QVERIFY(model.rowCount() >= 3);
        const QString digests = model.index(0, ReferenceValueTableModel::Measurements).data(Qt::ToolTipRole).toString();
        QCOMPARE(digests.count(u'\n'), 2); // three components, a line each
        QVERIFY(digests.contains(QStringLiteral("bootloader: ")));
        QVERIFY(model.index(0, ReferenceValueTableModel::Retired).data().toString().isEmpty());
    }
};

QTEST_MAIN(TestReferenceValueTableModel)
#include "tst_referencevaluetablemodel.moc"
