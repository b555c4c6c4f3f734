#include "servedprofileserver.h"
#include "hostport.h"
#include "es2plushttpserver.h"
#include "es2plusnotifier.h"
#include "es9plushttpserver.h"
#include "tlsidentity.h"

#include "access/permission.h"
#include "access/session.h"
#include "core/clock.h"
#include "profiles/es2plusservice.h"
#include "profiles/es9plusservice.h"
#include "profiles/profileserver.h"
#include "profiles/workspaceprofileallocator.h"
#include "store/operatorrepository.h"
#include "store/records.h"
#include "store/workspace.h"

#include <QFile>
#include <QHostAddress>
#include <QSslCertificate>
#include <QUrl>

#include <optional>

namespace simfleet::net {

namespace {

// The authorities the operator's TLS certificates chain to: its client certificates on ES2+,
// its server's for handleDownloadProgressInfo. PEM (several) or DER (one).
Result<QList<QSslCertificate>> operatorAuthorities(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the ES2+ client CA file %1: %2").arg(path, file.errorString()));
    const QByteArray data = file.readAll();
    QList<QSslCertificate> authorities = QSslCertificate::fromData(data, QSsl::Pem);
    if (authorities.isEmpty())
        authorities = QSslCertificate::fromData(data, QSsl::Der);
    if (authorities.isEmpty())
        return fail(QStringLiteral("%1 holds no certificate (PEM or DER); the ES2+ client CA is the one the operator's "
                                   "TLS certificates chain to")
                        .arg(path));
    return authorities;
}

} // namespace

struct ServedProfileServer::Private
{
    ProfileServerOptions options;
    HostPort listen;
    std::optional<HostPort> es2Listen;
    QString operatorName;
    TlsIdentity tls;
    QList<QSslCertificate> authorities;
    std::shared_ptr<profiles::ProfileServer> server;
    std::shared_ptr<profiles::DownloadOrderBook> orders;
    std::shared_ptr<profiles::Es9PlusService> service;
    std::shared_ptr<profiles::Es2PlusService> es2Service;
    // Declared before the servers, so it outlives the calls they still have under way.
    std::optional<Es2PlusNotifier> notifier;
    std::optional<Es9PlusHttpServer> http;
    std::optional<Es2PlusHttpServer> es2Http;
};

ServedProfileServer::ServedProfileServer() : d(std::make_unique<Private>()) { }
ServedProfileServer::~ServedProfileServer() = default;

Result<void> ServedProfileServer::checkOptions(const ProfileServerOptions &o)
{
    if (o.operatorName.isEmpty() || o.listen.isEmpty())
        return fail(QStringLiteral("give --operator NAME and --listen ADDRESS:PORT"));
    if (!hostPort(o.listen))
        return fail(QStringLiteral("--listen takes an IP address and a port, e.g. 127.0.0.1:8443"));
    // SGP.22 section 2.6.6: ES9+ is HTTPS only; there is no plain-HTTP mode to fall back to.
    if (o.tlsCertificateFile.isEmpty() || o.tlsKeyFile.isEmpty())
        return fail(QStringLiteral("ES9+ is served over HTTPS only: give --tls-cert FILE and --tls-key FILE (the profile "
                                   "server's TLS certificate and key)"));
    const bool es2plus = !o.es2Listen.isEmpty();
    if (!es2plus && (!o.es2ClientCaFile.isEmpty() || !o.es2NotifyUrl.isEmpty()))
        return fail(QStringLiteral("--es2plus-client-ca and --es2plus-notify go with --es2plus ADDRESS:PORT"));
    if (es2plus && !hostPort(o.es2Listen))
        return fail(QStringLiteral("--es2plus takes an IP address and a port, e.g. 127.0.0.1:8444"));
    // SGP.22 section 2.6.6: ES2+ is mutually authenticated; there is no mode without the
    // operator's certificate.
    if (es2plus && o.es2ClientCaFile.isEmpty())
        return fail(QStringLiteral("ES2+ is served only over mutual TLS: give --es2plus-client-ca FILE, the CA the operator's "
                                   "client certificates chain to"));
    const QUrl notifyUrl(o.es2NotifyUrl, QUrl::StrictMode);
    if (!o.es2NotifyUrl.isEmpty()
        && (!notifyUrl.isValid() || notifyUrl.scheme() != QLatin1StringView("https") || notifyUrl.host().isEmpty()
            || notifyUrl.hasQuery() || notifyUrl.hasFragment()))
        return fail(QStringLiteral("--es2plus-notify takes the operator's server as https://HOST:PORT (ES2+ is HTTPS only)"));
    return {};
}

Result<std::shared_ptr<ServedProfileServer>> ServedProfileServer::prepare(store::Workspace &workspace, const access::Session &by,
                                                                          const ProfileServerOptions &options)
{
    if (auto ok = checkOptions(options); !ok)
        return ok.error();
    if (auto allowed = by.require(access::Permission::ManageOperators, workspace.clock()); !allowed)
        return allowed.error();
    std::shared_ptr<ServedProfileServer> served(new ServedProfileServer);
    Private &p = *served->d;
    p.options = options;
    p.listen = *hostPort(options.listen);
    if (!options.es2Listen.isEmpty())
        p.es2Listen = hostPort(options.es2Listen);
    auto tls = TlsIdentity::fromFiles(options.tlsCertificateFile, options.tlsKeyFile, workspace.clock().now());
    if (!tls)
        return tls.error();
    p.tls = tls.value();
    // An Administrator sees every operator.
    auto found = store::OperatorRepository(workspace.database()).findByName(options.operatorName);
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no operator named %1; `simfleet-cli operators` lists them").arg(options.operatorName));
    const store::OperatorRecord op = *found.value();
    p.operatorName = op.name;
    auto server = profiles::ProfileServer::ofOperator(workspace, op);
    if (!server)
        return server.error();
    p.server = std::move(server).value();
    if (p.es2Listen) {
        auto read = operatorAuthorities(options.es2ClientCaFile);
        if (!read)
            return read.error();
        p.authorities = std::move(read).value();
    }
    // ES2+ and ES9+ share one order book: the operator orders, the eUICC downloads.
    p.orders = std::make_shared<profiles::DownloadOrderBook>();
    p.service = std::make_shared<profiles::Es9PlusService>(p.server, workspace.clock(), std::chrono::minutes(5), p.orders);
    if (p.es2Listen)
        // Numbers are burnt as the operator orders, in the name of who serves (the audit log).
        p.es2Service = std::make_shared<profiles::Es2PlusService>(p.orders, p.server,
                                                                  profiles::WorkspaceProfileAllocator(workspace, by, op));
    return served;
}

Result<ProfileServerEndpoints> ServedProfileServer::listen()
{
    Private &p = *d;
    p.http.emplace(p.service);
    p.http->setTlsIdentity(p.tls);
    auto port = p.http->listen(p.listen.host, p.listen.port);
    if (!port)
        return port.error();
    ProfileServerEndpoints out;
    out.operatorName = p.operatorName;
    out.listening = urlAuthority(p.listen.host, port.value());
    out.url = QStringLiteral("https://%1/gsma/rsp2/es9plus/").arg(out.listening);
    // The address clients put in initiateAuthentication (smdpAddress), checked on every session.
    p.server->setAddress(p.options.address.isEmpty() ? out.listening : p.options.address);
    out.address = p.server->address();
    if (p.es2Listen) {
        p.es2Http.emplace(p.es2Service);
        p.es2Http->setTlsIdentity(p.tls);
        p.es2Http->setClientAuthorities(p.authorities);
        auto es2Port = p.es2Http->listen(p.es2Listen->host, p.es2Listen->port);
        if (!es2Port)
            return es2Port.error();
        out.es2Listening = urlAuthority(p.es2Listen->host, es2Port.value());
        out.es2Url = QStringLiteral("https://%1/gsma/rsp2/es2plus/").arg(out.es2Listening);
        if (!p.options.es2NotifyUrl.isEmpty()) {
            const QUrl notifyUrl(p.options.es2NotifyUrl, QUrl::StrictMode);
            p.notifier.emplace(notifyUrl, p.authorities, p.tls, p.server->address());
            p.service->setProgressListener(p.notifier->listener());
            out.es2Notify = notifyUrl.toString();
        }
    }
    return out;
}

} // namespace simfleet::net
