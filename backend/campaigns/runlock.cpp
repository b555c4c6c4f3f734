#include "runlock.h"
#include "store/workspaceaddress.h"

#include <QFile>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace simfleet::campaigns {

namespace {
int openLockFile(const QString &path)
{
    return ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}
} // namespace

RunLock::~RunLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock; the file stays, harmless and reused
}

bool RunLock::tryLock()
{
    if (m_fd >= 0)
        return true;
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
