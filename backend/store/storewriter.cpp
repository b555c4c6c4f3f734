#include "storewriter.h"
#include "databaseconnection.h"
#include "storelog.h"

#include <QHash>
#include <QSqlDriver>
#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QWaitCondition>

#include <sqlite3.h>

#include <atomic>
#include <deque>
#include <unordered_map>

namespace simfleet::store {

namespace {
constexpr std::size_t maxJobsPerTransaction = 512;
// The write-ahead log is copied into the database by a checkpointer thread of its own, asked
// each time the log has grown by this many pages (16 MiB). SQLite's automatic checkpoint ran
// inside a commit every 1 000 pages and held every job waiting behind it (several milliseconds
// with its fsync); and a campaign rewrites the same few index pages in every commit, each
// checkpoint copying them again, so fewer, larger checkpoints cost less (about a tenth of a
// subscription change's CPU, bench_change).
constexpr int pagesPerCheckpoint = 4096;
// The log starts again from its beginning only when a writer finds it all copied, which a busy
// writer may never do while the checkpointer copies alongside it: once the log holds this many
// pages (64 MiB), the checkpointer copies the rest with the writer held off (RESTART), so the
// next transaction starts the log afresh.
constexpr int walLimitPages = 16384;
// A writer faster than the disk must not outrun its checkpoints for ever: past this many pages
// (80 MiB) it waits, between two transactions, for the checkpointer's RESTART.
constexpr int walHardLimitPages = 20480;

struct PendingJob
{
    WriteJob job;
    std::promise<Result<void>> promise;
};

// The writer thread's prepared statements: the same few statements run for every device of a
// campaign, and preparing one costs more than running it.
struct StatementCache
{
    QString connectionName;
    std::unordered_map<QString, QSqlQuery> statements;
};
thread_local StatementCache *currentStatements = nullptr;
} // namespace

QSqlQuery &preparedStatement(QSqlDatabase &db, const QString &sql, QSqlQuery &own)
{
    if (currentStatements && currentStatements->connectionName == db.connectionName()) {
        auto it = currentStatements->statements.find(sql);
        if (it != currentStatements->statements.end())
            return it->second;
        QSqlQuery q(db);
        if (q.prepare(sql))
            return currentStatements->statements.try_emplace(sql, std::move(q)).first->second;
    }
    own.prepare(sql); // outside a writer, or not preparable: the caller sees the error on exec()
    return own;
}

struct StoreWriter::Private
{
    QString path;
    QThread *thread = nullptr;
    QMutex mutex;
    QWaitCondition wake;
    std::deque<PendingJob> queue;
    bool stopping = false;
    std::promise<Result<void>> started;
    std::atomic<quint64> transactions { 0 };
    std::atomic<quint64> jobs { 0 };

    QThread *checkpointer = nullptr;
    QMutex checkpointMutex;
    QWaitCondition checkpointWake;
    bool checkpointWanted = false;
    bool checkpointerStopping = false;
    int pagesAtLastCheckpoint = 0;
    bool restartWanted = false; // under checkpointMutex
    quint64 restartsDone = 0;   // under checkpointMutex
    bool checkpointerRunning = false; // under checkpointMutex
    QWaitCondition checkpointDone;
    int pagesInLog = 0; // the writer's thread only

    bool postgres = false;

    void loop();
    void serve(QSqlDatabase &db);
    void runBatch(QSqlDatabase &db, std::deque<PendingJob> &batch);
    void checkpointLoop();
    static int onLogWritten(void *context, sqlite3 *, const char *, int pages);
    void logWritten(int pages);
    void holdBackForCheckpoint(QSqlDatabase &db);
};

StoreWriter::StoreWriter() : d(std::make_unique<Private>()) { }

StoreWriter::~StoreWriter()
{
    {
        QMutexLocker lock(&d->mutex);
        d->stopping = true;
        d->wake.wakeAll();
    }
    if (d->thread) {
        d->thread->wait();
        delete d->thread;
    }
}

void StoreWriter::Private::checkpointLoop()
{
    auto connection = DatabaseConnection::open(path);
    if (!connection) {
        // The log then grows until the writer closes (and checkpoints); nothing is lost.
        qCWarning(lcStore) << "no checkpointer for" << path << connection.errorMessage();
        return;
    }
    QSqlDatabase db = connection.value()->database();
    {
        QMutexLocker lock(&checkpointMutex);
        checkpointerRunning = true;
    }
    QSqlQuery checkpoint(db);
    // A reader of an old snapshot holds a RESTART (and with it the writer) back at most this long;
    // the next request tries again.
    checkpoint.exec(QStringLiteral("PRAGMA busy_timeout = 1000"));
    for (;;) {
        bool restart = false;
        {
            QMutexLocker lock(&checkpointMutex);
            while (!checkpointWanted && !checkpointerStopping)
                checkpointWake.wait(&checkpointMutex);
            if (checkpointerStopping)
                break;
            checkpointWanted = false;
            restart = std::exchange(restartWanted, false);
        }
        // PASSIVE copies what it can without waiting for the writer or readers; the writer goes
        // on appending to the log meanwhile. RESTART waits for the writer's transaction to end,
        // copies the rest and holds the writer off until the log can start again.
        const QString sql = restart ? QStringLiteral("PRAGMA wal_checkpoint(RESTART)") : QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)");
        if (!checkpoint.exec(sql))
            qCWarning(lcStore) << "checkpoint of" << path << "failed:" << checkpoint.lastError().text();
        checkpoint.finish();
        if (restart) {
            QMutexLocker lock(&checkpointMutex);
            ++restartsDone;
            checkpointDone.wakeAll();
        }
    }
    QMutexLocker lock(&checkpointMutex);
    checkpointerRunning = false;
    checkpointDone.wakeAll();
}

// SQLite calls this on the writer's thread after each commit with the pages now in the log (the
// hook SQLite's own automatic checkpoint uses, which it replaces on this connection).
int StoreWriter::Private::onLogWritten(void *context, sqlite3 *, const char *, int pages)
{
    static_cast<Private *>(context)->logWritten(pages);
    return SQLITE_OK;
}

void StoreWriter::Private::logWritten(int pages)
{
    pagesInLog = pages;
    if (pages < pagesAtLastCheckpoint)
        pagesAtLastCheckpoint = 0; // the log started again from its beginning
    if (pages - pagesAtLastCheckpoint < pagesPerCheckpoint)
        return;
    pagesAtLastCheckpoint = pages;
    QMutexLocker lock(&checkpointMutex);
    checkpointWanted = true;
    restartWanted = restartWanted || pages >= walLimitPages;
    checkpointWake.wakeOne();
}

void StoreWriter::Private::holdBackForCheckpoint(QSqlDatabase &db)
{
    if (pagesInLog < walHardLimitPages)
        return;
    QMutexLocker lock(&checkpointMutex);
    if (checkpointerRunning) {
        const quint64 before = restartsDone;
        restartWanted = checkpointWanted = true;
        checkpointWake.wakeOne();
        while (restartsDone == before && checkpointerRunning)
            checkpointDone.wait(&checkpointMutex);
    } else {
        lock.unlock();
        // No checkpointer: the writer copies the log itself.
        QSqlQuery checkpoint(db);
        if (!checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(RESTART)")))
            qCWarning(lcStore) << "checkpoint of" << path << "failed:" << checkpoint.lastError().text();
    }
    pagesInLog = 0; // known again after the next commit
}

Result<std::unique_ptr<StoreWriter>> StoreWriter::start(const QString &databasePath)
{
    std::unique_ptr<StoreWriter> writer(new StoreWriter);
    Private *p = writer->d.get();
    p->path = databasePath;
    auto started = p->started.get_future();
    p->thread = QThread::create([p] { p->loop(); });
    p->thread->setObjectName(QStringLiteral("simfleet-writer"));
    p->thread->start();
    if (auto ok = started.get(); !ok)
        return ok.error();
    return writer;
}

std::future<Result<void>> StoreWriter::submit(WriteJob job)
{
    PendingJob pending { std::move(job), {} };
    auto future = pending.promise.get_future();
    QMutexLocker lock(&d->mutex);
    if (d->stopping) {
        pending.promise.set_value(fail(QStringLiteral("the workspace is closing; the change was not saved")));
        return future;
    }
    d->queue.push_back(std::move(pending));
    d->wake.wakeOne();
    return future;
}

quint64 StoreWriter::committedTransactions() const
{
    return d->transactions.load();
}

quint64 StoreWriter::committedJobs() const
{
    return d->jobs.load();
}

void StoreWriter::Private::loop()
{
    auto connection = DatabaseConnection::open(path);
    if (!connection) {
        started.set_value(connection.error());
        return;
    }
    QSqlDatabase db = connection.value()->database();
    postgres = connection.value()->isPostgres();
    if (postgres) {
        // The server keeps its own write-ahead log and checkpoints: nothing to schedule here.
        started.set_value({});
        serve(db);
        return;
    }
    const QVariant handle = db.driver()->handle();
    sqlite3 *sqlite = handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0 ? *static_cast<sqlite3 *const *>(handle.constData())
                                                                                 : nullptr;
    if (!sqlite) {
        started.set_value(fail(QStringLiteral("cannot open %1 for writing: Qt's SQLite driver gave no handle").arg(path)));
        return;
    }
    sqlite3_wal_hook(sqlite, onLogWritten, this); // replaces SQLite's automatic checkpoint
    checkpointer = QThread::create([this] { checkpointLoop(); });
    checkpointer->setObjectName(QStringLiteral("simfleet-checkpoint"));
    checkpointer->start();
    started.set_value({});
    serve(db);
    {
        QMutexLocker lock(&checkpointMutex);
        checkpointerStopping = true;
        checkpointWake.wakeAll();
    }
    checkpointer->wait(); // its connection closes first: the writer's close checkpoints what is left
    delete checkpointer;
    checkpointer = nullptr;
}

void StoreWriter::Private::serve(QSqlDatabase &db)
{
    StatementCache cache { db.connectionName(), {} };
    currentStatements = &cache;
    for (;;) {
        std::deque<PendingJob> batch;
        {
            QMutexLocker lock(&mutex);
            while (queue.empty() && !stopping)
                wake.wait(&mutex);
            if (queue.empty() && stopping)
                break;
            while (!queue.empty() && batch.size() < maxJobsPerTransaction) {
                batch.push_back(std::move(queue.front()));
                queue.pop_front();
            }
        }
        runBatch(db, batch);
        if (!postgres)
            holdBackForCheckpoint(db);
    }
    currentStatements = nullptr;
    cache.statements.clear(); // before the connection closes
}

void StoreWriter::Private::runBatch(QSqlDatabase &db, std::deque<PendingJob> &batch)
{
    // Transaction control: kept prepared on SQLite; PostgreSQL prepares only data statements, so
    // there each is sent as text.
    struct Control
    {
        QSqlQuery &query;
        QString sql;
        bool prepared;
        bool exec() { return prepared ? query.exec() : query.exec(sql); }
        QString error() const { return query.lastError().text(); }
    };
    QSqlQuery own0(db), own1(db), own2(db), own3(db), own4(db);
    const auto control = [&db, this](const char *sql, QSqlQuery &own) {
        const QString text = QString::fromLatin1(sql);
        return Control { postgres ? own : preparedStatement(db, text, own), text, !postgres };
    };
    // BEGIN IMMEDIATE takes SQLite's write lock up front, so a reader elsewhere never forces this
    // transaction to fail half way. PostgreSQL locks rows as they are written.
    Control begin = control(postgres ? "BEGIN" : "BEGIN IMMEDIATE", own0);
    Control commit = control("COMMIT", own4);
    Control savepoint = control("SAVEPOINT job", own1);
    Control release = control("RELEASE job", own2);
    Control rollbackTo = control("ROLLBACK TO job", own3);
    QSqlQuery rollback(db);
    const auto failAll = [&batch](const QString &why) {
        for (PendingJob &p : batch)
            p.promise.set_value(fail(QStringLiteral("saving to the workspace failed: %1").arg(why)));
    };
    if (!begin.exec()) {
        failAll(begin.error());
        return;
    }
    std::vector<Result<void>> outcomes;
    outcomes.reserve(batch.size());
    for (PendingJob &p : batch) {
        if (!savepoint.exec()) {
            outcomes.emplace_back(fail(savepoint.error()));
            continue;
        }
        Result<void> outcome = p.job(db);
        if (!outcome)
            rollbackTo.exec();
        release.exec();
        outcomes.push_back(std::move(outcome));
    }
    if (!commit.exec()) {
        const QString why = commit.error();
        rollback.exec(QStringLiteral("ROLLBACK"));
        qCWarning(lcStore) << "commit failed:" << why;
        failAll(why);
        return;
    }
    transactions.fetch_add(1);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (outcomes[i])
            jobs.fetch_add(1);
        batch[i].promise.set_value(std::move(outcomes[i]));
    }
}

} // namespace simfleet::store
