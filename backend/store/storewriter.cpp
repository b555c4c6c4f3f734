#include "storewriter.h"
#include "databaseconnection.h"
#include "storelog.h"

#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QWaitCondition>

#include <atomic>
#include <deque>

namespace simfleet::store {

namespace {
constexpr std::size_t maxJobsPerTransaction = 512;

struct PendingJob
{
    WriteJob job;
    std::promise<Result<void>> promise;
};
} // namespace

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

    void loop();
    void runBatch(QSqlDatabase &db, std::deque<PendingJob> &batch);
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
    started.set_value({});
    QSqlDatabase db = connection.value()->database();
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
    }
}

void StoreWriter::Private::runBatch(QSqlDatabase &db, std::deque<PendingJob> &batch)
{
    QSqlQuery control(db);
    const auto failAll = [&batch](const QString &why) {
        for (PendingJob &p : batch)
            p.promise.set_value(fail(QStringLiteral("saving to the workspace failed: %1").arg(why)));
    };
    // BEGIN IMMEDIATE takes the write lock up front, so a reader elsewhere never forces this
    // transaction to fail half way.
    if (!control.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
        failAll(control.lastError().text());
        return;
    }
    std::vector<Result<void>> outcomes;
    outcomes.reserve(batch.size());
    for (PendingJob &p : batch) {
        if (!control.exec(QStringLiteral("SAVEPOINT job"))) {
            outcomes.emplace_back(fail(control.lastError().text()));
            continue;
        }
        Result<void> outcome = p.job(db);
        if (!outcome)
            control.exec(QStringLiteral("ROLLBACK TO job"));
        control.exec(QStringLiteral("RELEASE job"));
        outcomes.push_back(std::move(outcome));
    }
    if (!control.exec(QStringLiteral("COMMIT"))) {
        const QString why = control.lastError().text();
        control.exec(QStringLiteral("ROLLBACK"));
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
