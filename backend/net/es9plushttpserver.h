#pragma once

#include "rsphttpserver.h"
#include "tlsidentity.h"

#include "core/result.h"

#include <QHostAddress>

#include <memory>

namespace simfleet::profiles {
class Es9PlusService;
}

namespace simfleet::net {

// simfleet's profile server on the network: ES9+ over HTTPS (SGP.22 section 6.1 and 6.2), the
// binding of RspHttpServer: the five functions of section 6.5.2 under /gsma/rsp2/es9plus/,
// handleNotification answered with HTTP 204, and nothing else (ES2+ has a listener of its own).
// Clients are authenticated by the protocol, not by TLS. Lives on the thread that creates it,
// which must run an event loop.
class Es9PlusHttpServer
{
public:
    explicit Es9PlusHttpServer(std::shared_ptr<profiles::Es9PlusService> service);

    // ES9+ is HTTPS only, so listen() refuses without an identity.
    void setTlsIdentity(const TlsIdentity &identity) { m_http.setTlsIdentity(identity); }
    // The port it listens on (port 0: one the system picks).
    Result<quint16> listen(const QHostAddress &address, quint16 port) { return m_http.listen(address, port); }

    using Traffic = RspHttpServer::Traffic;
    Traffic traffic() const { return m_http.traffic(); }

private:
    RspHttpServer m_http;
};

} // namespace simfleet::net
