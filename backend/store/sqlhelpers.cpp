#include "sqlhelpers.h"
#include "storewriter.h"

#include <QSqlError>

namespace simfleet::store {

Result<void> execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> values, const char *doing)
{
    return execute(query, sql, QVariantList(values), doing);
}

Result<void> execute(QSqlQuery &query, const QString &sql, const QVariantList &values, const char *doing)
{
    if (!query.prepare(sql))
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), query.lastError().text()));
    for (const QVariant &v : values)
        query.addBindValue(v);
    if (!query.exec())
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), query.lastError().text()));
    return {};
}

QString likeLiteral(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        if (c == u'\\' || c == u'%' || c == u'_')
            out += u'\\';
        out += c;
    }
    return out;
}

Result<void> execute(QSqlQuery &query, const QString &sql, const char *doing)
{
    if (!query.exec(sql))
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), query.lastError().text()));
    return {};
}

Result<WriteOutcome> executeWrite(QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values,
                                  const char *doing)
{
    QSqlQuery own(db);
    QSqlQuery &query = preparedStatement(db, sql, own);
    for (const QVariant &v : values)
        query.addBindValue(v);
    if (!query.exec())
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), query.lastError().text()));
    return WriteOutcome { query.numRowsAffected(), query.lastInsertId().toLongLong() };
}

int ColumnIndex::operator()(const char *name) const
{
    const int index = m_record.indexOf(QLatin1StringView(name));
    Q_ASSERT_X(index >= 0, "ColumnIndex", name);
    return index;
}

} // namespace simfleet::store
