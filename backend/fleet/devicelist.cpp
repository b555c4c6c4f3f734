#include "devicelist.h"

#include "identity/eid.h"
#include "store/devicerepository.h"
#include "store/scope.h"

#include <QFile>
#include <QSet>
#include <QStringList>

#include <algorithm>

namespace simfleet::fleet {

Result<QList<std::pair<qint64, QString>>> DeviceList::read(const QString &path, QSqlDatabase db, const store::Scope &scope)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QStringList eids;
    int column = 0;
    bool first = true;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const QStringList cells = line.split(u',');
        if (first) {
            first = false;
            const qsizetype header = cells.indexOf(QStringLiteral("eid"), 0);
            if (header >= 0) {
                column = int(header);
                continue;
            }
        }
        const QString eid = cells.value(column).trimmed();
        // A typing error is told apart from a device that is not there, with where to fix it.
        if (auto parsed = identity::Eid::parse(eid); !parsed)
            return fail(QStringLiteral("%1, line %2: \"%3\" is not an EID (%4); correct or remove the line")
                            .arg(path)
                            .arg(lineNumber)
                            .arg(eid.left(40), parsed.errorMessage()));
        eids.append(eid);
    }
    if (eids.isEmpty())
        return fail(QStringLiteral("%1 names no device; write one EID per line, or a CSV with an eid column").arg(path));
    store::DeviceRepository devices(db);
    auto found = devices.idsForEids(eids);
    if (!found)
        return found.error();
    if (scope.isRestricted()) {
        QList<qint64> ids;
        for (const auto &d : found.value())
            ids.append(d.first);
        auto hidden = devices.outsideScope(scope, ids);
        if (!hidden)
            return hidden.error();
        const QSet<qint64> outside(hidden->cbegin(), hidden->cend());
        found.value().removeIf([&outside](const auto &d) { return outside.contains(d.first); });
    }
    if (found->size() != eids.size()) {
        for (const QString &eid : eids) {
            if (std::none_of(found->cbegin(), found->cend(), [&](const auto &d) { return d.second == eid; }))
                return fail(QStringLiteral("%1 names %2, which is not an enrolled device").arg(path, eid));
        }
    }
    return found;
}

} // namespace simfleet::fleet
