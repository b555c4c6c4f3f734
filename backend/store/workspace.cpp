#include "workspace.h"
#include "databaseconnection.h"
#include "schema.h"
#include "storelog.h"
#include "transaction.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

namespace simfleet::store {

namespace {

Result<QString> setting(QSqlDatabase db, const QString &key)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT value FROM workspace_setting WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec())
        return fail(q.lastError().text());
    return q.next() ? q.value(0).toString() : QString();
}

Result<void> writeSettings(QSqlDatabase db, const QList<std::pair<QString, QString>> &values)
{
    Transaction tx(db);
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO workspace_setting (key, value) VALUES (?, ?)"));
    for (const auto &[key, value] : values) {
        q.addBindValue(key);
        q.addBindValue(value);
        if (!q.exec())
            return fail(q.lastError().text());
    }
    return tx.commit();
}

} // namespace

Workspace::Workspace(std::unique_ptr<DatabaseConnection> connection, WorkspaceInfo info)
    : m_connection(std::move(connection)), m_info(std::move(info))
{
}

Workspace::~Workspace() = default;

Result<std::unique_ptr<Workspace>> Workspace::load(std::unique_ptr<DatabaseConnection> connection)
{
    QSqlDatabase db = connection->database();
    auto version = migrate(db);
    if (!version)
        return fail(QStringLiteral("%1: %2").arg(connection->path(), version.errorMessage()));
    auto name = setting(db, QStringLiteral("name"));
    auto demo = setting(db, QStringLiteral("demo"));
    if (!name || !demo)
        return fail(QStringLiteral("%1: cannot read the workspace settings: %2")
                        .arg(connection->path(), name.errorMessage() + demo.errorMessage()));
    WorkspaceInfo info { connection->path(), *name, *demo == u"1", *version };
    if (info.name.isEmpty())
        info.name = QFileInfo(info.path).completeBaseName();
    return std::unique_ptr<Workspace>(new Workspace(std::move(connection), std::move(info)));
}

Result<std::unique_ptr<Workspace>> Workspace::open(const QString &path)
{
    const QFileInfo file(path);
    if (!file.exists())
        return fail(QStringLiteral("there is no workspace at %1; check the path (simfleet --demo creates "
                                   "the demo workspace)")
                        .arg(QDir::toNativeSeparators(path)));
    if (!file.isFile() || !file.isReadable())
        return fail(QStringLiteral("%1 is not a readable file").arg(QDir::toNativeSeparators(path)));
    auto connection = DatabaseConnection::open(file.absoluteFilePath());
    if (!connection)
        return connection.error();
    return load(std::move(connection).value());
}

Result<std::unique_ptr<Workspace>> Workspace::create(const QString &path, const QString &name, bool demo)
{
    const QFileInfo file(path);
    if (file.exists())
        return fail(QStringLiteral("%1 already exists; choose another file name or open it instead")
                        .arg(QDir::toNativeSeparators(path)));
    if (!QDir().mkpath(file.absolutePath()))
        return fail(QStringLiteral("cannot create the folder %1").arg(QDir::toNativeSeparators(file.absolutePath())));
    auto connection = DatabaseConnection::open(file.absoluteFilePath());
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value()->database();
    if (auto version = migrate(db); !version)
        return version.error();
    if (auto ok = writeSettings(db, { { QStringLiteral("name"), name },
                                      { QStringLiteral("demo"), demo ? QStringLiteral("1") : QStringLiteral("0") } });
        !ok)
        return ok.error();
    qCInfo(lcStore) << "created workspace" << file.absoluteFilePath();
    return load(std::move(connection).value());
}

Result<std::unique_ptr<Workspace>> Workspace::openOrCreateDemo(const QString &path)
{
    if (QFileInfo::exists(path))
        return open(path);
    return create(path, QStringLiteral("Demo workspace"), true);
}

QString Workspace::defaultDemoPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/demo.")
        + fileSuffix();
}

} // namespace simfleet::store
