#include "es2plushttpserver.h"

#include "profiles/es2plusservice.h"
#include "protocol/es2plus.h"

namespace simfleet::net {

namespace es2 = protocol::es2plus;

Es2PlusHttpServer::Es2PlusHttpServer(std::shared_ptr<profiles::Es2PlusService> service)
    : m_http({ QStringLiteral("ES2+"), QStringLiteral("es2plus"), es2::maxRequestBytes,
               [service = std::move(service)](const QString &name) -> FunctionCall {
                   const auto function = es2::functionFromName(name);
                   if (!function || !profiles::Es2PlusService::provides(*function))
                       return {};
                   return [service, f = *function](const QByteArray &body) -> std::optional<QByteArray> { return service->handle(f, body); };
               } })
{
}

void Es2PlusHttpServer::setClientAuthorities(QList<QSslCertificate> authorities)
{
    m_clientsAuthenticated = !authorities.isEmpty();
    m_http.requireClientCertificates(std::move(authorities));
}

Result<quint16> Es2PlusHttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!m_clientsAuthenticated)
        return fail(QStringLiteral("ES2+ is served only to operators with a TLS client certificate; give the certificate "
                                   "authority their certificates chain to"));
    return m_http.listen(address, port);
}

} // namespace simfleet::net
