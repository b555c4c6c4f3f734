#include "sqlhelpers.h"

#include <QSqlError>

namespace simfleet::store {

Result<void> execute(QSqlQuery &query, const QString &sql, std::initializer_list<QVariant> values, const char *doing)
{
    if (!query.prepare(sql))
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), query.lastError().text()));
    for (const QVariant &v : values)
        query.addBindValue(v);
    if (!query.exec())
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), query.lastError().text()));
    return {};
}

} // namespace simfleet::store
