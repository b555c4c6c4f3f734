#include "audittablemodel.h"
#include "modelfixture.h"

#include <QAbstractItemModelTester>

using namespace simfleet;
using models::AuditTableModel;

class TestAuditTableModel : public QObject
{
    Q_OBJECT

private slots:
    void newestFirstAndSearched()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        AuditTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &AuditTableModel::reload));
        QVERIFY(model.rowCount() > 5);
        // Newest first: sequence numbers fall.
        QVERIFY(model.index(0, AuditTableModel::Seq).data().toLongLong() > model.index(1, AuditTableModel::Seq).data().toLongLong());
        QCOMPARE(model.index(0, AuditTableModel::User).data().toString(), QStringLiteral("admin")); // the login
        QSignalSpy loaded(&model, &AuditTableModel::loaded);
        model.setSearch(QStringLiteral("campaign.create"));
        QTRY_COMPARE(loaded.count(), 1);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, AuditTableModel::Action).data().toString(), QStringLiteral("campaign.create"));
        QVERIFY(!model.canFetchMore({}));
    }
};

QTEST_MAIN(TestAuditTableModel)
#include "tst_audittablemodel.moc"
