#pragma once

#include "core/result.h"

#include <QSqlQuery>
#include <QVariant>

#include <initializer_list>
#include <optional>

namespace simfleet::store {

// Prepares and runs one statement with positional values; the error names what was being done.
Result<void> execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> values, const char *doing);
// The same with values built at run time (a scope's condition appended, say).
Result<void> execute(QSqlQuery &query, const QString &sql, const QVariantList &values, const char *doing);

// The same for writes that run once per device inside writer jobs: the statement stays prepared
// between jobs. Reports rows affected and the last insert id when asked.
struct WriteOutcome
{
    qint64 rowsAffected = 0;
    qint64 lastInsertId = 0;
};
Result<WriteOutcome> executeWrite(QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values,
                                  const char *doing);

// Qt binds a null QString as SQL NULL; NOT NULL text columns want the empty string.
inline QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

template<typename T>
QVariant optionalValue(const std::optional<T> &v)
{
    return v ? QVariant::fromValue(*v) : QVariant();
}

template<typename T>
std::optional<T> optionalFrom(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.value<T>();
}

} // namespace simfleet::store
