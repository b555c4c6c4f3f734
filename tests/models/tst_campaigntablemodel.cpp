#include "campaigntablemodel.h"
#include "modelfixture.h"

#include <QAbstractItemModelTester>

using namespace simfleet;
using models::CampaignTableModel;

class TestCampaignTableModel : public QObject
{
    Q_OBJECT

private slots:
    void campaignsWithTheirCounts()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        QVERIFY(f.campaignId > 0);
        CampaignTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &CampaignTableModel::reload));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, CampaignTableModel::Id).data().toLongLong(), f.campaignId);
        QCOMPARE(model.index(0, CampaignTableModel::Kind).data().toString(), QStringLiteral("Provisioning"));
        QCOMPARE(model.index(0, CampaignTableModel::Devices).data().toString(), QStringLiteral("20"));
        QCOMPARE(model.index(0, CampaignTableModel::Devices).data(Qt::TextAlignmentRole).toInt(), int(Qt::AlignRight | Qt::AlignVCenter));
    }

    // A running campaign changes its own row, not the whole table.
    void progressChangesOneRow()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        CampaignTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &CampaignTableModel::reload));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        campaigns::CampaignProgress p;
        p.campaignId = f.campaignId;
        p.total = 20;
        p.done = 7;
        p.byState = { { campaigns::ItemState::Succeeded, 5 }, { campaigns::ItemState::Failed, 2 }, { campaigns::ItemState::Downloading, 13 } };
        p.elapsedSeconds = 3.5;
        model.updateProgress(p);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(reset.count(), 0);
        const QModelIndex from = changed.at(0).at(0).value<QModelIndex>();
        const QModelIndex to = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(from.row(), 0);
        QCOMPARE(to.row(), 0);
        QCOMPARE(model.index(0, CampaignTableModel::State).data().toString(), QStringLiteral("running"));
        QCOMPARE(model.index(0, CampaignTableModel::Succeeded).data().toString(), QStringLiteral("5"));
        QCOMPARE(model.index(0, CampaignTableModel::Failed).data().toString(), QStringLiteral("2"));
        QCOMPARE(model.campaignAt(0)->unfinished, 13);
    }
};

QTEST_MAIN(TestCampaignTableModel)
#include "tst_campaigntablemodel.moc"
