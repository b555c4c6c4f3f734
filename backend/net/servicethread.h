#pragma once

#include "core/result.h"

#include <functional>
#include <memory>

namespace simfleet::net {

// Network services (the served profile server) on a thread of their own with its own event
// loop, for a process whose main thread is busy elsewhere: the desktop's GUI thread, which never
// waits on the network, or a test that runs a campaign against them. What start() makes lives
// and dies on that thread.
class ServiceThread
{
public:
    // Runs on the service thread: makes the services and starts them listening; what it returns
    // is kept until stop(). Its error is start()'s.
    using Make = std::function<Result<std::shared_ptr<void>>()>;

    ServiceThread();
    ~ServiceThread(); // stops
    ServiceThread(const ServiceThread &) = delete;
    ServiceThread &operator=(const ServiceThread &) = delete;

    // Returns once the services listen (or failed to): binding a socket takes no time to wait for.
    Result<void> start(Make make);
    void stop();
    bool isRunning() const;
    // The CPU time the service thread used so far (its event loop: sockets, TLS, HTTP); 0 when
    // it does not run. For benchmarks.
    double cpuSeconds() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace simfleet::net
