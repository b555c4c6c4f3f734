#pragma once

#include <QString>

namespace simfleet::campaigns {

// Marks a campaign as being run by this process: an exclusive flock() on a file beside the
// workspace. The operating system releases it when the process ends in any way, SIGKILL
// included, so a lock left by a killed process never blocks a resume (a PID written in a lock
// file can be reused; a flock cannot outlive its process).
class RunLock
{
public:
    explicit RunLock(QString path) : m_path(std::move(path)) { }
    ~RunLock();
    RunLock(const RunLock &) = delete;
    RunLock &operator=(const RunLock &) = delete;

    // Where a workspace's lock for one campaign lives.
    static QString pathFor(const QString &workspacePath, qint64 campaignId);

    bool tryLock();
    // Whether any process (this one included, through another lock) holds it now.
    static bool isHeld(const QString &path);

private:
    QString m_path;
    int m_fd = -1;
};

} // namespace simfleet::campaigns
