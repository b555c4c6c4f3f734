#include "schema.h"
#include "storelog.h"
#include "transaction.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace simfleet::store {

namespace {

struct Migration
{
    int version;
    const char *purpose;
    QStringList statements;
};

// Ordered; append only. A released migration is never edited.
const QList<Migration> &migrations()
{
    static const QList<Migration> list {
        { 1,
          "workspace identity",
          { QStringLiteral("CREATE TABLE workspace_setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)") } },
    };
    return list;
}

Result<int> queryInt(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql) || !q.next())
        return fail(q.lastError().text());
    return q.value(0).toInt();
}

} // namespace

int currentSchemaVersion()
{
    return migrations().last().version;
}

Result<int> migrate(QSqlDatabase &db)
{
    auto version = queryInt(db, QStringLiteral("PRAGMA user_version"));
    auto appId = queryInt(db, QStringLiteral("PRAGMA application_id"));
    if (!version || !appId)
        return fail(QStringLiteral("cannot read the workspace schema: %1").arg(version.errorMessage() + appId.errorMessage()));
    if (*appId != 0 && *appId != workspaceApplicationId)
        return fail(QStringLiteral("this SQLite file belongs to another application, not simfleet"));
    if (*appId == 0) {
        auto tables = queryInt(db, QStringLiteral("SELECT count(*) FROM sqlite_master"));
        if (!tables || *tables != 0)
            return fail(QStringLiteral("this SQLite file is not a simfleet workspace"));
    }
    if (*version > currentSchemaVersion())
        return fail(QStringLiteral("this workspace was written by a newer simfleet (schema %1); this version "
                                   "reads schemas up to %2. Update simfleet.")
                        .arg(*version)
                        .arg(currentSchemaVersion()));

    for (const Migration &m : migrations()) {
        if (m.version <= *version)
            continue;
        Transaction tx(db);
        QSqlQuery q(db);
        for (const QString &sql : m.statements) {
            if (!q.exec(sql))
                return fail(QStringLiteral("upgrading the workspace to schema %1 (%2) failed: %3")
                                .arg(m.version)
                                .arg(QLatin1StringView(m.purpose), q.lastError().text()));
        }
        if (!q.exec(QStringLiteral("PRAGMA application_id = %1").arg(workspaceApplicationId))
            || !q.exec(QStringLiteral("PRAGMA user_version = %1").arg(m.version)))
            return fail(q.lastError().text());
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        qCInfo(lcStore) << "workspace schema now at version" << m.version << "(" << m.purpose << ")";
        version = m.version;
    }
    return *version;
}

} // namespace simfleet::store
