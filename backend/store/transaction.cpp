#include "transaction.h"
#include "storelog.h"

#include <QSqlError>

namespace simfleet::store {

Transaction::Transaction(QSqlDatabase db) : m_db(std::move(db)), m_active(m_db.transaction()) { }

Transaction::~Transaction()
{
    if (m_active && !m_db.rollback())
        qCWarning(lcStore) << "rollback failed:" << m_db.lastError().text();
}

Result<void> Transaction::commit()
{
    if (!m_active)
        return fail(QStringLiteral("no transaction to commit: %1").arg(m_db.lastError().text()));
    if (!m_db.commit())
        return fail(QStringLiteral("saving to the workspace failed: %1").arg(m_db.lastError().text()));
    m_active = false;
    return {};
}

} // namespace simfleet::store
