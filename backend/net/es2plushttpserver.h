#pragma once

#include "rsphttpserver.h"
#include "tlsidentity.h"

#include "core/result.h"

#include <QHostAddress>
#include <QList>
#include <QSslCertificate>

#include <memory>

namespace simfleet::profiles {
class Es2PlusService;
}

namespace simfleet::net {

// The operator's side of simfleet's profile server on the network: ES2+ over HTTPS (SGP.22
// section 6.5.1, the binding of RspHttpServer) on a listener of its own: downloadOrder,
// confirmOrder, cancelOrder and releaseProfile under /gsma/rsp2/es2plus/ and nothing else. The
// operator is authenticated by TLS (SGP.22 section 2.6.6: ES2+ is mutually authenticated), so
// listen() refuses until the authorities its client certificate must chain to are given.
// Lives on the thread that creates it, which must run an event loop.
class Es2PlusHttpServer
{
public:
    explicit Es2PlusHttpServer(std::shared_ptr<profiles::Es2PlusService> service);

    void setTlsIdentity(const TlsIdentity &identity) { m_http.setTlsIdentity(identity); }
    void setClientAuthorities(QList<QSslCertificate> authorities);
    Result<quint16> listen(const QHostAddress &address, quint16 port);

private:
    RspHttpServer m_http;
    bool m_clientsAuthenticated = false;
};

} // namespace simfleet::net
