#include "customerrepository.h"
#include "core/clock.h"
#include "sqlhelpers.h"

namespace simfleet::store {

namespace {
CustomerRecord read(const QSqlQuery &q)
{
    return { q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString() };
}
} // namespace

Result<qint64> CustomerRepository::insert(const CustomerRecord &customer, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("INSERT INTO customer (name, use_case, created_at) VALUES (?, ?, ?) RETURNING id"),
                          { customer.name, text(customer.useCase), storedTime(at) }, "adding a customer");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<std::optional<CustomerRecord>> CustomerRepository::findByName(const QString &name)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT id, name, use_case FROM customer WHERE name = ?"), { name },
                          "looking up a customer");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<CustomerRecord>();
    return std::optional<CustomerRecord>(read(q));
}

Result<QList<CustomerRecord>> CustomerRepository::list()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT id, name, use_case FROM customer ORDER BY name"), {},
                          "listing customers");
        !ok)
        return ok.error();
    QList<CustomerRecord> out;
    while (q.next())
        out.append(read(q));
    return out;
}

Result<std::optional<CustomerRecord>> CustomerRepository::findByName(const QString &name, const Scope &scope)
{
    const Scope::Condition visible = scope.customers(QStringLiteral("customer"));
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT id, name, use_case FROM customer WHERE name = ? AND %1").arg(visible.sql),
                          QVariantList { name } + visible.values, "looking up a customer");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<CustomerRecord>();
    return std::optional<CustomerRecord>(read(q));
}

Result<QList<CustomerRecord>> CustomerRepository::list(const Scope &scope)
{
    const Scope::Condition visible = scope.customers(QStringLiteral("customer"));
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT id, name, use_case FROM customer WHERE %1 ORDER BY name").arg(visible.sql),
                          visible.values, "listing customers");
        !ok)
        return ok.error();
    QList<CustomerRecord> out;
    while (q.next())
        out.append(read(q));
    return out;
}

} // namespace simfleet::store
