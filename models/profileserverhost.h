#pragma once

#include "net/servedprofileserver.h"

#include <QObject>

#include <memory>

namespace simfleet::net {
class ServiceThread;
}

namespace simfleet::models {
class AccessController;

// The desktop serving an operator's profile server for a demo (Administrators): the workspace
// and files are read on the store thread, the server listens on a thread of its own, and the GUI
// thread only hears where it can be reached. One at a time; it stops when asked, when the user
// logs out, and with the window.
class ProfileServerHost : public QObject
{
    Q_OBJECT
public:
    explicit ProfileServerHost(AccessController *access, QObject *parent = nullptr);
    ~ProfileServerHost() override;

    // Ends with started (where it listens) or failed (what to do).
    void start(const net::ProfileServerOptions &options);
    void stop();
    bool isServing() const { return bool(m_thread); }
    const net::ProfileServerEndpoints &endpoints() const { return m_endpoints; }

Q_SIGNALS:
    void started(const QString &description);
    void failed(const QString &message);
    void stopped();

private:
    AccessController *m_access;
    std::shared_ptr<net::ServiceThread> m_thread;
    net::ProfileServerEndpoints m_endpoints;
    bool m_starting = false;
};

} // namespace simfleet::models
