// Issue 17, Low: the demo's revocation lists ran out after 30 days, and from then on every
// verdict was revocation-unknown. A demo opened 40 days later must still affirm good devices.

#include "attestation/attestationservice.h"
#include "core/clock.h"
#include "simulation/demoworkspace.h"
#include "simulation/simulatedfield.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/referencevaluerepository.h"
#include "store/workspace.h"
#include "testsession.h"

#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;

class TestDemoRevocation : public QObject
{
    Q_OBJECT

    static qsizetype storedLists(store::Workspace &ws)
    {
        return store::RevocationListRepository(ws.database()).list().value().size();
    }

private Q_SLOTS:
    void demoOpenedFortyDaysLaterStillAffirms()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("demo.simfleet"));
        ManualClock clock(QDateTime::currentDateTimeUtc());
        qsizetype created = 0;
        {
            auto ws = simulation::DemoWorkspace::create(path, &clock, { 4, 0, 0, false });
            QVERIFY2(ws, qPrintable(ws.errorMessage()));
            created = storedLists(*ws.value());
            QVERIFY(created > 0);
        }
        // Opened again the same day: the lists are current, nothing is renewed.
        {
            auto ws = simulation::DemoWorkspace::openOrCreate(path, &clock);
            QVERIFY2(ws, qPrintable(ws.errorMessage()));
            QCOMPARE(storedLists(*ws.value()), created);
        }

        clock.advance(40 * 24 * 3600);
        auto ws = simulation::DemoWorkspace::openOrCreate(path, &clock);
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        QCOMPARE(storedLists(*ws.value()), 2 * created);
        auto field = simulation::SimulatedField::openForWorkspace(path, &clock);
        QVERIFY2(field, qPrintable(field.errorMessage()));
        field.value()->setTiming({ std::chrono::milliseconds(0), 7200 });
        const auto meters = store::FleetRepository(ws.value()->database()).findUnique(QStringLiteral("Rheinau smart meters"));
        QVERIFY(meters);
        const auto devices = store::DeviceRepository(ws.value()->database()).idsInFleet(meters->id).value();
        QCOMPARE(devices.size(), 4);

        attestation::AttestationOptions options;
        options.answerTimeout = std::chrono::milliseconds(2000);
        attestation::AttestationService service(*ws.value(), *field.value(), options);
        const auto outcomes = service.attest(testing::ownerOf(*ws.value()), devices);
        QVERIFY2(outcomes, qPrintable(outcomes.errorMessage()));
        for (const attestation::DeviceAttestation &o : outcomes.value())
            QVERIFY2(o.verdict.tier == attestation::TrustTier::Affirming, qPrintable(o.eid + u' ' + o.verdict.reasonCode));
    }
};

QTEST_GUILESS_MAIN(TestDemoRevocation)
#include "tst_demorevocation.moc"
