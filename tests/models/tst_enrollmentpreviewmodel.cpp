#include "enrollmentpreviewmodel.h"

#include "fleet/enrollment.h"
#include "simulation/demoworkspace.h"
#include "store/workspace.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using models::EnrollmentPreviewModel;

class TestEnrollmentPreviewModel : public QObject
{
    Q_OBJECT

private slots:
    // The factory sample: rejected rows first with the offending cells marked, then the rows
    // ready to import.
    void rejectedRowsFirstWithTheirProblems()
    {
        QTemporaryDir dir;
        auto ws = simulation::DemoWorkspace::create(dir.filePath(QStringLiteral("preview.simfleet")), nullptr, { 2, 2, 2, false });
        QVERIFY2(ws, qPrintable(ws.errorMessage()));
        auto preview = fleet::Enrollment::previewFile(QStringLiteral(SIMFLEET_TEST_DATA "/enroll-sample.csv"), ws.value()->database());
        QVERIFY2(preview, qPrintable(preview.errorMessage()));
        EnrollmentPreviewModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setPreview(std::make_shared<const fleet::EnrollmentPreview>(preview.value()));
        const qsizetype rejected = preview->rejectedRows.size();
        QVERIFY(rejected > 0);
        QCOMPARE(model.rowCount(), int(rejected + qsizetype(preview->accepted.size())));
        for (int row = 0; row < model.rowCount(); ++row) {
            const bool bad = row < rejected;
            QCOMPARE(model.index(row, EnrollmentPreviewModel::Problem).data(EnrollmentPreviewModel::ProblemRole).toBool(), bad);
            QCOMPARE(model.index(row, EnrollmentPreviewModel::Problem).data().toString() == QStringLiteral("ready"), !bad);
        }
        // The cell at fault is marked; another cell of the same row is not.
        bool someCellUnmarked = false;
        for (int column = EnrollmentPreviewModel::Eid; column < EnrollmentPreviewModel::ColumnCount; ++column)
            someCellUnmarked |= !model.index(0, column).data(EnrollmentPreviewModel::ProblemRole).toBool();
        QVERIFY(someCellUnmarked);
        model.setPreview(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestEnrollmentPreviewModel)
#include "tst_enrollmentpreviewmodel.moc"
