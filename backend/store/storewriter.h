#pragma once

#include "core/result.h"

#include <QString>

#include <functional>
#include <future>
#include <memory>

class QSqlDatabase;
class QSqlQuery;

namespace simfleet::store {

// A unit of work that changes the workspace. It runs on the writer's thread with the writer's
// connection, inside a transaction, and either succeeds as a whole or leaves nothing behind.
using WriteJob = std::function<Result<void>(QSqlDatabase &db)>;

// A statement prepared for db: inside a writer job, the writer's own, kept prepared for the next
// job; elsewhere `own`, prepared afresh. Bind values and exec() it as usual; finish() a SELECT.
QSqlQuery &preparedStatement(QSqlDatabase &db, const QString &sql, QSqlQuery &own);

// The workspace's single writer (DESIGN.md "The store"): one thread, one connection, and jobs
// that arrive together are committed together in one transaction, each inside its own
// savepoint so a failing job is rolled back alone. A job's future resolves only after the
// transaction holding it is committed (or has failed), so a caller that saw success knows the
// change is on disk.
class StoreWriter
{
public:
    ~StoreWriter();
    StoreWriter(const StoreWriter &) = delete;
    StoreWriter &operator=(const StoreWriter &) = delete;

    static Result<std::unique_ptr<StoreWriter>> start(const QString &databasePath);

    std::future<Result<void>> submit(WriteJob job);
    // Submits and waits. Never call this on the GUI thread.
    Result<void> run(WriteJob job) { return submit(std::move(job)).get(); }

    // How many transactions and jobs the writer has committed (for tests and benchmarks).
    quint64 committedTransactions() const;
    quint64 committedJobs() const;

private:
    StoreWriter();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace simfleet::store
