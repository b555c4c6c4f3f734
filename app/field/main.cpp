// simfleet-field: the simulated devices of a field as equipment on the network (SGP.32). Each
// device's IPA polls simfleet's eIM (simfleet-cli serve) over HTTPS on its own schedule and runs
// what it is handed on the device's eUICC, the same eUICC code the in-process field runs.
//
//   simfleet-field serve --field FILE --eim https://HOST:PORT --eim-root FILE
//                        [--eim-name NAME] [--poll SECONDS] [--speed X] [--threads N] [--once]
//                        [--offline-for SECONDS]
#include "simulation/fieldonnetwork.h"
#include "simulation/simulatedfield.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <atomic>
#include <csignal>
#include <cstdio>

using namespace simfleet;

namespace {

std::atomic<bool> stopRequested { false };

extern "C" void onStop(int)
{
    stopRequested.store(true);
}

int usage(const QString &message)
{
    QTextStream(stderr) << "simfleet-field: " << message << Qt::endl;
    return 2;
}

int failed(const QString &message)
{
    QTextStream(stderr) << "simfleet-field: " << message << Qt::endl;
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("simfleet-field"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Runs a simulated field's devices as equipment on the network: each polls "
                                                    "simfleet's eIM over ESipa (SGP.32) on its own schedule."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("serve"), QStringLiteral("Run the field's devices until stopped (SIGINT, SIGTERM)."));
    const QCommandLineOption fieldOption(QStringLiteral("field"), QStringLiteral("The simulated field (WORKSPACE.field)."), QStringLiteral("FILE"));
    const QCommandLineOption eimOption(QStringLiteral("eim"), QStringLiteral("The eIM's ESipa URL, as simfleet-cli serve prints it."),
                                       QStringLiteral("https://HOST:PORT"));
    const QCommandLineOption rootOption(QStringLiteral("eim-root"),
                                        QStringLiteral("The root certificate the eIM's TLS certificate chains to (PEM); nothing else is trusted "
                                                       "(default for a demo's field: the one beside it)."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption nameOption(QStringLiteral("eim-name"),
                                        QStringLiteral("The name the eIM's certificate carries, when not the URL's host."), QStringLiteral("NAME"));
    const QCommandLineOption pollOption(QStringLiteral("poll"), QStringLiteral("Seconds between a device's check-ins (default 14400: a meter's four hours)."),
                                        QStringLiteral("SECONDS"));
    const QCommandLineOption speedOption(QStringLiteral("speed"), QStringLiteral("Time runs X times faster (tests and demos)."), QStringLiteral("X"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"), QStringLiteral("Check-ins in parallel, each device in session keeping one (default 64: more than "
                                                                                 "a campaign's devices in session)."), QStringLiteral("N"));
    const QCommandLineOption onceOption(QStringLiteral("once"), QStringLiteral("Every device checks in once, then the field stops."));
    const QCommandLineOption offlineForOption(QStringLiteral("offline-for"),
                                              QStringLiteral("Devices whose fault is offline are out of reach this many seconds "
                                                             "(field time), then check in like the others (default: they never do)."),
                                              QStringLiteral("SECONDS"));
    parser.addOptions({ fieldOption, eimOption, rootOption, nameOption, pollOption, speedOption, threadsOption, onceOption,
                        offlineForOption });
    parser.process(app);
    if (parser.positionalArguments() != QStringList { QStringLiteral("serve") })
        return usage(QStringLiteral("say simfleet-field serve --field FILE --eim https://HOST:PORT --eim-root FILE"));
    if (!parser.isSet(fieldOption) || !parser.isSet(eimOption))
        return usage(QStringLiteral("give --field FILE and --eim https://HOST:PORT (and --eim-root FILE)"));
    // A demo's field: the root beside it, which its workspace's eIM serves under.
    QString rootPath = parser.value(rootOption);
    if (rootPath.isEmpty()) {
        QString base = parser.value(fieldOption);
        if (base.endsWith(QStringLiteral(".field")))
            base.chop(6);
        rootPath = base + QStringLiteral(".eim-root.pem");
        if (!QFileInfo::exists(rootPath))
            return usage(QStringLiteral("give --eim-root FILE: the root the eIM's TLS certificate chains to"));
    }

    simulation::FieldNetworkOptions options;
    options.eim = QUrl(parser.value(eimOption), QUrl::StrictMode);
    if (!options.eim.isValid() || options.eim.scheme() != QLatin1StringView("https") || options.eim.host().isEmpty())
        return usage(QStringLiteral("--eim is the eIM's https://HOST:PORT, not \"%1\"").arg(parser.value(eimOption).left(80)));
    QFile rootFile(rootPath);
    if (!rootFile.open(QIODevice::ReadOnly))
        return failed(QStringLiteral("cannot read the eIM's root %1: %2").arg(rootFile.fileName(), rootFile.errorString()));
    options.eimRoots = QSslCertificate::fromData(rootFile.readAll(), QSsl::Pem);
    if (options.eimRoots.isEmpty())
        return failed(QStringLiteral("%1 holds no PEM certificate: give the root the eIM's TLS certificate chains to").arg(rootFile.fileName()));
    options.eimName = parser.value(nameOption);
    bool ok = true;
    if (parser.isSet(pollOption)) {
        const double seconds = parser.value(pollOption).toDouble(&ok);
        if (!ok || !(seconds > 0) || seconds > 30 * 86400)
            return usage(QStringLiteral("--poll is a number of seconds up to 30 days"));
        options.poll = std::chrono::milliseconds(qint64(seconds * 1000));
    }
    if (parser.isSet(speedOption)) {
        options.speed = parser.value(speedOption).toDouble(&ok);
        if (!ok || !(options.speed > 0) || options.speed > 1e7)
            return usage(QStringLiteral("--speed is a factor greater than 0"));
    }
    if (parser.isSet(threadsOption)) {
        options.threads = parser.value(threadsOption).toInt(&ok);
        if (!ok || options.threads < 1 || options.threads > 256)
            return usage(QStringLiteral("--threads is a number from 1 to 256"));
    }
    options.once = parser.isSet(onceOption);
    if (parser.isSet(offlineForOption)) {
        const double seconds = parser.value(offlineForOption).toDouble(&ok);
        if (!ok || seconds < 0 || seconds > 3650.0 * 24 * 3600)
            return usage(QStringLiteral("--offline-for is a number of seconds up to ten years"));
        options.offlineFor = std::chrono::milliseconds(qint64(seconds * 1000));
    }

    // The field's flash lock: no other process (an in-process campaign, another simfleet-field)
    // drives these devices meanwhile.
    auto field = simulation::SimulatedField::open(parser.value(fieldOption));
    if (!field)
        return failed(field.errorMessage());
    std::signal(SIGINT, onStop);
    std::signal(SIGTERM, onStop);
    QTextStream out(stdout);
    out << QJsonDocument(QJsonObject { { QStringLiteral("devices"), field.value()->deviceCount() },
                                       { QStringLiteral("eim"), options.eim.toString() } })
               .toJson(QJsonDocument::Compact)
        << Qt::endl;
    simulation::FieldOnNetwork network(*field.value(), options);
    const auto counts = network.run(stopRequested);
    out << QJsonDocument(QJsonObject { { QStringLiteral("checkIns"), counts.checkIns },
                                       { QStringLiteral("packages"), counts.packages },
                                       { QStringLiteral("unreached"), counts.unreached },
                                       { QStringLiteral("offline"), counts.offline } })
               .toJson(QJsonDocument::Compact)
        << Qt::endl;
    return 0;
}
