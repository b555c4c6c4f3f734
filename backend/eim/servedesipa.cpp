#include "servedesipa.h"

#include "eimidentity.h"
#include "eimlog.h"
#include "esipahttpserver.h"
#include "esipaservice.h"

#include "access/permission.h"
#include "core/clock.h"
#include "access/session.h"
#include "net/hostport.h"
#include "net/remoteprofileserver.h"
#include "net/servicethread.h"
#include "net/tlsidentity.h"
#include "profiles/profileserver.h"
#include "store/operatorrepository.h"
#include "store/workspace.h"

namespace simfleet::eim {

struct ServedEsipa::Private
{
    EsipaEndpoint endpoint;
    std::shared_ptr<EsipaService> service;
    net::ServiceThread thread; // last: stops first
};

ServedEsipa::ServedEsipa() : d(std::make_unique<Private>()) { }
ServedEsipa::~ServedEsipa() = default;

const EsipaEndpoint &ServedEsipa::endpoint() const
{
    return d->endpoint;
}

const std::shared_ptr<EsipaService> &ServedEsipa::service() const
{
    return d->service;
}

Result<std::unique_ptr<ServedEsipa>> ServedEsipa::start(store::Workspace &workspace, const access::Session &by, const QString &listen,
                                                        const QString &tlsCertificateFile, const QString &tlsKeyFile)
{
    const auto where = net::hostPort(listen);
    if (!where)
        return fail(QStringLiteral("--esipa takes an IP address and a port, e.g. 127.0.0.1:8443"));
    if (tlsCertificateFile.isEmpty() || tlsKeyFile.isEmpty())
        return fail(QStringLiteral("ESipa is served over HTTPS only: give --tls-cert FILE and --tls-key FILE"));
    for (const auto permission : { access::Permission::Provision, access::Permission::ChangeSubscription }) {
        if (auto allowed = by.require(permission, workspace.clock()); !allowed)
            return allowed.error();
    }
    auto tls = net::TlsIdentity::fromFiles(tlsCertificateFile, tlsKeyFile, workspace.clock().now());
    if (!tls)
        return tls.error();
    auto identity = EimIdentity::ensure(workspace, by.author());
    if (!identity)
        return identity.error();
    auto trust = profiles::deviceTrustOf(workspace);
    if (!trust)
        return trust.error();
    std::unique_ptr<ServedEsipa> served(new ServedEsipa);
    Private &p = *served->d;
    p.endpoint.eimId = identity->eimId();
    p.service = std::make_shared<EsipaService>(workspace, std::move(identity).value(), std::move(trust).value());
    // The operators whose profile servers run elsewhere: an IPA's download names them by address.
    auto operators = store::OperatorRepository(workspace.database()).list();
    if (!operators)
        return operators.error();
    for (const store::OperatorRecord &op : operators.value()) {
        if (op.profileServerAddress.isEmpty() || op.retiredAt)
            continue;
        auto remote = net::RemoteProfileServer::ofOperator(workspace, op, std::chrono::seconds(30));
        if (!remote) {
            qCWarning(lcEim) << "relays no download to" << op.name << ":" << remote.errorMessage();
            continue;
        }
        p.service->relayTo(remote->address(), remote->functions());
    }
    quint16 port = 0;
    auto started = p.thread.start([&]() -> Result<std::shared_ptr<void>> {
        auto http = std::make_shared<EsipaHttpServer>(p.service);
        http->setTlsIdentity(tls.value());
        auto bound = http->listen(where->host, where->port);
        if (!bound)
            return bound.error();
        port = bound.value();
        return std::shared_ptr<void>(http);
    });
    if (!started)
        return started.error();
    p.endpoint.listening = net::urlAuthority(where->host, port);
    p.endpoint.url = QStringLiteral("https://%1").arg(p.endpoint.listening);
    qCInfo(lcEim) << "eIM" << p.endpoint.eimId << "serves ESipa on" << p.endpoint.url;
    return served;
}

} // namespace simfleet::eim
