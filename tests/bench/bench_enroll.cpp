// Enrollment speed: generated factory CSVs of 100 000 and 1 000 000 devices validated (preview)
// and stored (commit) in a fresh workspace, next to a bare SQLite insert of the same rows into
// the same table shape through the sqlite3 C API, measured in the same run. Prints rows/s, the
// ratio, and the process's peak memory. Usage: bench_enroll [--quick]

#include "benchsupport.h"
#include "fleet/enrollment.h"
#include "testsession.h"
#include "identity/eid.h"
#include "identity/imei.h"
#include "store/workspace.h"

#include <sqlite3.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <cstdio>

using namespace simfleet;

namespace {

struct Row
{
    QByteArray eid, imei, serial, label;
};

Row makeRow(int i)
{
    const QString eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000%1").arg(i, 9, 10, QLatin1Char('0')))
                            .value()
                            .toString();
    const QString imei = identity::Imei::parse(QStringLiteral("35%1").arg(i, 12, 10, QLatin1Char('0'))).value().toString();
    return { eid.toLatin1(), imei.toLatin1(), "SM-" + QByteArray::number(i), "Meter " + QByteArray::number(i) };
}

bool writeCsv(const QString &path, int rows)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QByteArray chunk = "eid,imei,serial,model,secure_element,label,latitude,longitude\n";
    for (int i = 0; i < rows; ++i) {
        const Row r = makeRow(i);
        chunk += r.eid + ',' + r.imei + ',' + r.serial + ",MeterOne M2,"
            + (i % 2 ? "trusted-environment" : "integrated-uicc") + ",\"" + r.label + "\",52.37,4.89\n";
        if (chunk.size() > (1 << 20)) {
            f.write(chunk);
            chunk.clear();
        }
    }
    f.write(chunk);
    return true;
}

double bareSqlite(const QString &path, int rows)
{
    sqlite3 *db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE device (id INTEGER PRIMARY KEY, eid TEXT NOT NULL UNIQUE, imei TEXT NOT NULL UNIQUE,"
                     " serial TEXT NOT NULL, model TEXT NOT NULL, secure_element TEXT NOT NULL, label TEXT NOT NULL,"
                     " latitude REAL, longitude REAL, fleet_id INTEGER NOT NULL, enrolled_at TEXT NOT NULL)",
                 nullptr, nullptr, nullptr);
    std::vector<Row> data;
    data.reserve(std::size_t(rows));
    for (int i = 0; i < rows; ++i)
        data.push_back(makeRow(i));
    QElapsedTimer t;
    t.start();
    sqlite3_stmt *stmt = nullptr;
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO device (eid, imei, serial, model, secure_element, label, latitude, longitude,"
                       " fleet_id, enrolled_at) VALUES (?, ?, ?, 'MeterOne M2', ?, ?, 52.37, 4.89, 1, ?)",
                       -1, &stmt, nullptr);
    for (int i = 0; i < rows; ++i) {
        const Row &r = data[std::size_t(i)];
        sqlite3_bind_text(stmt, 1, r.eid.constData(), int(r.eid.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, r.imei.constData(), int(r.imei.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, r.serial.constData(), int(r.serial.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, i % 2 ? "trusted-environment" : "integrated-uicc", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, r.label.constData(), int(r.label.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, "2026-11-28T00:00:00.000Z", -1, SQLITE_STATIC);
        sqlite3_step(stmt);
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    sqlite3_close(db);
    return seconds;
}

bool measure(const QTemporaryDir &dir, int rows)
{
    const QString csv = dir.filePath(QStringLiteral("devices-%1.csv").arg(rows));
    if (!writeCsv(csv, rows))
        return false;
    auto ws = store::Workspace::create(dir.filePath(QStringLiteral("bench-%1.simfleet").arg(rows)),
                                       QStringLiteral("bench"), "bench passphrase");
    if (!ws) {
        std::fprintf(stderr, "%s\n", qPrintable(ws.errorMessage()));
        return false;
    }
    QElapsedTimer t;
    t.start();
    auto preview = fleet::Enrollment::previewFile(csv, ws.value()->database());
    const double previewSeconds = double(t.nsecsElapsed()) / 1e9;
    if (!preview || qsizetype(preview->accepted.size()) != rows) {
        std::fprintf(stderr, "preview failed: %s\n", qPrintable(preview.errorMessage()));
        return false;
    }
    t.restart();
    auto outcome = fleet::Enrollment::commit(*ws.value(), testing::ownerOf(*ws.value()), preview.value(), { QStringLiteral("Bench meters"),
                                                                             QStringLiteral("Bench utility"), {} });
    const double commitSeconds = double(t.nsecsElapsed()) / 1e9;
    if (!outcome || outcome->stored != rows) {
        std::fprintf(stderr, "commit failed: %s\n", qPrintable(outcome.errorMessage()));
        return false;
    }
    const long peak = bench::peakMemoryMiB();
    const double bare = bareSqlite(dir.filePath(QStringLiteral("bare-%1.db").arg(rows)), rows);
    const double total = previewSeconds + commitSeconds;
    std::printf("%9d rows  validate %6.2f s  store %6.2f s  total %6.2f s  %9.0f rows/s | bare SQLite insert %6.2f s "
                "%9.0f rows/s | simfleet/bare insert time %5.2f | peak RSS %ld MiB\n",
                rows, previewSeconds, commitSeconds, total, rows / total, bare, rows / bare, commitSeconds / bare, peak);
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false"));
    const bool quick = QCoreApplication::arguments().contains(QStringLiteral("--quick"));
    QTemporaryDir dir;
    std::printf("simfleet enrollment: CSV validated (preview) and stored (commit), SQLite %s\n", sqlite3_libversion());
    const QList<int> sizes = quick ? QList<int> { 2000 } : QList<int> { 100000, 1000000 };
    for (int rows : sizes) {
        if (!measure(dir, rows))
            return 1;
    }
    return 0;
}
