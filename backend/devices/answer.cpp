#include "answer.h"

#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace simfleet::devices::detail {

namespace {

// One thread for every deadline of every link: answers owed by devices that never speak are
// failed here, at their time, without a thread waiting for each of them.
class DeadlineThread
{
public:
    ~DeadlineThread()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }

    void schedule(std::chrono::steady_clock::time_point at, std::function<void()> fire)
    {
        {
            std::lock_guard lock(m_mutex);
            if (!m_thread.joinable())
                m_thread = std::thread([this] { run(); });
            m_due.push({ at, m_sequence++, std::move(fire) });
        }
        m_wake.notify_all();
    }

private:
    struct Due
    {
        std::chrono::steady_clock::time_point at;
        quint64 sequence;
        std::function<void()> fire;
        bool operator>(const Due &other) const { return at != other.at ? at > other.at : sequence > other.sequence; }
    };

    void run()
    {
        std::unique_lock lock(m_mutex);
        while (!m_stopping) {
            if (m_due.empty()) {
                m_wake.wait(lock);
                continue;
            }
            const auto at = m_due.top().at;
            if (std::chrono::steady_clock::now() < at) {
                m_wake.wait_until(lock, at);
                continue;
            }
            std::function<void()> fire = m_due.top().fire;
            m_due.pop();
            lock.unlock();
            fire(); // settles an answer: its continuation runs here, briefly
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
    quint64 m_sequence = 0;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace

void scheduleDeadline(std::chrono::steady_clock::time_point at, std::function<void()> fire)
{
    static DeadlineThread deadlines;
    deadlines.schedule(at, std::move(fire));
}

Error timeoutError(const QString &eid, std::chrono::milliseconds timeout)
{
    return failWith(ErrorCode::Timeout,
                    QStringLiteral("device %1 did not answer within %2 s").arg(eid).arg(double(timeout.count()) / 1000.0));
}

} // namespace simfleet::devices::detail
