#include "databaseconnection.h"
#include "sqlhelpers.h"
#include "storelog.h"

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

Result<std::unique_ptr<DatabaseConnection>> DatabaseConnection::open(const QString &path, Mode mode)
{
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
