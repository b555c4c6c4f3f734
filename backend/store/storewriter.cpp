#include "storewriter.h"
#include "databaseconnection.h"
#include "storelog.h"

#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QWaitCondition>

#include <atomic>
#include <deque>
#include <unordered_map>

namespace simfleet::store {

namespace {
constexpr std::size_t maxJobsPerTransaction = 512;
// The write-ahead log is copied into the database by a checkpointer thread of its own, asked
// after this many commits; SQLite's automatic checkpoint would run inside a commit and hold
// every job waiting behind it (several milliseconds with its fsync).
constexpr int commitsPerCheckpoint = 32;
// Should the checkpointer fall behind a busy writer, the writer checkpoints itself once the log
// outgrows this, so the log stays bounded.
constexpr qint64 walLimitBytes = 32 * 1024 * 1024;

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
    int commitsSinceCheckpoint = 0;

    void loop();
    bool runBatch(QSqlDatabase &db, std::deque<PendingJob> &batch);
    void checkpointLoop();
    void afterCommit(QSqlDatabase &db);
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
        // The writer checkpoints by size alone then (afterCommit); nothing is lost.
        qCWarning(lcStore) << "no checkpointer for" << path << connection.errorMessage();
        return;
    }
    QSqlDatabase db = connection.value()->database();
    QSqlQuery checkpoint(db);
    for (;;) {
        {
            QMutexLocker lock(&checkpointMutex);
            while (!checkpointWanted && !checkpointerStopping)
                checkpointWake.wait(&checkpointMutex);
            if (checkpointerStopping)
                break;
            checkpointWanted = false;
        }
        // PASSIVE copies what it can without waiting for the writer or readers; the writer
        // goes on appending to the log meanwhile.
        if (!checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")))
            qCWarning(lcStore) << "checkpoint of" << path << "failed:" << checkpoint.lastError().text();
        checkpoint.finish();
    }
}

void StoreWriter::Private::afterCommit(QSqlDatabase &db)
{
    if (++commitsSinceCheckpoint < commitsPerCheckpoint)
        return;
    commitsSinceCheckpoint = 0;
    if (QFileInfo(path + QStringLiteral("-wal")).size() > walLimitBytes) {
        // Nothing is appended while the writer itself checkpoints, so it catches up and the
        // next transaction starts the log afresh.
        QSqlQuery checkpoint(db);
        if (!checkpoint.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")))
            qCWarning(lcStore) << "checkpoint of" << path << "failed:" << checkpoint.lastError().text();
        return;
    }
    QMutexLocker lock(&checkpointMutex);
    checkpointWanted = true;
    checkpointWake.wakeOne();
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
    if (QSqlQuery off(db); !off.exec(QStringLiteral("PRAGMA wal_autocheckpoint = 0"))) {
        started.set_value(fail(QStringLiteral("cannot open %1 for writing: %2").arg(path, off.lastError().text())));
        return;
    }
    checkpointer = QThread::create([this] { checkpointLoop(); });
    checkpointer->setObjectName(QStringLiteral("simfleet-checkpoint"));
    checkpointer->start();
    started.set_value({});
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
        if (runBatch(db, batch))
            afterCommit(db);
    }
    currentStatements = nullptr;
    cache.statements.clear(); // before the connection closes
    {
        QMutexLocker lock(&checkpointMutex);
        checkpointerStopping = true;
        checkpointWake.wakeAll();
    }
    checkpointer->wait(); // its connection closes first: the writer's close checkpoints what is left
    delete checkpointer;
    checkpointer = nullptr;
}

bool StoreWriter::Private::runBatch(QSqlDatabase &db, std::deque<PendingJob> &batch)
{
    QSqlQuery control(db);
    QSqlQuery own0(db), own1(db), own2(db), own3(db), own4(db);
    QSqlQuery &begin = preparedStatement(db, QStringLiteral("BEGIN IMMEDIATE"), own0);
    QSqlQuery &commit = preparedStatement(db, QStringLiteral("COMMIT"), own4);
    QSqlQuery &savepoint = preparedStatement(db, QStringLiteral("SAVEPOINT job"), own1);
    QSqlQuery &release = preparedStatement(db, QStringLiteral("RELEASE job"), own2);
    QSqlQuery &rollbackTo = preparedStatement(db, QStringLiteral("ROLLBACK TO job"), own3);
    const auto failAll = [&batch](const QString &why) {
        for (PendingJob &p : batch)
            p.promise.set_value(fail(QStringLiteral("saving to the workspace failed: %1").arg(why)));
    };
    // BEGIN IMMEDIATE takes the write lock up front, so a reader elsewhere never forces this
    // transaction to fail half way.
    if (!begin.exec()) {
        failAll(begin.lastError().text());
        return false;
    }
    std::vector<Result<void>> outcomes;
    outcomes.reserve(batch.size());
    for (PendingJob &p : batch) {
        if (!savepoint.exec()) {
            outcomes.emplace_back(fail(savepoint.lastError().text()));
            continue;
        }
        Result<void> outcome = p.job(db);
        if (!outcome)
            rollbackTo.exec();
        release.exec();
        outcomes.push_back(std::move(outcome));
    }
    if (!commit.exec()) {
        const QString why = commit.lastError().text();
        control.exec(QStringLiteral("ROLLBACK"));
        qCWarning(lcStore) << "commit failed:" << why;
        failAll(why);
        return false;
    }
    transactions.fetch_add(1);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (outcomes[i])
            jobs.fetch_add(1);
        batch[i].promise.set_value(std::move(outcomes[i]));
    }
    return true;
}

} // namespace simfleet::store
