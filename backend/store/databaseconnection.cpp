#include "databaseconnection.h"
#include "serverpasswords.h"
#include "sqlhelpers.h"
#include "storelog.h"
#include "workspaceaddress.h"

#include <QAtomicInteger>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

namespace simfleet::store {

namespace {
QString uniqueConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("simfleet-%1").arg(counter.fetchAndAddRelaxed(1));
}

// SQLite counts every allocation of every connection under one global mutex by default (for
// sqlite3_memory_used, which simfleet never reads); the writer, its checkpointer and the readers
// then queue on that mutex. It can only be turned off before SQLite initializes, that is before
// the first connection opens (Qt's driver uses this same library); later it is a no-op.
void configureSqliteOnce()
{
    static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    Q_UNUSED(configured);
}
} // namespace

DatabaseConnection::DatabaseConnection(QString path, QString name) : m_path(std::move(path)), m_name(std::move(name)) { }

namespace {
Result<void> openOnServer(QSqlDatabase &db, const WorkspaceAddress &address, DatabaseConnection::Mode mode)
{
    db.setHostName(address.host());
    db.setPort(address.port());
    db.setDatabaseName(address.database());
    db.setUserName(address.user());
    // Without one given, libpq looks for PGPASSWORD and ~/.pgpass itself.
    if (auto password = ServerPasswords::lookup(address))
        db.setPassword(QString::fromUtf8(password->view().data(), password->view().size()));
    db.setConnectOptions(QStringLiteral("connect_timeout=10;application_name=simfleet"));
    if (!db.open()) {
        // libpq's own words say which of host, password or database was wrong.
        return fail(QStringLiteral("cannot connect to the workspace %1: %2")
                        .arg(address.toString(), db.lastError().databaseText().trimmed()));
    }
    QList<QString> settings { QStringLiteral("SET client_min_messages = warning"),
                              // simfleet's timestamps are text; nothing it stores depends on the session's zone
                              QStringLiteral("SET TIME ZONE 'UTC'") };
    if (mode == DatabaseConnection::Mode::ReadOnly)
        settings << QStringLiteral("SET default_transaction_read_only = on");
    for (const QString &sql : settings) {
        QSqlQuery q(db);
        if (auto ok = execute(q, sql, "configuring the connection"); !ok)
            return ok;
    }
    return {};
}
} // namespace

bool DatabaseConnection::isPostgres() const
{
    return database().driverName() == u"QPSQL";
}

Result<std::unique_ptr<DatabaseConnection>> DatabaseConnection::open(const QString &path, Mode mode)
{
    auto address = WorkspaceAddress::parse(path);
    if (!address)
        return address.error();
    if (address->isPostgres()) {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            return fail(QStringLiteral("Qt's PostgreSQL driver is missing; install libqt6sql6-psql "
                                       "(installer/install-deps.sh does)"));
        std::unique_ptr<DatabaseConnection> connection(new DatabaseConnection(address->toString(), uniqueConnectionName()));
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection->m_name);
        if (auto ok = openOnServer(db, *address, mode); !ok) {
            qCWarning(lcStore) << "connecting to" << address->toString() << "failed";
            return ok.error();
        }
        return connection;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(QStringLiteral("Qt's SQLite driver is missing; install libqt6sql6-sqlite "
                                   "(installer/install-deps.sh does)"));
    configureSqliteOnce();
    std::unique_ptr<DatabaseConnection> connection(new DatabaseConnection(path, uniqueConnectionName()));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection->m_name);
    db.setDatabaseName(path);
    db.setConnectOptions(mode == Mode::ReadOnly ? QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY")
                                                : QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open())
        return fail(QStringLiteral("cannot open %1: %2").arg(path, db.lastError().text()));
    // The first statement touches the file header, so "not a database" surfaces here.
    QList<const char *> pragmas { "PRAGMA foreign_keys = ON" };
    if (mode == Mode::ReadWrite)
        pragmas << "PRAGMA journal_mode = WAL" << "PRAGMA synchronous = NORMAL"
                << "PRAGMA cache_size = -32768"; // 32 MiB: a 100 000-device campaign touches many pages
    else
        pragmas << "SELECT count(*) FROM sqlite_master"; // reads the header: "not a database" shows here
    for (const char *pragma : pragmas) {
        QSqlQuery q(db);
        if (auto ok = execute(q, QString::fromLatin1(pragma), "configuring the database"); !ok) {
            qCWarning(lcStore) << "opening" << path << "failed:" << ok.errorMessage();
            return fail(QStringLiteral("%1 is not a simfleet workspace (not an SQLite database): %2")
                            .arg(path, ok.errorMessage()));
        }
    }
    return connection;
}

DatabaseConnection::~DatabaseConnection()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

QSqlDatabase DatabaseConnection::database() const
{
    return QSqlDatabase::database(m_name, false);
}

} // namespace simfleet::store
