#include "runlock.h"
#include "store/databaseconnection.h"
#include "store/workspaceaddress.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace simfleet::campaigns {

namespace {
int openLockFile(const QString &path)
{
    return ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

bool onServer(const QString &workspace)
{
    auto address = store::WorkspaceAddress::parse(workspace);
    return address && address->isPostgres();
}

// PostgreSQL's two-key advisory locks: simfleet's application id ("SFLT"), and the campaign.
constexpr int lockClass = 0x53464C54;

// Who holds a campaign's lock on the server: the holder names itself in application_name, which
// pg_stat_activity shows to every role (the server releases the lock when that session ends).
std::optional<QString> serverHolder(QSqlDatabase db, qint64 campaignId)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT a.usename, a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
                             " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = CAST(? AS oid)"
                             " AND l.objid = CAST(? AS oid) AND l.objsubid = 2 AND l.database ="
                             " (SELECT oid FROM pg_database WHERE datname = current_database())"));
    q.addBindValue(qint64(lockClass));
    q.addBindValue(campaignId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    const QString name = q.value(1).toString();
    const QString prefix = QStringLiteral("simfleet: ");
    if (name.startsWith(prefix))
        return name.mid(prefix.size());
    return q.value(0).toString().isEmpty() ? QStringLiteral("another desktop")
                                           : QStringLiteral("%1 on another desktop").arg(q.value(0).toString());
}
} // namespace

RunLock::RunLock(const QString &workspace, qint64 campaignId) : m_workspace(workspace), m_campaignId(campaignId)
{
    if (!onServer(workspace))
        m_path = pathFor(workspace, campaignId);
}

RunLock::RunLock(QString path) : m_path(std::move(path)) { }

RunLock::~RunLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock; the file stays, harmless and reused
    // Closing the session releases its advisory lock.
}

bool RunLock::tryLock(const QString &holder)
{
    if (m_fd >= 0 || m_session)
        return true;
    if (m_path.isEmpty()) {
        auto session = store::DatabaseConnection::open(m_workspace);
        if (!session)
            return false;
        QSqlQuery q(session.value()->database());
        q.prepare(QStringLiteral("SELECT pg_try_advisory_lock(CAST(? AS integer), CAST(? AS integer))"));
        q.addBindValue(lockClass);
        q.addBindValue(m_campaignId);
        if (!q.exec() || !q.next() || !q.value(0).toBool())
            return false;
        q.finish();
        if (!holder.isEmpty()) {
            QSqlQuery name(session.value()->database());
            name.prepare(QStringLiteral("SELECT set_config('application_name', ?, false)"));
            name.addBindValue(QStringLiteral("simfleet: %1").arg(holder).left(63));
            name.exec();
        }
        m_session = std::move(session).value();
        return true;
    }
    const int fd = openLockFile(m_path);
    if (fd < 0)
        return false;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false;
    }
    m_fd = fd;
    return true;
}

std::optional<QString> RunLock::heldBy(const QString &workspace, qint64 campaignId, QSqlDatabase *reading)
{
    if (!onServer(workspace)) {
        if (isHeld(pathFor(workspace, campaignId)))
            return QStringLiteral("another window or command on this computer");
        return std::nullopt;
    }
    if (reading)
        return serverHolder(*reading, campaignId);
    auto connection = store::DatabaseConnection::open(workspace);
    if (!connection)
        return std::nullopt;
    return serverHolder(connection.value()->database(), campaignId);
}

bool RunLock::isHeld(const QString &path)
{
    const int fd = openLockFile(path);
    if (fd < 0)
        return false;
    const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd); // also releases the probe's own lock
    return !free;
}

QString RunLock::pathFor(const QString &workspacePath, qint64 campaignId)
{
    return store::localBasePath(workspacePath) + QStringLiteral(".campaign-%1.lock").arg(campaignId);
}

} // namespace simfleet::campaigns
