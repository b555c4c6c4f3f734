#include "es9plushttpserver.h"

#include "profiles/es9plusservice.h"
#include "protocol/es9plus.h"

namespace simfleet::net {

namespace es9 = protocol::es9plus;

Es9PlusHttpServer::Es9PlusHttpServer(std::shared_ptr<profiles::Es9PlusService> service)
    : m_http({ QStringLiteral("ES9+"), QStringLiteral("es9plus"), es9::maxRequestBytes,
               [service = std::move(service)](const QString &name) -> FunctionCall {
                   const auto function = es9::functionFromName(name);
                   if (!function)
                       return {};
                   return [service, f = *function](const QByteArray &body) { return service->handle(f, body).body; };
               } })
{
}

} // namespace simfleet::net
