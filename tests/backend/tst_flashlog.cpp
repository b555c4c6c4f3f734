#include "simulation/flashlog.h"

#include <QDataStream>
#include <QFile>
#include <QtEndian>
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

// Where each record's frame starts, read from the file the way a reader walks it.
QList<qint64> frameStarts(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    QList<qint64> starts;
    qsizetype at = 32;
    while (at + 16 <= bytes.size()) {
        starts.append(at);
        at += 16 + qsizetype(qFromLittleEndian<quint32>(bytes.constData() + at + 4));
    }
    return starts;
}

void overwrite(const QString &file, qint64 at, const QByteArray &bytes)
{
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.seek(at));
    QCOMPARE(f.write(bytes), bytes.size());
}

// A log as simfleet wrote it before frames carried their own marker and digest.
QByteArray versionOneLog(const QByteArray &field, const QList<FlashRecord> &records)
{
    QByteArray file = QByteArrayLiteral("SFFLASH1") + field + QByteArray(16, 'g');
    for (const FlashRecord &r : records) {
        QByteArray payload;
        QDataStream out(&payload, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_0);
        out << quint8(r.kind) << r.eid << r.iccid << r.plmn << r.fallback << r.data;
        QByteArray header(6, Qt::Uninitialized);
        qToLittleEndian(quint32(payload.size()), header.data());
        qToLittleEndian(qChecksum(payload), header.data() + 4);
        file += header + payload;
    }
    return file;
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

    // One bad byte early in the log costs its own frame, not every frame after it (security
    // issue 17, "one bad byte in the flash log loses everything after it").
    void damagedFrameIsSkippedAndLaterFramesKept_data()
    {
        QTest::addColumn<int>("frame");
        QTest::addColumn<int>("offset"); // into the frame
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("flipped payload byte") << 3 << 40 << QByteArray("\x5a");
        QTest::newRow("flipped marker") << 3 << 1 << QByteArray("\x11");
        QTest::newRow("length made huge") << 3 << 6 << QByteArray("\x7f\x7f");
        QTest::newRow("length made small") << 3 << 4 << QByteArray("\x02");
        QTest::newRow("digest damaged") << 0 << 9 << QByteArray("\x01\x02\x03");
        QTest::newRow("first frame zeroed") << 0 << 0 << QByteArray(60, '\0');
    }

    void damagedFrameIsSkippedAndLaterFramesKept()
    {
        QFETCH(int, frame);
        QFETCH(int, offset);
        QFETCH(QByteArray, bytes);
        const QString file = path("damaged-flash");
        QFile::remove(file);
        {
            auto log = FlashLog::open(file, fieldA);
            QVERIFY(log);
            for (int i = 0; i < 40; ++i)
                QVERIFY(log.value()->append(installed(i)));
        }
        const qint64 size = QFileInfo(file).size();
        const QList<qint64> starts = frameStarts(file);
        QCOMPARE(starts.size(), 40);
        overwrite(file, starts[frame] + offset, bytes);

        auto log = FlashLog::open(file, fieldA);
        QVERIFY2(log, qPrintable(log.errorMessage()));
        const auto &records = log.value()->recovered();
        QCOMPARE(records.size(), std::size_t(39));
        for (int i = 0, r = 0; i < 40; ++i) {
            if (i == frame)
                continue;
            QVERIFY2(same(records[std::size_t(r++)], installed(i)), qPrintable(QString::number(i)));
        }
        QCOMPARE(log.value()->damage().stretches, 1);
        QCOMPARE(log.value()->damage().bytes, starts[frame + 1] - starts[frame]);
        // The intact frames after the damage stay where they are, and new ones follow them.
        QCOMPARE(QFileInfo(file).size(), size);
        QVERIFY(log.value()->append(installed(77)));
        log.value().reset();
        auto reopened = FlashLog::open(file, fieldA);
        QVERIFY(reopened);
        QCOMPARE(reopened.value()->recovered().size(), std::size_t(40));
        QVERIFY(same(reopened.value()->recovered().back(), installed(77)));
    }

    void strayBytesBetweenFramesAreSkipped()
    {
        const QString file = path("stray-flash");
        QFile::remove(file);
        {
            auto log = FlashLog::open(file, fieldA);
            QVERIFY(log);
            for (int i = 0; i < 10; ++i)
                QVERIFY(log.value()->append(installed(i)));
        }
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        f.close();
        const QList<qint64> starts = frameStarts(file);
        // Garbage that even holds a frame marker, between frames 4 and 5.
        bytes.insert(starts[5], QByteArray("junk\xf1\x45\x5f\xa7\x10\x00\x00\x00more junk"));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bytes);
        f.close();
        auto log = FlashLog::open(file, fieldA);
        QVERIFY(log);
        QCOMPARE(log.value()->recovered().size(), std::size_t(10));
        QCOMPARE(log.value()->damage().stretches, 1);
    }

    void versionOneLogIsStillRead()
    {
        const QString file = path("v1-flash");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(versionOneLog(fieldA, { installed(1), installed(2), installed(3) }));
        f.close();
        {
            auto log = FlashLog::open(file, fieldA);
            QVERIFY2(log, qPrintable(log.errorMessage()));
            QCOMPARE(log.value()->generation(), QByteArray(16, 'g'));
            QCOMPARE(log.value()->recovered().size(), std::size_t(3));
            QVERIFY(same(log.value()->recovered()[2], installed(3)));
            // Appends follow the file's own format until the log restarts.
            QVERIFY(log.value()->append(installed(4)));
        }
        auto log = FlashLog::open(file, fieldA);
        QVERIFY(log);
        QCOMPARE(log.value()->recovered().size(), std::size_t(4));
        QVERIFY(same(log.value()->recovered()[3], installed(4)));
        QVERIFY(log.value()->restart());
        QVERIFY(log.value()->append(installed(5)));
        log.value().reset();
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(8) == "SFFLASH2");
        f.close();
        auto restarted = FlashLog::open(file, fieldA);
        QVERIFY(restarted);
        QCOMPARE(restarted.value()->recovered().size(), std::size_t(1));
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
