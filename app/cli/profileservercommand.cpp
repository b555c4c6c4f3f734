#include "profileservercommand.h"

#include "net/servedprofileserver.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QEventLoop>
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
    net::ProfileServerOptions options;
    options.operatorName = parser.value(operatorOption);
    options.listen = parser.value(listenOption);
    options.address = parser.value(addressOption);
    options.tlsCertificateFile = parser.value(certOption);
    options.tlsKeyFile = parser.value(keyOption);
    options.es2Listen = parser.value(es2Option);
    options.es2ClientCaFile = parser.value(clientCaOption);
    options.es2NotifyUrl = parser.value(notifyOption);
    if (auto ok = net::ServedProfileServer::checkOptions(options); !ok)
        return report(context, name(), ok.errorMessage(), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    auto served = net::ServedProfileServer::prepare(*workspace, *context.session, options);
    if (!served)
        return report(context, name(), served.errorMessage(), RequestFailed);
    QEventLoop loop;
    auto endpoints = served.value()->listen();
    if (!endpoints)
        return report(context, name(), endpoints.errorMessage(), RequestFailed);

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
    QJsonObject ready { { QStringLiteral("operator"), endpoints->operatorName },
                        { QStringLiteral("listening"), endpoints->listening },
                        { QStringLiteral("address"), endpoints->address },
                        { QStringLiteral("url"), endpoints->url } };
    if (!endpoints->es2Listening.isEmpty()) {
        ready.insert(QStringLiteral("es2plusListening"), endpoints->es2Listening);
        ready.insert(QStringLiteral("es2plusUrl"), endpoints->es2Url);
        if (!endpoints->es2Notify.isEmpty())
            ready.insert(QStringLiteral("es2plusNotify"), endpoints->es2Notify);
    }
    printJson(context, ready);
    loop.exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return Success;
}

} // namespace simfleet::cli
