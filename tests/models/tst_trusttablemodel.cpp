#include "modelfixture.h"
#include "testworkspacenotice.h"
#include "trusttablemodel.h"

#include <QAbstractItemModelTester>
#include <QFile>

using namespace simfleet;
using models::TrustTableModel;

namespace {
const QString sgp26Ci = QStringLiteral(SIMFLEET_SGP26 "/CertificateIssuer/CERT_CI_ECDSA_NIST.der");

// The next actionFinished of model after act: (ok, message).
std::pair<bool, QString> finished(TrustTableModel &model, const std::function<void()> &act)
{
    QSignalSpy spy(&model, &TrustTableModel::actionFinished);
    act();
    if (!spy.wait(30000))
        return { false, QStringLiteral("no answer") };
    return { spy.at(0).at(0).toBool(), spy.at(0).at(1).toString() };
}
} // namespace

// The Trust page's model and the test-workspace notice (issue 18), on the demo workspace: its
// issuer and three manufacturers as rows with raw values for sorting, refusals as the backend's
// sentences, and the notice following what is trusted and who is logged in.
class TestTrustTableModel : public QObject
{
    Q_OBJECT

private slots:
    void demoTrustAnchors()
    {
        testing::ModelFixture f;
        QVERIFY(f.open());
        TrustTableModel model(f.access.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(testing::waitLoaded(model, &TrustTableModel::reload));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int(TrustTableModel::ColumnCount));
        QCOMPARE(model.headerData(TrustTableModel::KeyId, Qt::Horizontal).toString(), QStringLiteral("Key ID"));
        int manufacturers = 0;
        for (int row = 0; row < model.rowCount(); ++row) {
            const models::TrustRow *r = model.rowAt(row);
            const bool manufacturer = r->role == store::CertificateRoleName::Manufacturer;
            manufacturers += manufacturer;
            QCOMPARE(model.index(row, TrustTableModel::Kind).data().toString(),
                     manufacturer ? QStringLiteral("Manufacturer") : QStringLiteral("Certificate issuer"));
            QCOMPARE(model.index(row, TrustTableModel::EidRange).data().toString().isEmpty(), !manufacturer);
            QCOMPARE(model.index(row, TrustTableModel::KeyId).data().toString(), TrustTableModel::keyIdText(r->keyIdentifier));
            QCOMPARE(model.index(row, TrustTableModel::KeyId).data().toString().size(), 20 * 3 - 1);
            QCOMPARE(model.index(row, TrustTableModel::KeyId).data(TrustTableModel::SortRole).toByteArray(), r->keyIdentifier);
            QCOMPARE(model.index(row, TrustTableModel::ValidTo).data(TrustTableModel::SortRole).toDateTime(), r->validTo);
            QVERIFY(r->validFrom < r->validTo);
            QCOMPARE(model.index(row, TrustTableModel::Subject).data().toString(), r->subject);
            QVERIFY(!model.index(row, 0).data(TrustTableModel::AlertRole).toBool());
        }
        QCOMPARE(manufacturers, 3);
        QVERIFY(model.alerts().isEmpty());
        QVERIFY(!model.rowAt(4));
    }

    void viewersReadButDoNotChange()
    {
        testing::ModelFixture f;
        QVERIFY(f.open(QStringLiteral("viewer")));
        TrustTableModel model(f.access.get());
        QVERIFY(testing::waitLoaded(model, &TrustTableModel::reload));
        QCOMPARE(model.rowCount(), 4);
        QSignalSpy changed(&model, &TrustTableModel::trustChanged);
        const auto [ok, message] = finished(model, [&] { model.retire(model.rowAt(0)->keyIdentifier); });
        QVERIFY(!ok);
        QVERIFY2(message.contains(QStringLiteral("not permitted")), qPrintable(message));
        QCOMPARE(changed.size(), 0);
    }

    void noticeFollowsTheTestIssuer()
    {
        if (!QFile::exists(sgp26Ci))
            QSKIP("the SGP.26 test certificates (../shared/testdata/sgp26) are not beside this tree");
        testing::ModelFixture f;
        QVERIFY(f.open());
        TrustTableModel model(f.access.get());
        QVERIFY(testing::waitLoaded(model, &TrustTableModel::reload));
        models::TestWorkspaceNotice notice(f.access.get());
        QSignalSpy noticed(&notice, &models::TestWorkspaceNotice::changed);

        QSignalSpy trustChanged(&model, &TrustTableModel::trustChanged);
        const auto [ok, message] = finished(model, [&] { model.addFromFile(TrustTableModel::FileKind::CertificateIssuer, sgp26Ci); });
        QVERIFY2(ok, qPrintable(message));
        QVERIFY(message.contains(QStringLiteral("this is a test workspace now")));
        QCOMPARE(trustChanged.size(), 1);
        notice.refresh();
        QVERIFY(noticed.wait(30000));
        QVERIFY2(notice.text().contains(QStringLiteral("SGP.26 test certificate issuer")), qPrintable(notice.text()));

        // Nobody logged in: nothing is said about the workspace.
        f.access->logout();
        notice.refresh();
        QCOMPARE(noticed.size(), 2);
        QVERIFY(notice.text().isEmpty());
    }
};

QTEST_MAIN(TestTrustTableModel)
#include "tst_trusttablemodel.moc"
