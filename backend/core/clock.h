#pragma once

#include <QDateTime>
#include <QMutex>

namespace simfleet {

// Everything time-dependent reads time from a Clock (DESIGN.md "Time"), so tests move time
// instead of sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const = 0;
    // Waits this long (a retry's backoff, a rate limit). A manual clock moves instead.
    virtual void wait(qint64 milliseconds) const = 0;
};

class SystemClock final : public Clock
{
public:
    QDateTime now() const override { return QDateTime::currentDateTimeUtc(); }
    void wait(qint64 milliseconds) const override;
    static const SystemClock &instance()
    {
        static const SystemClock clock;
        return clock;
    }
};

// A clock that stands still until told to move; for tests and deterministic demos.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime start) : m_now(std::move(start)) { }
    QDateTime now() const override
    {
        QMutexLocker lock(&m_mutex);
        return m_now;
    }
    void set(const QDateTime &t)
    {
        QMutexLocker lock(&m_mutex);
        m_now = t;
    }
    void wait(qint64 milliseconds) const override
    {
        QMutexLocker lock(&m_mutex);
        m_now = m_now.addMSecs(milliseconds);
    }
    void advance(qint64 seconds)
    {
        QMutexLocker lock(&m_mutex);
        m_now = m_now.addSecs(seconds);
    }

private:
    mutable QMutex m_mutex;
    mutable QDateTime m_now;
};

// The one text form of instants in the workspace: ISO 8601, UTC, milliseconds
// ("2026-11-28T06:56:05.123Z", what QDateTime::toString(Qt::ISODateWithMs) gives for UTC).
// Formatted by hand: every persisted step writes one, and QDateTime's formatter cost more than
// the SQL statement it went into.
QString storedTime(const QDateTime &t);

} // namespace simfleet
