#include "fleet/enrollment.h"
#include "testsession.h"
#include "store/operatorrepository.h"
#include "store/auditlog.h"
#include "store/customerrepository.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QBuffer>
#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using namespace simfleet::fleet;

namespace {

const QString samplePath = QStringLiteral(SIMFLEET_TEST_DATA "/enroll-sample.csv");
const crypto::ScryptParameters fastKdf { 1024, 8, 1 };

Result<EnrollmentPreview> previewBytes(store::Workspace &ws, const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return Enrollment::preview(buffer, ws.database(), QStringLiteral("test.csv"));
}

qint64 deviceCount(store::Workspace &ws)
{
    return store::DeviceRepository(ws.database()).count().value();
}

const QByteArray header = "eid,imei,serial,model,secure_element\n";
const QByteArray rowA = "89049032000000000000000000000066,352099000000006,SM-1000,MeterOne M2,integrated-uicc\n";
const QByteArray rowB = "89049032000000000000000000000163,352099000000014,SM-1001,MeterOne M2,trusted-environment\n";

} // namespace

class TestEnrollment : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("ws%1.simfleet").arg(++m_count));
        auto ws = store::Workspace::create(m_path, QStringLiteral("Utility"), "a long passphrase", nullptr, fastKdf);
        QVERIFY2(ws.ok(), qPrintable(ws.errorMessage()));
        m_ws = std::move(ws).value();
        QVERIFY(m_ws->writer()
                    .run([](QSqlDatabase &db) {
                        return store::CustomerRepository(db)
                            .insert({ 0, QStringLiteral("Stadtwerke Rheinau"), QStringLiteral("metering") },
                                    QDateTime::currentDateTimeUtc())
                            .ok()
                            ? Result<void>()
                            : fail(QStringLiteral("customer"));
                    })
                    .ok());
    }
    void cleanup() { m_ws.reset(); }

    // The fleet's home operator comes with the import: set on a new fleet (or one without),
    // refused when it would change an existing fleet's, refused when unknown; a refusal stores nothing.
    void homeOperatorWithTheImport()
    {
        QVERIFY(m_ws->writer()
                    .run([](QSqlDatabase &db) -> Result<void> {
                        store::OperatorRecord op;
                        op.name = QStringLiteral("Rheinfunk");
                        op.country = QStringLiteral("Germany");
                        op.mcc = QStringLiteral("001");
                        op.mnc = QStringLiteral("02");
                        op.msinFirst = op.msinNext = 1;
                        op.msinLast = 1000;
                        op.iccidPrefix = QStringLiteral("894902");
                        op.iccidFirst = op.iccidNext = 1;
                        op.iccidLast = 1000;
                        auto a = store::OperatorRepository(db).insert(op, QDateTime::currentDateTimeUtc());
                        op.name = QStringLiteral("Albion Telecom");
                        op.mnc = QStringLiteral("03");
                        op.iccidPrefix = QStringLiteral("894403");
                        auto b = store::OperatorRepository(db).insert(op, QDateTime::currentDateTimeUtc());
                        return a && b ? Result<void>() : fail(QStringLiteral("operators"));
                    })
                    .ok());
        const auto preview = previewBytes(*m_ws, header + rowA);
        QVERIFY(preview.ok());
        const auto unknown = Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), preview.value(),
                                                { QStringLiteral("Meters"), {}, QStringLiteral("Nowhere Mobile") });
        QVERIFY(!unknown);
        QCOMPARE(unknown.errorMessage(), QStringLiteral("there is no operator Nowhere Mobile"));
        QCOMPARE(deviceCount(*m_ws), 0);
        const auto stored = Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), preview.value(),
                                               { QStringLiteral("Meters"), {}, QStringLiteral("Rheinfunk") });
        QVERIFY2(stored, qPrintable(stored.errorMessage()));
        const auto fleet = store::FleetRepository(m_ws->database()).findUnique(QStringLiteral("Meters")).value();
        QCOMPARE(fleet.homeOperatorId,
                 std::optional<qint64>(store::OperatorRepository(m_ws->database()).findByName(QStringLiteral("Rheinfunk")).value()->id));
        const auto more = previewBytes(*m_ws, header + "89049032000000000000000000000163,352099000000014,SM-9,MeterOne M2,integrated-uicc\n");
        QVERIFY(more.ok());
        const auto other = Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), more.value(),
                                              { QStringLiteral("Meters"), {}, QStringLiteral("Albion Telecom") });
        QVERIFY(!other);
        QVERIFY2(other.errorMessage().contains(QStringLiteral("already has another home operator")), qPrintable(other.errorMessage()));
        QCOMPARE(deviceCount(*m_ws), 1);
    }

    void sampleFilePreview()
    {
        const auto preview = Enrollment::previewFile(samplePath, m_ws->database());
        QVERIFY2(preview.ok(), qPrintable(preview.errorMessage()));
        QCOMPARE(preview->rowsRead, 12);
        QCOMPARE(qsizetype(preview->accepted.size()), 8);
        QCOMPARE(preview->rejected, 4);
        QCOMPARE(preview->duplicates, 0);
        QList<qint64> rejectedLines;
        for (const EnrollmentIssue &i : preview->issues) {
            if (!rejectedLines.contains(i.line))
                rejectedLines.append(i.line);
        }
        QCOMPARE(rejectedLines, (QList<qint64> { 10, 11, 12, 13 }));
        const auto issueOn = [&](qint64 line, const QString &field) {
            for (const EnrollmentIssue &i : preview->issues) {
                if (i.line == line && i.field == field)
                    return i.message;
            }
            return QString();
        };
        QCOMPARE(issueOn(10, QStringLiteral("eid")), QStringLiteral("EID check digits do not match: expected 60"));
        QCOMPARE(issueOn(11, QStringLiteral("imei")), QStringLiteral("IMEI check digit does not match: expected 8"));
        QCOMPARE(issueOn(12, QStringLiteral("eid")), QStringLiteral("duplicate of the EID on line 2"));
        QCOMPARE(issueOn(13, QStringLiteral("secure_element")),
                 QStringLiteral("secure_element must be integrated-uicc or trusted-environment, not \"soldered\""));
        QCOMPARE(preview->accepted.front().label(), QStringLiteral("Meter 0 Elm Street"));
        QCOMPARE(preview->accepted.front().latitude(), std::optional<double>(52.370));
        // A preview stores nothing.
        QCOMPARE(deviceCount(*m_ws), 0);
    }

    void commitThenReimportAddsNothing()
    {
        auto preview = Enrollment::previewFile(samplePath, m_ws->database());
        QVERIFY(preview.ok());
        const auto outcome = Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), preview.value(), { QStringLiteral("Elm Street meters"), {}, {} });
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        QCOMPARE(outcome->stored, 8);
        QCOMPARE(outcome->customer, QStringLiteral("Stadtwerke Rheinau"));
        QCOMPARE(deviceCount(*m_ws), 8);

        const auto again = Enrollment::previewFile(samplePath, m_ws->database());
        QVERIFY(again.ok());
        QCOMPARE(qsizetype(again->accepted.size()), 0);
        QCOMPARE(again->duplicates, 8);
        QCOMPARE(again->rejected, 4);
        QVERIFY(Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), again.value(), { QStringLiteral("Elm Street meters"), {}, {} })
                    .ok());
        QCOMPARE(deviceCount(*m_ws), 8);

        QSqlDatabase db = m_ws->database();
        const auto entries = store::AuditLog::list(db, 0, 100).value();
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(1).action, QStringLiteral("enroll"));
        QCOMPARE(entries.at(1).subject, QStringLiteral("fleet:Stadtwerke Rheinau/Elm Street meters"));
        QVERIFY(entries.at(1).details.contains(QStringLiteral("\"accepted\":8")));
        QVERIFY(store::AuditLog::verify(db).value().intact);
    }

    void conflictsWithEnrolledDevices()
    {
        auto first = previewBytes(*m_ws, header + rowA);
        QVERIFY(Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), first.value(), { QStringLiteral("F"), {}, {} }).ok());
        // Same EID, other IMEI; and same IMEI under another EID.
        const auto conflicting = previewBytes(
            *m_ws, header + "89049032000000000000000000000066,352099000000014,SM-9,MeterOne M2,integrated-uicc\n"
                "89049032000000000000000000000163,352099000000006,SM-10,MeterOne M2,integrated-uicc\n");
        QVERIFY(conflicting.ok());
        QCOMPARE(conflicting->rejected, 2);
        QCOMPARE(conflicting->issues.at(0).message,
                 QStringLiteral("EID already enrolled for another device (IMEI 352099000000006, serial SM-1000)"));
        QCOMPARE(conflicting->issues.at(1).message,
                 QStringLiteral("IMEI already enrolled for EID 89049032000000000000000000000066"));
    }

    void fileLevelErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("error");
        QTest::newRow("0 bytes") << QByteArray() << "the file is empty; it needs a header line";
        QTest::newRow("no header") << QByteArray(rowA + rowB) << "the first line must be a header naming the columns";
        QTest::newRow("unknown column") << QByteArray("eid,imei,serial,model,secure_element,colour\n")
                                        << "unknown column \"colour\" in the header";
        QTest::newRow("missing column") << QByteArray("eid,serial,model,secure_element\n")
                                        << "the header has no \"imei\" column";
        QTest::newRow("column twice") << QByteArray("eid,imei,serial,model,secure_element,EID\n")
                                      << "the column \"eid\" appears twice in the header";
        QTest::newRow("unbalanced quote") << QByteArray(header + rowA + "\"8904,1,2,3,4\n" + rowB)
                                          << "line 3: the quoted field starting here is never closed";
        QTest::newRow("not UTF-8") << QByteArray(header + rowA + "89049032000000000000000000000163,352099000000014,"
                                                                 "SM-1001,Z\xE4hler,integrated-uicc\n")
                                   << "line 3: the text is not valid UTF-8";
    }

    void fileLevelErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, error);
        const auto preview = previewBytes(*m_ws, bytes);
        QVERIFY(!preview.ok());
        QVERIFY2(preview.errorMessage().startsWith(error), qPrintable(preview.errorMessage()));
        QCOMPARE(deviceCount(*m_ws), 0);
    }

    void rowLevelErrors_data()
    {
        QTest::addColumn<QByteArray>("row");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        QTest::newRow("31-digit EID") << QByteArray("8904903200000000000000000000006,352099000000006,S,M,integrated-uicc")
                                      << "eid" << "EID must have 32 digits, got 31";
        QTest::newRow("33-digit EID") << QByteArray("890490320000000000000000000000660,352099000000006,S,M,integrated-uicc")
                                      << "eid" << "EID must have 32 digits, got 33";
        QTest::newRow("letters in EID") << QByteArray("8904903200000000000000000000006A,352099000000006,S,M,integrated-uicc")
                                        << "eid" << "EID must contain digits only";
        QTest::newRow("bad IMEI") << QByteArray("89049032000000000000000000000066,352099000000001,S,M,integrated-uicc")
                                  << "imei" << "IMEI check digit does not match: expected 6";
        QTest::newRow("too few fields") << QByteArray("89049032000000000000000000000066,352099000000006,S,M")
                                        << "" << "the row has 4 fields, the header has 5";
        QTest::newRow("too many fields") << QByteArray("89049032000000000000000000000066,352099000000006,S,M,integrated-uicc,x")
                                         << "" << "the row has 6 fields, the header has 5";
        QTest::newRow("no serial") << QByteArray("89049032000000000000000000000066,352099000000006,,M,integrated-uicc")
                                   << "serial" << "serial is required";
        QTest::newRow("no secure element") << QByteArray("89049032000000000000000000000066,352099000000006,S,M,")
                                           << "secure_element"
                                           << "secure_element is required: integrated-uicc or trusted-environment";
    }

    void rowLevelErrors()
    {
        QFETCH(QByteArray, row);
        QFETCH(QString, field);
        QFETCH(QString, message);
        const auto preview = previewBytes(*m_ws, header + row + "\n" + rowB);
        QVERIFY2(preview.ok(), qPrintable(preview.errorMessage()));
        QCOMPARE(preview->rejected, 1);
        QCOMPARE(qsizetype(preview->accepted.size()), 1);
        QCOMPARE(preview->issues.first().line, 2);
        QCOMPARE(preview->issues.first().field, field);
        QCOMPARE(preview->issues.first().message, message);
    }

    void coordinates()
    {
        const QByteArray h = "eid,imei,serial,model,secure_element,latitude,longitude\n";
        const auto preview = previewBytes(
            *m_ws, h + "89049032000000000000000000000066,352099000000006,S1,M,integrated-uicc,91,4.8\n"
                       "89049032000000000000000000000163,352099000000014,S2,M,integrated-uicc,52.3,\n"
                       "89049032000000000000000000000260,352099000000022,S3,M,integrated-uicc,\"52,3\",4.8\n"
                       "89049032000000000000000000000357,352099000000030,S4,M,integrated-uicc,-33.9,151.2\n");
        QVERIFY(preview.ok());
        QCOMPARE(preview->rejected, 3);
        QCOMPARE(preview->issues.at(0).message, QStringLiteral("latitude must be a number from -90 to 90, not \"91\""));
        QCOMPARE(preview->issues.at(1).message, QStringLiteral("give both latitude and longitude, or neither"));
        QCOMPARE(preview->issues.at(2).message, QStringLiteral("latitude must be a number from -90 to 90, not \"52,3\""));
        QCOMPARE(preview->accepted.front().longitude(), std::optional<double>(151.2));
    }

    void semicolonsQuotesAndColumnOrder()
    {
        const QByteArray file = "\xEF\xBB\xBF" "serial;secure_element;label;imei;model;eid\r\n"
                                "SM-1;integrated-uicc;\"Meter; basement\";352099000000006;MeterOne;89049032000000000000000000000066\r\n";
        const auto preview = previewBytes(*m_ws, file);
        QVERIFY2(preview.ok(), qPrintable(preview.errorMessage()));
        QCOMPARE(qsizetype(preview->accepted.size()), 1);
        QCOMPARE(preview->accepted.front().label(), QStringLiteral("Meter; basement"));
        QCOMPARE(preview->accepted.front().eid(), QStringLiteral("89049032000000000000000000000066"));
    }

    void rejectsFileCanBeFixedAndReimported()
    {
        const auto preview = Enrollment::previewFile(samplePath, m_ws->database());
        QVERIFY(preview.ok());
        const QString rejects = m_dir.filePath(QStringLiteral("rejects.csv"));
        QVERIFY(Enrollment::writeRejects(preview.value(), rejects).ok());
        QFile f(rejects);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QCOMPARE(lines.first().trimmed(), QByteArray("eid,imei,serial,model,secure_element,label,latitude,longitude,error"));
        QCOMPARE(lines.size(), 6); // header, four rows, final empty line
        QVERIFY(lines.at(1).contains("EID check digits do not match: expected 60"));
        // The rejects file is itself importable: its own rows are rejected again, for the same reasons,
        // and the "error" column is refused as unknown until the user removes it.
        f.close();
        const auto again = Enrollment::previewFile(rejects, m_ws->database());
        QVERIFY(!again.ok());
        QVERIFY(again.errorMessage().startsWith(QStringLiteral("unknown column \"error\"")));
    }

    void fleetAndCustomerResolution()
    {
        auto preview = previewBytes(*m_ws, header + rowA);
        // A named customer that does not exist yet is created with the fleet.
        auto outcome = Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), preview.value(), { QStringLiteral("Trucks"), QStringLiteral("TransAlp"), {} });
        QVERIFY2(outcome.ok(), qPrintable(outcome.errorMessage()));
        QCOMPARE(outcome->customer, QStringLiteral("TransAlp"));
        // Two customers now: a new fleet without a customer is ambiguous.
        auto second = previewBytes(*m_ws, header + rowB);
        const auto ambiguous = Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), second.value(), { QStringLiteral("New fleet"), {}, {} });
        QVERIFY(!ambiguous.ok());
        QVERIFY(ambiguous.errorMessage().contains(QStringLiteral("several customers")));
        QCOMPARE(deviceCount(*m_ws), 1);
        // An existing fleet name finds its customer.
        QVERIFY(Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), second.value(), { QStringLiteral("Trucks"), {}, {} }).ok());
        QCOMPARE(deviceCount(*m_ws), 2);
    }

    void deviceEnrolledMeanwhileFailsWholeCommit()
    {
        auto both = previewBytes(*m_ws, header + rowA + rowB);
        auto onlyB = previewBytes(*m_ws, header + rowB);
        QVERIFY(Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), onlyB.value(), { QStringLiteral("F"), {}, {} }).ok());
        const auto stale = Enrollment::commit(*m_ws, testing::ownerOf(*m_ws), both.value(), { QStringLiteral("F"), {}, {} });
        QVERIFY(!stale.ok());
        QVERIFY2(stale.errorMessage().contains(QStringLiteral("preview the file again")), qPrintable(stale.errorMessage()));
        QCOMPARE(deviceCount(*m_ws), 1); // not half of the stale import
        QSqlDatabase db = m_ws->database();
        QCOMPARE(store::AuditLog::list(db, 0, 100).value().size(), 2);
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
    int m_count = 0;
    std::unique_ptr<store::Workspace> m_ws;
};

QTEST_GUILESS_MAIN(TestEnrollment)
#include "tst_enrollment.moc"
