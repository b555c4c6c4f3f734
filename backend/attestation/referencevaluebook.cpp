#include "referencevaluebook.h"

#include "access/session.h"
#include "core/clock.h"
#include "store/auditlog.h"
#include "store/referencevaluerepository.h"
#include "store/storewriter.h"

#include "store/workspace.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <functional>

namespace simfleet::attestation {

namespace {

Result<void> audited(store::Workspace &workspace, const access::Session &by, const QString &action, const QString &subject,
                     const std::function<Result<void>(store::ReferenceValueRepository &)> &change)
{
    if (auto ok = by.require(access::Permission::ManageReferenceValues, workspace.clock()); !ok)
        return ok;
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::ReferenceValueRepository references(db);
        if (auto ok = change(references); !ok)
            return ok;
        store::AuditEntry entry;
        entry.at = now;
        entry.action = action;
        entry.subject = subject;
        auto appended = store::AuditLog::append(db, entry, author);
        return appended ? Result<void>() : Result<void>(appended.error());
    });
}

} // namespace

Result<void> ReferenceValueBook::add(store::Workspace &workspace, const access::Session &by,
                                     const store::ReferenceValueRecord &values)
{
    return audited(workspace, by, QStringLiteral("reference-values.add"),
                   QStringLiteral("model:") + values.hwmodel + u' ' + values.swversion,
                   [&](store::ReferenceValueRepository &references) -> Result<void> {
                       auto added = references.add(values);
                       return added ? Result<void>() : Result<void>(added.error());
                   });
}

Result<void> ReferenceValueBook::retire(store::Workspace &workspace, const access::Session &by, const QString &hwmodel,
                                        const QString &swversion)
{
    const QDateTime now = workspace.clock().now();
    return audited(workspace, by, QStringLiteral("reference-values.retire"), QStringLiteral("model:") + hwmodel + u' ' + swversion,
                   [&](store::ReferenceValueRepository &references) { return references.retire(hwmodel, swversion, now); });
}

Result<void> ReferenceValueBook::importAll(store::Workspace &workspace, const access::Session &by,
                                           const QList<store::ReferenceValueRecord> &values)
{
    if (auto ok = by.require(access::Permission::ManageReferenceValues, workspace.clock()); !ok)
        return ok;
    if (values.isEmpty())
        return fail(QStringLiteral("the file holds no reference values; nothing was imported"));
    const auto key = [](const store::ReferenceValueRecord &r) -> QString {
        return r.manufacturer + QChar(0) + r.hwmodel + QChar(0) + r.swversion;
    };
    auto existing = store::ReferenceValueRepository(workspace.database()).list();
    if (!existing)
        return existing.error();
    QSet<QString> known;
    for (const store::ReferenceValueRecord &r : existing.value())
        known.insert(key(r));
    QSet<QString> seen;
    for (const store::ReferenceValueRecord &r : values) {
        const QString what = QStringLiteral("%1 %2 %3").arg(r.manufacturer, r.hwmodel, r.swversion);
        if (known.contains(key(r)))
            return fail(QStringLiteral("%1 has reference values in this workspace already; remove it from the file (or "
                                       "retire the old values first); nothing was imported")
                            .arg(what));
        if (seen.contains(key(r)))
            return fail(QStringLiteral("%1 appears twice in the file; keep one; nothing was imported").arg(what));
        seen.insert(key(r));
    }
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::ReferenceValueRepository references(db);
        QJsonArray imported;
        for (store::ReferenceValueRecord r : values) {
            r.addedAt = now;
            if (auto added = references.add(r); !added)
                return added.error();
            imported.append(QJsonObject { { QStringLiteral("manufacturer"), r.manufacturer },
                                          { QStringLiteral("hwmodel"), r.hwmodel },
                                          { QStringLiteral("swversion"), r.swversion } });
        }
        return store::AuditLog::record(db, now, author, QStringLiteral("reference-values.import"),
                                       QStringLiteral("reference-values"),
                                       { { QStringLiteral("before"), QJsonObject { { QStringLiteral("count"), existing->size() } } },
                                         { QStringLiteral("after"),
                                           QJsonObject { { QStringLiteral("count"), existing->size() + values.size() } } },
                                         { QStringLiteral("imported"), imported } });
    });
}

} // namespace simfleet::attestation
