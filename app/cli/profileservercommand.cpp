#include "profileservercommand.h"

#include "access/permission.h"
#include "access/session.h"
#include "core/clock.h"
#include "fleet/fleetqueries.h"
#include "net/es2plushttpserver.h"
#include "net/es2plusnotifier.h"
#include "net/es9plushttpserver.h"
#include "net/tlsidentity.h"
#include "profiles/es2plusservice.h"
#include "profiles/es9plusservice.h"
#include "profiles/profileserver.h"
#include "profiles/workspaceprofileallocator.h"
#include "store/records.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QJsonObject>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>

#include <atomic>
#include <csignal>
#include <optional>

namespace simfleet::cli {

namespace {

std::atomic<int> stopSignal { 0 };

extern "C" void onStopSignal(int signal)
{
    stopSignal.store(signal);
}

struct HostPort
{
    QString host;
    quint16 port = 0;
};

// ADDRESS:PORT, [IPv6]:PORT; port 0 asks the system for one.
std::optional<HostPort> hostPort(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    return HostPort { host, quint16(port) };
}

QString urlAuthority(const QHostAddress &address, quint16 port)
{
    return (address.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
        .arg(address.toString())
        .arg(port);
}

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
        return fail(QStringLiteral("%1 holds no certificate (PEM or DER); --es2plus-client-ca takes the CA the operator's "
                                   "TLS certificates chain to")
                        .arg(path));
    return authorities;
}

} // namespace

int ProfileServerCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption operatorOption(QStringLiteral("operator"), QStringLiteral("The operator whose profile server is served."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption listenOption(QStringLiteral("listen"),
                                          QStringLiteral("The local address and port to listen on (port 0: any free one)."),
                                          QStringLiteral("ADDRESS:PORT"));
    const QCommandLineOption addressOption(QStringLiteral("address"),
                                           QStringLiteral("The SM-DP+ address clients name in their requests (default: --listen's)."),
                                           QStringLiteral("NAME:PORT"));
    const QCommandLineOption certOption(QStringLiteral("tls-cert"),
                                        QStringLiteral("The server's TLS certificate, PEM (with its chain after it) or DER."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption keyOption(QStringLiteral("tls-key"), QStringLiteral("The TLS certificate's EC private key, PEM."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption es2Option(QStringLiteral("es2plus"),
                                       QStringLiteral("Also serve ES2+, the operator's orders, on this local address and port "
                                                      "(mutual TLS; port 0: any free one)."),
                                       QStringLiteral("ADDRESS:PORT"));
    const QCommandLineOption clientCaOption(QStringLiteral("es2plus-client-ca"),
                                            QStringLiteral("The CA the operator's TLS certificates chain to, PEM: its ES2+ client "
                                                           "certificate, and its server's for --es2plus-notify."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption notifyOption(QStringLiteral("es2plus-notify"),
                                          QStringLiteral("Tell the operator's server how its orders' downloads go "
                                                         "(handleDownloadProgressInfo)."),
                                          QStringLiteral("https://HOST:PORT"));
    parser.addOptions({ operatorOption, listenOption, addressOption, certOption, keyOption, es2Option, clientCaOption, notifyOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (!parser.isSet(operatorOption) || !parser.isSet(listenOption))
        return report(context, name(), QStringLiteral("give --operator NAME and --listen ADDRESS:PORT"), BadUsage);
    const auto listen = hostPort(parser.value(listenOption));
    const QHostAddress listenAddress(listen ? listen->host : QString());
    if (!listen || listenAddress.isNull())
        return report(context, name(), QStringLiteral("--listen takes an IP address and a port, e.g. 127.0.0.1:8443"), BadUsage);
    // SGP.22 section 2.6.6: ES9+ is HTTPS only; there is no plain-HTTP mode to fall back to.
    if (!parser.isSet(certOption) || !parser.isSet(keyOption))
        return report(context, name(),
                      QStringLiteral("ES9+ is served over HTTPS only: give --tls-cert FILE and --tls-key FILE (the profile "
                                     "server's TLS certificate and key)"),
                      BadUsage);
    const bool es2plus = parser.isSet(es2Option);
    if (!es2plus && (parser.isSet(clientCaOption) || parser.isSet(notifyOption)))
        return report(context, name(), QStringLiteral("--es2plus-client-ca and --es2plus-notify go with --es2plus ADDRESS:PORT"), BadUsage);
    const auto es2Listen = hostPort(parser.value(es2Option));
    const QHostAddress es2Address(es2Listen ? es2Listen->host : QString());
    if (es2plus && (!es2Listen || es2Address.isNull()))
        return report(context, name(), QStringLiteral("--es2plus takes an IP address and a port, e.g. 127.0.0.1:8444"), BadUsage);
    // SGP.22 section 2.6.6: ES2+ is mutually authenticated; there is no mode without the
    // operator's certificate.
    if (es2plus && !parser.isSet(clientCaOption))
        return report(context, name(),
                      QStringLiteral("ES2+ is served only over mutual TLS: give --es2plus-client-ca FILE, the CA the operator's "
                                     "client certificates chain to"),
                      BadUsage);
    const QUrl notifyUrl(parser.value(notifyOption), QUrl::StrictMode);
    if (parser.isSet(notifyOption)
        && (!notifyUrl.isValid() || notifyUrl.scheme() != QLatin1StringView("https") || notifyUrl.host().isEmpty()
            || notifyUrl.hasQuery() || notifyUrl.hasFragment()))
        return report(context, name(),
                      QStringLiteral("--es2plus-notify takes the operator's server as https://HOST:PORT (ES2+ is HTTPS only)"), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    // The server signs with the operator's keys: who may manage operators may serve them.
    if (auto allowed = context.session->require(access::Permission::ManageOperators, workspace->clock()); !allowed)
        return report(context, name(), allowed.errorMessage(), RequestFailed);
    auto tls = net::TlsIdentity::fromFiles(parser.value(certOption), parser.value(keyOption), workspace->clock().now());
    if (!tls)
        return report(context, name(), tls.errorMessage(), RequestFailed);
    auto op = fleet::FleetQueries(*workspace).operatorNamed(*context.session, parser.value(operatorOption));
    if (!op)
        return report(context, name(), op.errorMessage(), RequestFailed);
    auto server = profiles::ProfileServer::ofOperator(*workspace, op.value());
    if (!server)
        return report(context, name(), server.errorMessage(), RequestFailed);
    QList<QSslCertificate> authorities;
    if (es2plus) {
        auto read = operatorAuthorities(parser.value(clientCaOption));
        if (!read)
            return report(context, name(), read.errorMessage(), RequestFailed);
        authorities = std::move(read).value();
    }

    QEventLoop loop;
    std::shared_ptr<profiles::ProfileServer> shared = std::move(server).value();
    // ES2+ and ES9+ share one order book: the operator orders, the eUICC downloads.
    auto orders = std::make_shared<profiles::DownloadOrderBook>();
    auto service = std::make_shared<profiles::Es9PlusService>(shared, workspace->clock(), std::chrono::minutes(5), orders);
    // Declared before the servers, so it outlives the calls they still have under way.
    std::optional<net::Es2PlusNotifier> notifier;
    net::Es9PlusHttpServer http(service);
    http.setTlsIdentity(tls.value());
    auto port = http.listen(listenAddress, listen->port);
    if (!port)
        return report(context, name(), port.errorMessage(), RequestFailed);
    const QString bound = urlAuthority(listenAddress, port.value());
    // The address clients put in initiateAuthentication (smdpAddress), checked on every session.
    shared->setAddress(parser.isSet(addressOption) ? parser.value(addressOption) : bound);

    std::optional<net::Es2PlusHttpServer> es2Http;
    QString es2Bound;
    if (es2plus) {
        // Numbers are burnt as the operator orders, in the name of who serves (the audit log).
        auto es2Service = std::make_shared<profiles::Es2PlusService>(
            orders, shared, profiles::WorkspaceProfileAllocator(*workspace, *context.session, op.value()));
        es2Http.emplace(es2Service);
        es2Http->setTlsIdentity(tls.value());
        es2Http->setClientAuthorities(authorities);
        auto es2Port = es2Http->listen(es2Address, es2Listen->port);
        if (!es2Port)
            return report(context, name(), es2Port.errorMessage(), RequestFailed);
        es2Bound = urlAuthority(es2Address, es2Port.value());
        if (parser.isSet(notifyOption)) {
            notifier.emplace(notifyUrl, authorities, tls.value(), shared->address());
            service->setProgressListener(notifier->listener());
        }
    }

    stopSignal.store(0);
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    QTimer watch;
    watch.setInterval(100);
    QObject::connect(&watch, &QTimer::timeout, &loop, [&loop] {
        if (stopSignal.load() != 0)
            loop.quit();
    });
    watch.start();
    QJsonObject ready { { QStringLiteral("operator"), op->name },
                        { QStringLiteral("listening"), bound },
                        { QStringLiteral("address"), shared->address() },
                        { QStringLiteral("url"), QStringLiteral("https://%1/gsma/rsp2/es9plus/").arg(bound) } };
    if (es2plus) {
        ready.insert(QStringLiteral("es2plusListening"), es2Bound);
        ready.insert(QStringLiteral("es2plusUrl"), QStringLiteral("https://%1/gsma/rsp2/es2plus/").arg(es2Bound));
        if (notifier)
            ready.insert(QStringLiteral("es2plusNotify"), notifyUrl.toString());
    }
    printJson(context, ready);
    loop.exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return Success;
}

} // namespace simfleet::cli
