#include "profileserverhost.h"
#include "accesscontroller.h"

#include "net/servicethread.h"

namespace simfleet::models {

namespace {

struct Started
{
    std::shared_ptr<net::ServiceThread> thread;
    net::ProfileServerEndpoints endpoints;
};

} // namespace

ProfileServerHost::ProfileServerHost(AccessController *access, QObject *parent) : QObject(parent), m_access(access)
{
    // A server signs with the operator's keys in the name of who started it: not past a logout.
    connect(access, &AccessController::sessionChanged, this, [this] {
        if (!m_access->session())
            stop();
    });
}

ProfileServerHost::~ProfileServerHost() = default;

void ProfileServerHost::start(const net::ProfileServerOptions &options)
{
    if (m_thread || m_starting) {
        Q_EMIT failed(tr("A profile server is served already; stop it first."));
        return;
    }
    if (auto ok = net::ServedProfileServer::checkOptions(options); !ok) {
        Q_EMIT failed(ok.errorMessage());
        return;
    }
    m_starting = true;
    m_access->request<Started>(
        this,
        [options](store::Workspace &ws, const access::Session &session) -> Result<Started> {
            auto served = net::ServedProfileServer::prepare(ws, session, options);
            if (!served)
                return served.error();
            // Binding the sockets happens on the service thread, off the GUI thread.
            Started out { std::make_shared<net::ServiceThread>(), {} };
            auto running = out.thread->start([server = std::move(served).value(), &out]() -> Result<std::shared_ptr<void>> {
                auto endpoints = server->listen();
                if (!endpoints)
                    return endpoints.error();
                out.endpoints = endpoints.value();
                return std::shared_ptr<void>(server);
            });
            if (!running)
                return running.error();
            return out;
        },
        [this](const Result<Started> &result) {
            m_starting = false;
            if (!result) {
                Q_EMIT failed(result.errorMessage());
                return;
            }
            m_thread = result->thread;
            m_endpoints = result->endpoints;
            QString text = tr("%1's profile server is served: ES9+ at %2 (SM-DP+ address %3)")
                               .arg(m_endpoints.operatorName, m_endpoints.url, m_endpoints.address);
            if (!m_endpoints.es2Url.isEmpty())
                text += tr(", ES2+ for the operator at %1").arg(m_endpoints.es2Url);
            Q_EMIT started(text + tr(". It runs until you stop it or log out."));
        });
}

void ProfileServerHost::stop()
{
    if (!m_thread)
        return;
    m_thread.reset(); // the last reference: the sockets close on their own thread
    m_endpoints = {};
    Q_EMIT stopped();
}

} // namespace simfleet::models
