// Issue 17, Medium 6: the enroll and campaign wizards' name lists (loadNames, loadChoices) gave
// every fleet and customer to whoever asked, an operator account manager included. They are for
// those who may enroll or start campaigns, and hold only what their scope shows.

#include "campaignrunner.h"
#include "enrollmentcontroller.h"
#include "modelfixture.h"

#include <QSignalSpy>
#include <QTest>

using namespace simfleet;
using namespace simfleet::models;

class TestNameLists : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accountManagerGetsNoNames()
    {
        testing::ModelFixture f;
        QVERIFY(f.open(QStringLiteral("am-iberia")));
        EnrollmentController enrollment(f.access.get());
        QSignalSpy names(&enrollment, &EnrollmentController::namesLoaded);
        QSignalSpy refused(&enrollment, &EnrollmentController::failed);
        enrollment.loadNames();
        QTRY_VERIFY(names.size() + refused.size() > 0);
        QVERIFY2(names.isEmpty(), "an account manager was given the fleet and customer names");
        QVERIFY2(refused.first().at(0).toString().contains(QStringLiteral("not permitted")), qPrintable(refused.first().at(0).toString()));

        CampaignRunner runner(f.access.get(), simulation::SimulatedField::opener());
        QSignalSpy choices(&runner, &CampaignRunner::choicesLoaded);
        QSignalSpy failed(&runner, &CampaignRunner::failed);
        runner.loadChoices();
        QTRY_VERIFY(choices.size() + failed.size() > 0);
        QVERIFY2(choices.isEmpty(), "an account manager was given the campaign wizard's choices");
        QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("not permitted")), qPrintable(failed.first().at(0).toString()));
    }

    void operationsGetsEveryName()
    {
        testing::ModelFixture f;
        QVERIFY(f.open(QStringLiteral("operations")));
        CampaignRunner runner(f.access.get(), simulation::SimulatedField::opener());
        std::optional<CampaignChoices> loaded;
        connect(&runner, &CampaignRunner::choicesLoaded, this, [&loaded](const CampaignChoices &c) { loaded = c; });
        runner.loadChoices();
        QTRY_VERIFY(loaded.has_value());
        const CampaignChoices &c = *loaded;
        QCOMPARE(c.fleets.size(), 3);
        QCOMPARE(c.customers.size(), 3);

        EnrollmentController enrollment(f.access.get());
        QSignalSpy names(&enrollment, &EnrollmentController::namesLoaded);
        enrollment.loadNames();
        QTRY_COMPARE(names.size(), 1);
        QCOMPARE(names.first().at(0).toStringList().size(), 3);
    }
};

QTEST_MAIN(TestNameLists)
#include "tst_namelists.moc"
