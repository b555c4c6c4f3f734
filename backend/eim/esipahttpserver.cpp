#include "esipahttpserver.h"

#include "esipaservice.h"
#include "protocol/esipa.h"

#include <QThread>

namespace simfleet::eim {

EsipaHttpServer::EsipaHttpServer(std::shared_ptr<EsipaService> service)
    : m_service(service),
      m_http({ QStringLiteral("ESipa"), QString(), protocol::esipa::maxRequestBytes,
               [service = std::move(service)](const QString &name) -> net::FunctionCall {
                   if (!name.isEmpty())
                       return {};
                   return [service](const QByteArray &body) { return service->handle(body); };
               } },
             net::RspHttpServer::Binding::Asn1, protocol::esipa::adminProtocol)
{
    // A check-in a campaign takes up is held for its first package (EsipaService::setHold), on
    // one of the server's threads: enough threads that held check-ins never starve the others.
    m_http.setMaxConcurrentCalls(heldCheckIns + 2 * std::max(2, QThread::idealThreadCount()));
    m_service->setHold(holdFor, heldCheckIns);
}

} // namespace simfleet::eim
