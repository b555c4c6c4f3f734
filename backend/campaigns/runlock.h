#pragma once

#include <QString>

#include <memory>
#include <optional>

class QSqlDatabase;

namespace simfleet::store {
class DatabaseConnection;
}

namespace simfleet::campaigns {

// Marks a campaign as being run by this process, so two windows, commands or desktops never run
// the same campaign at once, and a claim left by a killed process never blocks a resume:
// - on a workspace file, an exclusive flock() on a file beside it, which the operating system
//   releases when the process ends in any way, SIGKILL included (a PID written in a lock file
//   can be reused; a flock cannot outlive its process);
// - on a shared workspace, a PostgreSQL session advisory lock on the campaign, held by a
//   connection of its own, which the server releases when that session ends (a crashed desktop's
//   connection included); the session's application_name says who holds it.
class RunLock
{
public:
    RunLock(const QString &workspace, qint64 campaignId);
    // A lock file at `path` (for tests of the file lock itself).
    explicit RunLock(QString path);
    ~RunLock();
    RunLock(const RunLock &) = delete;
    RunLock &operator=(const RunLock &) = delete;

    // Where a workspace file's lock for one campaign lives.
    static QString pathFor(const QString &workspacePath, qint64 campaignId);

    // `holder`: who is running this campaign, for people (`user` runs it from host ...).
    bool tryLock(const QString &holder = {});
    // Who holds it now (this process included, through another lock), for people; nothing
    // when it is free.
    // `reading`: a connection to the workspace to ask the server on (else one is opened).
    static std::optional<QString> heldBy(const QString &workspace, qint64 campaignId, QSqlDatabase *reading = nullptr);
    static bool isHeld(const QString &path);

private:
    QString m_path;
    QString m_workspace;
    qint64 m_campaignId = 0;
    int m_fd = -1;
    std::unique_ptr<store::DatabaseConnection> m_session;
};

} // namespace simfleet::campaigns
