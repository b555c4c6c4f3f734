#include "esipahttpserver.h"

#include "esipaservice.h"
#include "protocol/esipa.h"

namespace simfleet::eim {

EsipaHttpServer::EsipaHttpServer(std::shared_ptr<EsipaService> service)
    : m_http({ QStringLiteral("ESipa"), QString(), protocol::esipa::maxRequestBytes,
               [service = std::move(service)](const QString &name) -> net::FunctionCall {
                   if (!name.isEmpty())
                       return {};
                   return [service](const QByteArray &body) { return service->handle(body); };
               } },
             net::RspHttpServer::Binding::Asn1, protocol::esipa::adminProtocol)
{
}

} // namespace simfleet::eim
