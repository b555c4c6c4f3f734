#include "modelfixture.h"
#include "usertablemodel.h"

#include <QAbstractItemModelTester>

using namespace simfleet;
using models::UserTableModel;

class TestUserTableModel : public QObject
{
    Q_OBJECT

private slots:
    void administratorsSeeEveryUser()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        UserTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &UserTableModel::reload));
        QCOMPARE(model.rowCount(), 7);
        QStringList names;
        for (int row = 0; row < model.rowCount(); ++row)
            names << model.index(row, UserTableModel::Name).data().toString();
        QVERIFY(names.contains(QStringLiteral("am-iberia")));
        QCOMPARE(model.operatorNames().size(), 4);
        QVERIFY(model.idleMinutes() > 0);
        // The one who logged in has a last login; nobody's password is anywhere in the rows.
        for (int row = 0; row < model.rowCount(); ++row) {
            for (int column = 0; column < model.columnCount(); ++column)
                QVERIFY(model.index(row, column).data().toString() != QStringLiteral("demo"));
        }
    }

    void viewersSeeNoUsers()
    {
        testing::ModelFixture f;
        QVERIFY(f.open(QStringLiteral("viewer")));
        UserTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!testing::waitLoaded(model, &UserTableModel::reload));
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestUserTableModel)
#include "tst_usertablemodel.moc"
