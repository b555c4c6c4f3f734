#pragma once

#include "tlsidentity.h"

#include "core/result.h"

#include <QHostAddress>

#include <memory>

namespace simfleet::profiles {
class Es9PlusService;
}

namespace simfleet::net {

// simfleet's profile server on the network: ES9+ over HTTPS (SGP.22 section 6.1 and 6.2) with
// Qt HTTP Server. POST /gsma/rsp2/es9plus/<function> with a JSON body and X-Admin-Protocol
// gsma/rsp/v2.x.y; every function result is HTTP 200 with header.functionExecutionStatus (also
// when it failed), handleNotification HTTP 204; 4xx only for what is wrong with the HTTP
// request itself (method, path, headers, a body over the limit). The cryptography runs on the
// server's own thread pool, off the thread that owns the sockets; the answer goes back to the
// socket only if its client is still connected. Qt 6.4 HTTP Server reads a whole body before
// the server sees it, so a body over the limit is refused (413) only after it arrived.
// Lives on the thread that creates it, which must run an event loop.
class Es9PlusHttpServer
{
public:
    explicit Es9PlusHttpServer(std::shared_ptr<profiles::Es9PlusService> service);
    ~Es9PlusHttpServer();
    Es9PlusHttpServer(const Es9PlusHttpServer &) = delete;
    Es9PlusHttpServer &operator=(const Es9PlusHttpServer &) = delete;

    // TLS 1.2 or 1.3 with this identity; ES9+ is HTTPS only, so listen() refuses without one.
    void setTlsIdentity(const TlsIdentity &identity);
    // The port it listens on (port 0: one the system picks).
    Result<quint16> listen(const QHostAddress &address, quint16 port);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace simfleet::net
