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
    WriteOutcome outcome { query.numRowsAffected(), 0 };
    if (query.isSelect()) { // RETURNING
        if (query.next())
            outcome.lastInsertId = query.value(0).toLongLong();
        query.finish();
    }
    return outcome;
}

Result<qint64> insertedId(QSqlQuery &query)
{
    if (!query.next())
        return fail(QStringLiteral("the new row's id did not come back: %1").arg(query.lastError().text()));
    const qint64 id = query.value(0).toLongLong();
    query.finish();
    return id;
}

int ColumnIndex::operator()(const char *name) const
{
    const int index = m_record.indexOf(QLatin1StringView(name));
    Q_ASSERT_X(index >= 0, "ColumnIndex", name);
    return index;
}

} // namespace simfleet::store
