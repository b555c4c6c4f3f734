#include "attestationmodels.h"
#include "modelfixture.h"

#include <QAbstractItemModelTester>

using namespace simfleet;
using models::VerdictTableModel;

class TestVerdictTableModel : public QObject
{
    Q_OBJECT

private slots:
    void verdictsByReasonWorstFirst()
    {
        testing::ModelFixture f;
        QVERIFY(f.open(QStringLiteral("admin"), true));
        VerdictTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &VerdictTableModel::reload));
        QVERIFY(model.rowCount() >= 2);
        qint64 devices = 0;
        for (int row = 0; row < model.rowCount(); ++row)
            devices += model.rowAt(row)->devices;
        QCOMPARE(devices, 20); // every meter has one latest verdict
        // Worst first: the first row is not affirming, the last one is, shown in green.
        QVERIFY(model.index(0, VerdictTableModel::Verdict).data().toString() != QStringLiteral("affirming"));
        const int last = model.rowCount() - 1;
        QCOMPARE(model.index(last, VerdictTableModel::Verdict).data().toString(), QStringLiteral("affirming"));
        QVERIFY(model.index(last, VerdictTableModel::Verdict).data(Qt::ForegroundRole).isValid());
    }
};

QTEST_MAIN(TestVerdictTableModel)
#include "tst_verdicttablemodel.moc"
