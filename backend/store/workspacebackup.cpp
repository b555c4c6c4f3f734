#include "workspacebackup.h"
#include "databaseconnection.h"
#include "schema.h"
#include "sqlhelpers.h"
#include "storelog.h"
#include "storewriter.h"
#include "transaction.h"
#include "workspace.h"
#include "workspaceaddress.h"

#include "core/clock.h"
#include "crypto/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

namespace simfleet::store {

namespace {

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

bool isSqlite(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.read(16) == QByteArrayView("SQLite format 3\0", 16);
}

// A consistent copy of an SQLite file in use, into `to` (created private, empty).
Result<void> snapshot(const QString &from, const QString &to)
{
    if (auto ok = createPrivateFile(to); !ok)
        return ok;
    const QString name = QStringLiteral("backup-snapshot-%1").arg(quintptr(&from));
    Result<void> done;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(from);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            done = fail(QStringLiteral("cannot read %1: %2").arg(native(from), db.lastError().text()));
        } else {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("VACUUM INTO ?"));
            q.addBindValue(to);
            if (!q.exec())
                done = fail(QStringLiteral("copying %1 failed: %2").arg(native(from), q.lastError().text()));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    if (!done)
        QFile::remove(to);
    return done;
}

Result<QByteArray> readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(native(path), f.errorString()));
    return f.readAll();
}

// The files that belong beside a workspace file: NAME.simfleet.* (its key file) and NAME.*
// (its field, flash log, eIM files), without its journal, locks, upgrade copies or another
// workspace. Each with the key it is stored under: "file:" and what follows the workspace's
// file name, or "base:" and what follows its base name.
QList<std::pair<QString, QString>> sideFiles(const QFileInfo &workspace)
{
    const QString fileName = workspace.fileName();
    const QString base = workspace.completeBaseName() + u'.';
    QList<std::pair<QString, QString>> out;
    const QStringList names = workspace.dir().entryList(QDir::Files | QDir::Hidden, QDir::Name);
    for (const QString &name : names) {
        if (name == fileName || !name.startsWith(base) || name.endsWith(QLatin1StringView("-wal"))
            || name.endsWith(QLatin1StringView("-shm")) || name.endsWith(QLatin1StringView("-journal"))
            || name.endsWith(QLatin1StringView(".lock")) || name.contains(QLatin1StringView("-backup-"))
            || name.endsWith(QLatin1StringView(".simfleet")))
            continue;
        if (name.startsWith(fileName + u'.'))
            out.append({ name, QStringLiteral("file:") + name.mid(fileName.size()) });
        else
            out.append({ name, QStringLiteral("base:") + name.mid(base.size() - 1) });
    }
    return out;
}

QString sideFileName(const QFileInfo &workspace, const QString &key)
{
    if (key.startsWith(QLatin1StringView("file:")))
        return workspace.fileName() + key.mid(5);
    return workspace.completeBaseName() + key.mid(5);
}

} // namespace

Result<WorkspaceBackup::Taken> WorkspaceBackup::take(Workspace &workspace, const AuditAuthor &author, const QString &out)
{
    const QString source = workspace.info().path;
    if (WorkspaceAddress::looksLikeUrl(source))
        return fail(QStringLiteral("a shared workspace lives on its PostgreSQL server: back it up with the server's own "
                                   "tools (pg_dump), or copy it into a file first"));
    const QFileInfo target(out);
    if (target.exists())
        return fail(QStringLiteral("%1 already exists; choose a new file for the backup").arg(native(out)));
    if (!target.dir().exists())
        return fail(QStringLiteral("the folder %1 does not exist").arg(native(target.absolutePath())));
    const QFileInfo file(source);
    const QDateTime now = workspace.clock().now();
    const auto sides = sideFiles(file);
    QStringList sideNames;
    for (const auto &[name, key] : sides)
        sideNames << name;
    // The entry first: the backup holds the record of its own making.
    if (auto ok = workspace.writer().run([&](QSqlDatabase &db) {
            return AuditLog::record(db, now, author, QStringLiteral("workspace.backup"), QStringLiteral("workspace"),
                                    QJsonObject { { QStringLiteral("file"), target.fileName() },
                                                  { QStringLiteral("side_files"), sideNames.join(QStringLiteral(", ")) } });
        });
        !ok)
        return ok.error();
    if (auto ok = snapshot(file.absoluteFilePath(), target.absoluteFilePath()); !ok)
        return ok.error();
    auto removeOnFailure = qScopeGuard([&target] { QFile::remove(target.absoluteFilePath()); });

    QTemporaryDir scratch;
    if (!scratch.isValid())
        return fail(QStringLiteral("cannot make a temporary folder: %1").arg(scratch.errorString()));
    struct Side
    {
        QString key;
        QByteArray content;
    };
    QList<Side> contents;
    for (const auto &[name, key] : sides) {
        const QString path = file.dir().filePath(name);
        Result<QByteArray> content = fail(QString());
        if (isSqlite(path)) {
            const QString copy = scratch.filePath(name);
            if (auto ok = snapshot(path, copy); !ok)
                return ok.error();
            content = readAll(copy);
        } else {
            content = readAll(path);
        }
        if (!content)
            return content.error();
        contents.append({ key, std::move(content).value() });
    }
    {
        auto connection = DatabaseConnection::open(target.absoluteFilePath());
        if (!connection)
            return connection.error();
        QSqlDatabase db = connection.value()->database();
        Transaction tx(db);
        QSqlQuery q(db);
        if (auto ok = execute(q, QStringLiteral("CREATE TABLE simfleet_backup (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"),
                              "writing the backup");
            !ok)
            return ok.error();
        if (auto ok = execute(q,
                              QStringLiteral("CREATE TABLE simfleet_backup_file (name TEXT PRIMARY KEY NOT NULL, content BLOB NOT NULL,"
                                             " sha256 BLOB NOT NULL)"),
                              "writing the backup");
            !ok)
            return ok.error();
        for (const auto &[key, value] : { std::pair { QStringLiteral("taken_at"), storedTime(now) },
                                          std::pair { QStringLiteral("source"), file.absoluteFilePath() },
                                          std::pair { QStringLiteral("schema"), QString::number(workspace.info().schemaVersion) } }) {
            if (auto ok = execute(q, QStringLiteral("INSERT INTO simfleet_backup (key, value) VALUES (?, ?)"), { key, value },
                                  "writing the backup");
                !ok)
                return ok.error();
        }
        for (const Side &side : contents) {
            if (auto ok = execute(q, QStringLiteral("INSERT INTO simfleet_backup_file (name, content, sha256) VALUES (?, ?, ?)"),
                                  { side.key, side.content, crypto::sha256(side.content) }, "writing the backup");
                !ok)
                return ok.error();
        }
        if (auto ok = tx.commit(); !ok)
            return ok.error();
        q.exec(QStringLiteral("PRAGMA journal_mode = DELETE")); // one file, no -wal beside it
    }
    removeOnFailure.dismiss();
    qCInfo(lcStore) << "backed up" << source << "to" << out << "with" << sideNames.size() << "side files";
    return Taken { target.absoluteFilePath(), QFileInfo(target.absoluteFilePath()).size(), sideNames, now };
}

Result<WorkspaceBackup::Restored> WorkspaceBackup::restore(const QString &backup, const QString &newPath)
{
    if (WorkspaceAddress::looksLikeUrl(newPath))
        return fail(QStringLiteral("a backup is restored into a new workspace file; copy it onto a server afterwards "
                                   "with simfleet-cli workspace copy"));
    const QFileInfo from(backup);
    if (!from.isFile() || !isSqlite(backup))
        return fail(QStringLiteral("%1 is not a simfleet backup").arg(native(backup)));
    const QFileInfo target(newPath);
    if (target.exists())
        return fail(QStringLiteral("%1 already exists; restore into a new file").arg(native(newPath)));
    if (!target.dir().exists())
        return fail(QStringLiteral("the folder %1 does not exist").arg(native(target.absolutePath())));

    Restored restored;
    restored.path = target.absoluteFilePath();
    struct Side
    {
        QString name;
        QByteArray content;
    };
    QList<Side> sides;
    {
        auto connection = DatabaseConnection::open(from.absoluteFilePath(), DatabaseConnection::Mode::ReadOnly);
        if (!connection)
            return connection.error();
        QSqlDatabase db = connection.value()->database();
        if (auto identity = checkWorkspaceIdentity(db); !identity)
            return fail(QStringLiteral("%1 is not a simfleet backup: %2").arg(native(backup), identity.errorMessage()));
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT key, value FROM simfleet_backup")))
            return fail(QStringLiteral("%1 is a workspace, not a backup of one (it has no backup record)").arg(native(backup)));
        while (q.next()) {
            if (q.value(0).toString() == u"taken_at")
                restored.takenAt = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
            else if (q.value(0).toString() == u"source")
                restored.source = q.value(1).toString();
        }
        if (!q.exec(QStringLiteral("SELECT name, content, sha256 FROM simfleet_backup_file ORDER BY name")))
            return fail(QStringLiteral("reading %1 failed: %2").arg(native(backup), q.lastError().text()));
        while (q.next()) {
            const QString key = q.value(0).toString();
            const QByteArray content = q.value(1).toByteArray();
            if (crypto::sha256(content) != q.value(2).toByteArray())
                return fail(QStringLiteral("the backup's copy of %1 is damaged (its SHA-256 does not match); nothing was restored")
                                .arg(key.mid(5)));
            const QString name = sideFileName(target, key);
            if (name.contains(u'/') || name.contains(u'\\') || name.startsWith(u'.'))
                return fail(QStringLiteral("the backup names a side file %1 outside the workspace's folder; nothing was restored")
                                .arg(key));
            if (target.dir().exists(name))
                return fail(QStringLiteral("%1 already exists beside the new workspace; restore elsewhere").arg(name));
            sides.append({ name, content });
        }
    }
    auto removeOnFailure = qScopeGuard([&restored] { discard(restored); });
    if (auto ok = snapshot(from.absoluteFilePath(), restored.path); !ok)
        return ok.error();
    for (const Side &side : std::as_const(sides)) {
        const QString path = target.dir().filePath(side.name);
        if (auto ok = createPrivateFile(path); !ok)
            return ok.error();
        restored.sideFiles << side.name;
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(side.content) != side.content.size() || !f.flush())
            return fail(QStringLiteral("writing %1 failed: %2").arg(native(path), f.errorString()));
    }
    {
        auto connection = DatabaseConnection::open(restored.path);
        if (!connection)
            return connection.error();
        QSqlDatabase db = connection.value()->database();
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("DROP TABLE simfleet_backup_file")) || !q.exec(QStringLiteral("DROP TABLE simfleet_backup")))
            return fail(QStringLiteral("restoring %1 failed: %2").arg(native(backup), q.lastError().text()));
    }
    removeOnFailure.dismiss();
    qCInfo(lcStore) << "restored" << backup << "to" << restored.path << "with" << restored.sideFiles.size() << "side files";
    return restored;
}

void WorkspaceBackup::discard(const Restored &restored)
{
    const QDir folder = QFileInfo(restored.path).dir();
    for (const QString &side : restored.sideFiles)
        QFile::remove(folder.filePath(side));
    for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
        QFile::remove(restored.path + suffix);
}

} // namespace simfleet::store
