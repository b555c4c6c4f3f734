#pragma once

#include "core/result.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>

#include <initializer_list>
#include <optional>

namespace simfleet::store {

// Prepares and runs one statement with positional values; the error names what was being done.
Result<void> execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> values, const char *doing);
// The same with values built at run time (a scope's condition appended, say).
Result<void> execute(QSqlQuery &query, const QString &sql, const QVariantList &values, const char *doing);

// A statement without values (schema, PRAGMA), run as it is.
Result<void> execute(QSqlQuery &query, const QString &sql, const char *doing);

// The id an executed `INSERT ... RETURNING id` gave (both dialects take RETURNING; Qt's
// lastInsertId() is the row's OID on PostgreSQL, not its key).
Result<qint64> insertedId(QSqlQuery &query);

// The same for writes that run once per device inside writer jobs: the statement stays prepared
// between jobs. Reports rows affected, and the id an `INSERT ... RETURNING id` returned.
struct WriteOutcome
{
    qint64 rowsAffected = 0;
    qint64 lastInsertId = 0;
};
Result<WriteOutcome> executeWrite(QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values,
                                  const char *doing);

// A result's columns by name, looked up once per query (QSqlQuery::value(name) searches the
// record on every call): `const ColumnIndex col(q); const int eid = col("eid");`. A name the
// query does not return is a programming error and asserts.
class ColumnIndex
{
public:
    explicit ColumnIndex(const QSqlQuery &query) : m_record(query.record()) { }
    int operator()(const char *name) const;

private:
    QSqlRecord m_record;
};

// Text matched with LIKE as it is: %, _ and the escape character lose their wildcard meaning.
// Use with "LIKE ? ESCAPE '\\'".
QString likeLiteral(const QString &text);

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
