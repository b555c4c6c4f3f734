#pragma once

#include "core/result.h"
#include "records.h"
#include "scope.h"

#include <QList>
#include <QSqlDatabase>

namespace simfleet::store {

class CustomerRepository
{
public:
    explicit CustomerRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<qint64> insert(const CustomerRecord &customer, const QDateTime &at);
    Result<std::optional<CustomerRecord>> findByName(const QString &name);
    Result<QList<CustomerRecord>> list();
    // Within a scope: only customers with a fleet in view; any other is answered as absent.
    Result<std::optional<CustomerRecord>> findByName(const QString &name, const Scope &scope);
    Result<QList<CustomerRecord>> list(const Scope &scope);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
