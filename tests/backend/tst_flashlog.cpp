#include "simulation/flashlog.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace simfleet;
using namespace simfleet::simulation;

namespace {

const QByteArray fieldA = QByteArrayLiteral("field-A.");
const QByteArray fieldB = QByteArrayLiteral("field-B.");

FlashRecord installed(int i)
{
    FlashRecord r;
    r.kind = FlashRecord::Kind::Installed;
    r.eid = QStringLiteral("8904903200000000000000000000%1").arg(i, 4, 10, QLatin1Char('0'));
    r.iccid = QStringLiteral("894900000000000%1").arg(i, 4, 10, QLatin1Char('0'));
    r.plmn = QStringLiteral("26201");
    r.data = QByteArray(60, char(i));
    return r;
}

bool same(const FlashRecord &a, const FlashRecord &b)
{
    return a.kind == b.kind && a.eid == b.eid && a.iccid == b.iccid && a.plmn == b.plmn && a.fallback == b.fallback
        && a.data == b.data;
}

} // namespace

class TestFlashLog : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const char *name) const { return m_dir.filePath(QLatin1StringView(name)); }

private slots:
    void recordsSurviveReopening()
    {
        const QString file = path("a-flash");
        QByteArray generation;
        {
            auto log = FlashLog::open(file, fieldA);
            QVERIFY2(log, qPrintable(log.errorMessage()));
            QVERIFY(log.value()->recovered().empty());
            generation = log.value()->generation();
            QCOMPARE(generation.size(), 16);
            for (int i = 0; i < 50; ++i)
                QVERIFY(log.value()->append(installed(i)));
            FlashRecord enabled;
            enabled.kind = FlashRecord::Kind::Enabled;
            enabled.eid = installed(7).eid;
            enabled.iccid = installed(7).iccid;
            enabled.fallback = installed(6).iccid;
            QVERIFY(log.value()->append(enabled));
        }
        QCOMPARE(QFile::permissions(file) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        auto log = FlashLog::open(file, fieldA);
        QVERIFY(log);
        QCOMPARE(log.value()->generation(), generation);
        const auto &records = log.value()->recovered();
        QCOMPARE(records.size(), std::size_t(51));
        for (int i = 0; i < 50; ++i)
            QVERIFY(same(records[std::size_t(i)], installed(i)));
        QCOMPARE(records.back().kind, FlashRecord::Kind::Enabled);
        QCOMPARE(records.back().fallback, installed(6).iccid);
        QCOMPARE(log.value()->devicesWritten().size(), 50);

        // Restarted: empty, under a new generation.
        QVERIFY(log.value()->restart());
        QVERIFY(log.value()->generation() != generation);
        QVERIFY(log.value()->devicesWritten().isEmpty());
        log.value().reset();
        auto again = FlashLog::open(file, fieldA);
        QVERIFY(again && again.value()->recovered().empty());
    }

    void tornTailIsCutOff_data()
    {
        QTest::addColumn<int>("cut");
        QTest::addColumn<bool>("flipByte");
        QTest::newRow("half a record") << 40 << false;
        QTest::newRow("only the length") << 3 << false;
        QTest::newRow("damaged last record") << 0 << true;
    }

    void tornTailIsCutOff()
    {
        QFETCH(int, cut);
        QFETCH(bool, flipByte);
        const QString file = path("torn-flash");
        QFile::remove(file);
        qint64 sizeAfterTwo = 0;
        {
            auto log = FlashLog::open(file, fieldA);
            QVERIFY(log);
            QVERIFY(log.value()->append(installed(1)));
            QVERIFY(log.value()->append(installed(2)));
            sizeAfterTwo = QFileInfo(file).size();
            QVERIFY(log.value()->append(installed(3)));
        }
        // What a process killed in the middle of the third write leaves.
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        if (flipByte) {
            QVERIFY(f.seek(f.size() - 5));
            QVERIFY(f.write("\xff") == 1);
        } else {
            QVERIFY(f.resize(sizeAfterTwo + cut));
        }
        f.close();

        auto log = FlashLog::open(file, fieldA);
        QVERIFY2(log, qPrintable(log.errorMessage()));
        QCOMPARE(log.value()->recovered().size(), std::size_t(2));
        QCOMPARE(QFileInfo(file).size(), sizeAfterTwo);
        // Appending goes on after the last good record.
        QVERIFY(log.value()->append(installed(4)));
        log.value().reset();
        auto reopened = FlashLog::open(file, fieldA);
        QVERIFY(reopened);
        QCOMPARE(reopened.value()->recovered().size(), std::size_t(3));
        QVERIFY(same(reopened.value()->recovered()[2], installed(4)));
    }

    void anotherFieldsLogIsSetAside()
    {
        const QString file = path("other-flash");
        {
            auto log = FlashLog::open(file, fieldB);
            QVERIFY(log);
            QVERIFY(log.value()->append(installed(9)));
        }
        auto log = FlashLog::open(file, fieldA);
        QVERIFY2(log, qPrintable(log.errorMessage()));
        QVERIFY(log.value()->recovered().empty());
        QVERIFY(QFile::exists(file + QStringLiteral(".foreign")));
        // Not a flash log at all: the same.
        QFile junk(path("junk-flash"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("this is not a flash log, just some text that happens to be long enough");
        junk.close();
        auto fromJunk = FlashLog::open(junk.fileName(), fieldA);
        QVERIFY(fromJunk && fromJunk.value()->recovered().empty());
    }

    void oneUserOfTheDevicesAtATime()
    {
        // A second simulation of the same devices waits, then is refused by name; once the first
        // closes it gets the log with everything the first wrote.
        const QString file = path("busy-flash");
        auto first = FlashLog::open(file, fieldA);
        QVERIFY(first);
        QVERIFY(first.value()->append(installed(1)));
        auto second = FlashLog::open(file, fieldA, std::chrono::milliseconds(120));
        QVERIFY(!second);
        QCOMPARE(second.error().code, ErrorCode::FieldBusy);
        QVERIFY(second.errorMessage().contains(QStringLiteral("busy with another job")));
        first.value().reset();
        auto third = FlashLog::open(file, fieldA, std::chrono::milliseconds(120));
        QVERIFY2(third, qPrintable(third.errorMessage()));
        QCOMPARE(third.value()->recovered().size(), std::size_t(1));
    }

    void fieldIdentityMustHaveEightBytes()
    {
        QVERIFY(!FlashLog::open(path("bad-flash"), QByteArrayLiteral("short")));
    }
};

QTEST_GUILESS_MAIN(TestFlashLog)
#include "tst_flashlog.moc"
