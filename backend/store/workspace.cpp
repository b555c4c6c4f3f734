#include "workspace.h"
#include "accessschema.h"
#include "auditauthor.h"
#include "auditlog.h"
#include "core/clock.h"
#include "databaseconnection.h"
#include "dialect.h"
#include "schema.h"
#include "storelog.h"
#include "storewriter.h"
#include "transaction.h"
#include "workspaceaddress.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
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

Result<void> writeSetting(QSqlDatabase &db, const QString &key, const QString &value)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO workspace_setting (key, value) VALUES (?, ?)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(key);
    q.addBindValue(value);
    if (!q.exec())
        return fail(q.lastError().text());
    return {};
}

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

// Looks at the file read-only first, so a foreign or newer file is never touched. Returns its
// schema version.
Result<int> probe(const QString &path)
{
    auto probeConnection = DatabaseConnection::open(path, DatabaseConnection::Mode::ReadOnly);
    if (!probeConnection)
        return probeConnection.error();
    QSqlDatabase db = probeConnection.value()->database();
    auto identity = checkWorkspaceIdentity(db);
    if (!identity)
        return fail(QStringLiteral("%1: %2").arg(native(path), identity.errorMessage()));
    return identity.value();
}

// Schema, wrapped data key, name and the first audit entry land together or not at all.
// The file's permissions are the workspace's boundary (README "Security"): it is made readable
// and writable by its owner only before SQLite writes a byte, and SQLite gives the -wal and -shm
// files it creates beside it the same permissions.
} // namespace

Result<void> createPrivateFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(QStringLiteral("cannot create %1: %2").arg(native(path), file.errorString()));
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(QStringLiteral("cannot make %1 private to you: %2").arg(native(path), file.errorString()));
    return {};
}

namespace {

// Which of the workspace's files other users of this machine can read, if any.
QString exposureOf(const QString &path)
{
    if (WorkspaceAddress::looksLikeUrl(path))
        return {}; // the server's privileges guard it (README "Security")
    QStringList readable;
    for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
        const QFileInfo f(path + suffix);
        if (f.exists() && (f.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                                              | QFileDevice::WriteOther)))
            readable << f.fileName();
    }
    if (readable.isEmpty())
        return {};
    return QStringLiteral("%1 can be read or written by other users of this machine, who could then guess passwords offline "
                          "or change the workspace; make them private with: chmod 600 %2")
        .arg(readable.join(QStringLiteral(", ")), native(path) + QStringLiteral("*"));
}

} // namespace

// A failed init on a server leaves the database as empty as it found it (the migrations commit
// one by one), so it can be tried again.
void Workspace::discardOnServer(const QString &address)
{
    auto connection = DatabaseConnection::open(address);
    if (!connection)
        return;
    QSqlDatabase db = connection.value()->database();
    QSqlQuery q(db);
    QStringList drops;
    if (q.exec(QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")))
        while (q.next())
            drops << QStringLiteral("DROP TABLE IF EXISTS \"%1\" CASCADE").arg(q.value(0).toString());
    if (q.exec(QStringLiteral("SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                              " WHERE n.nspname = current_schema() AND p.proname LIKE 'sf\\_%'")))
        while (q.next())
            drops << QStringLiteral("DROP FUNCTION IF EXISTS %1 CASCADE").arg(q.value(0).toString());
    for (const QString &sql : drops)
        if (!q.exec(sql))
            qCWarning(lcStore) << "cleaning up after a failed init:" << q.lastError().text();
}

namespace {

Result<void> initialiseNewFile(const QString &path, const QString &name, QByteArrayView passphrase, const Clock &time,
                               crypto::ScryptParameters keyDerivation)
{
    if (!WorkspaceAddress::looksLikeUrl(path)) {
        if (auto ok = createPrivateFile(path); !ok)
            return ok;
    }
    auto connection = DatabaseConnection::open(path);
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value()->database();
    if (auto version = migrate(db); !version)
        return version.error();
    Transaction tx(db);
    if (dialectOf(db) == Dialect::Postgres) {
        if (auto ok = AccessSchema::install(db); !ok)
            return ok;
    }
    auto vault = SecretVault::initialise(db, passphrase, keyDerivation);
    if (!vault)
        return vault.error();
    if (auto ok = writeSetting(db, QStringLiteral("name"), name); !ok)
        return ok;
    if (auto ok = writeSetting(db, QStringLiteral("demo"), QStringLiteral("0")); !ok)
        return ok;
    // Entry 1 registers the owner's key: every later key is registered by a signed entry.
    const AuditAuthor owner { QStringLiteral("owner"), vault->ownerKey() };
    if (auto ok = AuditLog::record(db, time.now(), owner, QStringLiteral("workspace.create"),
                                   QStringLiteral("workspace:") + name,
                                   QJsonObject { { AuditLog::keyField(), AuditLog::keyText(owner.key.publicKey()) } });
        !ok)
        return ok;
    return tx.commit();
}

} // namespace

Workspace::Workspace(std::unique_ptr<DatabaseConnection> connection, std::unique_ptr<StoreWriter> writer,
                     WorkspaceInfo info, const Clock *clock)
    : m_connection(std::move(connection)), m_writer(std::move(writer)), m_info(std::move(info)), m_clock(clock)
{
}

Workspace::~Workspace()
{
    m_writer.reset(); // drains pending writes before the connection goes
}

QSqlDatabase Workspace::database() const
{
    return m_connection->database();
}

Result<std::unique_ptr<Workspace>> Workspace::load(std::unique_ptr<DatabaseConnection> connection, const Clock *clock)
{
    QSqlDatabase db = connection->database();
    auto version = migrate(db);
    if (!version)
        return fail(QStringLiteral("%1: %2").arg(native(connection->path()), version.errorMessage()));
    auto name = setting(db, QStringLiteral("name"));
    auto demo = setting(db, QStringLiteral("demo"));
    if (!name || !demo)
        return fail(QStringLiteral("%1: cannot read the workspace settings: %2")
                        .arg(native(connection->path()), name.errorMessage() + demo.errorMessage()));
    WorkspaceInfo info { connection->path(), *name, *demo == u"1", *version, exposureOf(connection->path()) };
    if (info.name.isEmpty()) {
        auto address = WorkspaceAddress::parse(info.path);
        info.name = address && address->isPostgres() ? address->database() : QFileInfo(info.path).completeBaseName();
    }
    auto writer = StoreWriter::start(info.path);
    if (!writer)
        return writer.error();
    return std::unique_ptr<Workspace>(new Workspace(std::move(connection), std::move(writer).value(), std::move(info),
                                                    clock ? clock : &SystemClock::instance()));
}

Result<std::unique_ptr<Workspace>> Workspace::open(const QString &path, const Clock *clock)
{
    auto address = WorkspaceAddress::parse(path);
    if (!address)
        return address.error();
    if (address->isPostgres())
        return openOnServer(*address, clock);
    const QFileInfo file(path);
    if (!file.exists())
        return fail(QStringLiteral("there is no workspace at %1; check the path, or create one with "
                                   "simfleet-cli -w PATH init")
                        .arg(native(path)));
    if (!file.isFile() || !file.isReadable())
        return fail(QStringLiteral("%1 is not a readable file").arg(native(path)));
    if (file.size() == 0)
        return fail(QStringLiteral("%1 is empty, not a simfleet workspace").arg(native(path)));
    auto version = probe(file.absoluteFilePath());
    if (!version)
        return version.error();
    if (version.value() > 0 && version.value() < currentSchemaVersion())
        return failWith(ErrorCode::UpgradeNeeded,
                        QStringLiteral("%1 was written by an older simfleet (schema %2; this one writes %3). Upgrading it "
                                       "takes its owner's passphrase or an Administrator's password and keeps a copy of "
                                       "the file as it was: open it as one of them")
                            .arg(native(path))
                            .arg(version.value())
                            .arg(currentSchemaVersion()));
    auto connection = DatabaseConnection::open(file.absoluteFilePath());
    if (!connection)
        return connection.error();
    return load(std::move(connection).value(), clock);
}

Result<std::unique_ptr<Workspace>> Workspace::openOnServer(const WorkspaceAddress &address, const Clock *clock)
{
    const QString where = address.toString();
    auto version = probe(where);
    if (!version)
        return version.error();
    if (version.value() == 0)
        return fail(QStringLiteral("the database %1 holds no workspace yet; create one with simfleet-cli -w %2 init")
                        .arg(address.database(), where));
    if (version.value() < currentSchemaVersion())
        return failWith(ErrorCode::UpgradeNeeded,
                        QStringLiteral("%1 was written by an older simfleet (schema %2; this one writes %3): open it as its "
                                       "owner or an Administrator to upgrade it")
                            .arg(where)
                            .arg(version.value())
                            .arg(currentSchemaVersion()));
    auto connection = DatabaseConnection::open(where);
    if (!connection)
        return connection.error();
    return load(std::move(connection).value(), clock);
}

Result<std::unique_ptr<Workspace>> Workspace::create(const QString &path, const QString &name,
                                                     QByteArrayView passphrase, const Clock *clock,
                                                     crypto::ScryptParameters keyDerivation)
{
    auto address = WorkspaceAddress::parse(path);
    if (!address)
        return address.error();
    if (address->isPostgres()) {
        const Clock &time = clock ? *clock : SystemClock::instance();
        auto version = probe(address->toString());
        if (!version)
            return version.error();
        if (version.value() != 0)
            return fail(QStringLiteral("the database %1 already holds a workspace; open it instead, or give an empty "
                                       "database")
                            .arg(address->database()));
        if (auto ok = initialiseNewFile(address->toString(), name, passphrase, time, keyDerivation); !ok) {
            discardOnServer(address->toString());
            return ok.error();
        }
        qCInfo(lcStore) << "created workspace" << address->toString();
        auto workspace = open(address->toString(), clock);
        if (workspace)
            (void)workspace.value()->unlock(passphrase);
        return workspace;
    }
    const QFileInfo file(path);
    if (file.exists())
        return fail(QStringLiteral("%1 already exists; choose another file name or open it instead").arg(native(path)));
    if (!QDir().mkpath(file.absolutePath()))
        return fail(QStringLiteral("cannot create the folder %1").arg(native(file.absolutePath())));
    const Clock &time = clock ? *clock : SystemClock::instance();
    if (auto ok = initialiseNewFile(file.absoluteFilePath(), name, passphrase, time, keyDerivation); !ok) {
        for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
            QFile::remove(file.absoluteFilePath() + suffix);
        return ok.error();
    }
    qCInfo(lcStore) << "created workspace" << file.absoluteFilePath();
    auto workspace = open(file.absoluteFilePath(), clock);
    if (workspace)
        (void)workspace.value()->unlock(passphrase);
    return workspace;
}

Result<QString> Workspace::upgradeFile(const QString &path, const Clock &clock)
{
    auto version = probe(path);
    if (!version)
        return version.error();
    if (WorkspaceAddress::looksLikeUrl(path)) {
        // PostgreSQL changes a schema inside transactions: a migration that fails leaves the
        // database as it was, so no copy is kept (the server's own backups are the DBA's). Only the
        // role that owns the tables (the one that ran init) may change them.
        auto connection = DatabaseConnection::open(path);
        if (!connection)
            return connection.error();
        QSqlDatabase db = connection.value()->database();
        auto migrated = migrate(db);
        if (!migrated)
            return fail(QStringLiteral("upgrading %1 failed: %2; the database is as it was before the failed step (run the "
                                       "upgrade as the role that created the workspace)")
                            .arg(path, migrated.errorMessage()));
        qCInfo(lcStore) << "upgraded" << path << "from schema" << version.value() << "to" << migrated.value();
        return QString();
    }
    const QString backup = QStringLiteral("%1.schema%2-backup-%3")
                               .arg(path)
                               .arg(version.value())
                               .arg(clock.now().toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss")));
    // VACUUM INTO writes a consistent copy (the -wal's contents included) into an empty file,
    // which is created private first like every workspace file.
    if (auto ok = createPrivateFile(backup); !ok)
        return ok.error();
    auto connection = DatabaseConnection::open(path);
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value()->database();
    {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("VACUUM INTO ?"));
        q.addBindValue(backup);
        if (!q.exec()) {
            QFile::remove(backup);
            return fail(QStringLiteral("keeping a copy of %1 before the upgrade failed: %2; nothing was changed")
                            .arg(native(path), q.lastError().text()));
        }
    }
    auto migrated = migrate(db);
    if (!migrated)
        return fail(QStringLiteral("upgrading %1 failed: %2; the file as it was is at %3")
                        .arg(native(path), migrated.errorMessage(), native(backup)));
    qCInfo(lcStore) << "upgraded" << path << "from schema" << version.value() << "to" << migrated.value() << "; copy at"
                    << backup;
    return backup;
}

Result<WorkspaceCounts> Workspace::counts() const
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT (SELECT count(*) FROM customer), (SELECT count(*) FROM fleet),"
                               " (SELECT count(*) FROM device), (SELECT count(*) FROM operator)"))
        || !q.next())
        return fail(QStringLiteral("counting the workspace's contents failed: %1").arg(q.lastError().text()));
    return WorkspaceCounts { q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong(),
                             q.value(3).toLongLong() };
}

Result<void> Workspace::unlock(QByteArrayView passphrase)
{
    QSqlDatabase db = database();
    auto vault = SecretVault::unlock(db, passphrase);
    if (!vault)
        return vault.error();
    // A workspace from before signed audit entries: the owner's first key is registered on the
    // owner's word (the passphrase just proved).
    if (!vault->wrappedNewOwnerKey().isEmpty()) {
        const AuditAuthor owner { QStringLiteral("owner"), vault->ownerKey() };
        const QByteArray wrapped = vault->wrappedNewOwnerKey();
        const QDateTime now = m_clock->now();
        if (auto ok = m_writer->run([&](QSqlDatabase &w) -> Result<void> {
                if (auto stored = SecretVault::storeOwnerKey(w, owner.key.publicKey(), wrapped); !stored)
                    return stored;
                return AuditLog::record(w, now, owner, QStringLiteral("audit.key"), QStringLiteral("workspace"),
                                        QJsonObject { { AuditLog::keyField(), AuditLog::keyText(owner.key.publicKey()) } });
            });
            !ok)
            return ok;
    }
    m_vault = std::move(vault).value();
    m_unlockedByPassphrase = true;
    return {};
}

Result<void> Workspace::unlockWithKeyFile()
{
    auto passphrase = readKeyFile(keyFilePath(m_info.path));
    if (!passphrase)
        return passphrase.error();
    return unlock(passphrase->view());
}

Result<void> Workspace::markAsDemo()
{
    auto ok = m_writer->run([](QSqlDatabase &db) { return writeSetting(db, QStringLiteral("demo"), QStringLiteral("1")); });
    if (ok)
        m_info.demo = true;
    return ok;
}

QString Workspace::keyFilePath(const QString &workspacePath)
{
    return localBasePath(workspacePath) + QStringLiteral(".key");
}

QString Workspace::defaultDemoPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/demo.")
        + fileSuffix();
}

Result<void> writeKeyFile(const QString &path, QByteArrayView passphrase)
{
    QFile file(path);
    QDir().mkpath(QFileInfo(path).absolutePath());
    // Created with owner-only permissions before any byte is written.
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(QStringLiteral("cannot create the key file %1: %2").arg(native(path), file.errorString()));
    if (file.write(passphrase.data(), passphrase.size()) != passphrase.size() || !file.flush())
        return fail(QStringLiteral("cannot write the key file %1: %2").arg(native(path), file.errorString()));
    return {};
}

Result<crypto::SecretBytes> readKeyFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the workspace key file %1: %2; give the passphrase instead")
                        .arg(native(path), file.errorString()));
    if ((file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)) != 0)
        return fail(QStringLiteral("the key file %1 is readable by other users; restrict it with chmod 600 %1")
                        .arg(native(path)));
    QByteArray bytes = file.read(4096).trimmed();
    crypto::SecretBytes secret(bytes);
    bytes.fill('\0');
    return secret;
}

} // namespace simfleet::store
