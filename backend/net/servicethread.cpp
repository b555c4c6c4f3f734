#include "servicethread.h"

#include <QThread>

#include <atomic>
#include <future>

#include <pthread.h>
#include <time.h>

namespace simfleet::net {

namespace {

class Runner : public QThread
{
public:
    Runner(ServiceThread::Make make, std::promise<Result<void>> started) : m_make(std::move(make)), m_started(std::move(started)) { }

protected:
    void run() override
    {
        pthread_getcpuclockid(pthread_self(), &m_clock);
        m_hasClock = true;
        auto made = m_make();
        m_make = {}; // what it captured dies here too, with the services
        if (!made) {
            m_started.set_value(made.error());
            return;
        }
        std::shared_ptr<void> services = std::move(made).value();
        m_started.set_value({});
        exec();
        services.reset(); // on this thread, where the sockets live
    }

public:
    double cpuSeconds() const
    {
        timespec t {};
        if (!m_hasClock || clock_gettime(m_clock, &t) != 0)
            return 0;
        return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
    }

private:
    std::atomic<bool> m_hasClock = false;
    clockid_t m_clock {};
    ServiceThread::Make m_make;
    std::promise<Result<void>> m_started;
};

} // namespace

struct ServiceThread::Private
{
    std::unique_ptr<Runner> runner;
};

ServiceThread::ServiceThread() : d(std::make_unique<Private>()) { }

ServiceThread::~ServiceThread()
{
    stop();
}

Result<void> ServiceThread::start(Make make)
{
    stop();
    std::promise<Result<void>> promise;
    auto started = promise.get_future();
    d->runner = std::make_unique<Runner>(std::move(make), std::move(promise));
    d->runner->start();
    Result<void> outcome = started.get();
    if (!outcome)
        stop();
    return outcome;
}

void ServiceThread::stop()
{
    if (!d->runner)
        return;
    d->runner->quit();
    d->runner->wait();
    d->runner.reset();
}

double ServiceThread::cpuSeconds() const
{
    return d->runner && d->runner->isRunning() ? d->runner->cpuSeconds() : 0;
}

bool ServiceThread::isRunning() const
{
    return d->runner && d->runner->isRunning();
}

} // namespace simfleet::net
