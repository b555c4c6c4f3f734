#include "navigationmodel.h"

#include <QAbstractItemModelTester>
#include <QIcon>
#include <QTest>

using namespace simfleet;
using Page = models::NavigationModel::Page;

class TestNavigationModel : public QObject
{
    Q_OBJECT

private slots:
    void everyPageOnceWithTitleAndIcon()
    {
        models::NavigationModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 11);
        const QStringList expected { QStringLiteral("Dashboard"), QStringLiteral("Devices"), QStringLiteral("Map"), QStringLiteral("Enroll"),
                                     QStringLiteral("Operators"), QStringLiteral("Campaigns"),
                                     QStringLiteral("Attestation"), QStringLiteral("Ledger"), QStringLiteral("Audit"), QStringLiteral("Trust"),
                                     QStringLiteral("Users") };
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex index = model.index(row);
            QCOMPARE(index.data().toString(), expected.at(row));
            QVERIFY(!index.data(models::NavigationModel::SummaryRole).toString().isEmpty());
            // The icons are the application's resources (linked from simfleet_ui).
            QVERIFY2(!index.data(Qt::DecorationRole).value<QIcon>().pixmap(22, 22).isNull(),
                     qPrintable(index.data(models::NavigationModel::IconNameRole).toString()));
        }
        QSet<int> pages;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex index = model.index(row, 0);
            QVERIFY(!index.data(Qt::DisplayRole).toString().isEmpty());
            QVERIFY(index.data(models::NavigationModel::IconNameRole).toString().startsWith(u':'));
            pages.insert(index.data(models::NavigationModel::PageRole).toInt());
        }
        QCOMPARE(pages.size(), model.rowCount());
        for (Page page : { Page::Dashboard, Page::Devices, Page::Campaigns, Page::Audit }) {
            const QModelIndex index = model.indexOf(page);
            QVERIFY(index.isValid());
            QCOMPARE(index.data(models::NavigationModel::PageRole).toInt(), int(page));
        }
    }
};

QTEST_MAIN(TestNavigationModel)
#include "tst_navigationmodel.moc"
