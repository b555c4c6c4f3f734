#pragma once

#include "core/result.h"
#include "records.h"

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

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
