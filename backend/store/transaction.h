#pragma once

#include "core/result.h"

#include <QSqlDatabase>

namespace simfleet::store {

// An SQL transaction that rolls back unless commit() succeeded, so an early return or a failed
// statement never leaves half a change behind.
class Transaction
{
public:
    explicit Transaction(QSqlDatabase db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool isActive() const { return m_active; }
    Result<void> commit();

private:
    QSqlDatabase m_db;
    bool m_active = false;
};

} // namespace simfleet::store
