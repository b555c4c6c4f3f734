#include "profileservercommand.h"

#include "access/permission.h"
#include "access/session.h"
#include "core/clock.h"
#include "fleet/fleetqueries.h"
#include "net/es9plushttpserver.h"
#include "net/tlsidentity.h"
#include "profiles/es9plusservice.h"
#include "profiles/profileserver.h"
#include "store/records.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QHostAddress>
#include <QJsonObject>
#include <QTimer>

#include <atomic>
#include <csignal>

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
    parser.addOptions({ operatorOption, listenOption, addressOption, certOption, keyOption });
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

    QEventLoop loop;
    std::shared_ptr<profiles::ProfileServer> shared = std::move(server).value();
    auto service = std::make_shared<profiles::Es9PlusService>(shared, workspace->clock());
    net::Es9PlusHttpServer http(service);
    http.setTlsIdentity(tls.value());
    auto port = http.listen(listenAddress, listen->port);
    if (!port)
        return report(context, name(), port.errorMessage(), RequestFailed);
    const QString bound = (listenAddress.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
                              .arg(listenAddress.toString())
                              .arg(port.value());
    // The address clients put in initiateAuthentication (smdpAddress), checked on every session.
    shared->setAddress(parser.isSet(addressOption) ? parser.value(addressOption) : bound);

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
    printJson(context, QJsonObject { { QStringLiteral("operator"), op->name },
                                     { QStringLiteral("listening"), bound },
                                     { QStringLiteral("address"), shared->address() },
                                     { QStringLiteral("url"), QStringLiteral("https://%1/gsma/rsp2/es9plus/").arg(bound) } });
    loop.exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return Success;
}

} // namespace simfleet::cli
