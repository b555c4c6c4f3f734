#include "reconcilecommand.h"

#include "campaigns/campaignplanner.h"
#include "campaigns/reconciliation.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

namespace simfleet::cli {

QString ReconcileCommand::summary() const
{
    return QStringLiteral("Ask devices which profiles they hold, report every difference from the workspace as JSON and "
                          "repair what the workspace can; exits 1 when a difference stays unrepaired");
}

int ReconcileCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("Every device of this fleet."), QStringLiteral("NAME"));
    const QCommandLineOption devicesOption(QStringLiteral("devices"),
                                           QStringLiteral("A file with one EID per line (or a CSV with an eid column)."),
                                           QStringLiteral("FILE"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           QStringLiteral("Seconds to wait for each device to answer (default 10)."),
                                           QStringLiteral("SECONDS"));
    parser.addOptions({ fleetOption, devicesOption, timeoutOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (parser.isSet(fleetOption) == parser.isSet(devicesOption))
        return report(context, name(), QStringLiteral("say which devices: --fleet NAME or --devices FILE"), BadUsage);
    int timeoutMs = 10000;
    if (parser.isSet(timeoutOption)) {
        bool ok = false;
        const double seconds = parser.value(timeoutOption).toDouble(&ok);
        if (!ok || !(seconds > 0 && seconds <= 3600))
            return report(context, name(), QStringLiteral("--timeout takes seconds between 0 and 3600, e.g. --timeout 5"), BadUsage);
        timeoutMs = int(seconds * 1000);
    }
    campaigns::DeviceSelection selection;
    if (parser.isSet(fleetOption)) {
        selection.fleet = parser.value(fleetOption);
    } else {
        selection.devicesFile = parser.value(devicesOption);
        const QFileInfo file(selection.devicesFile);
        if (!file.isFile() || !file.isReadable())
            return report(context, name(),
                          QStringLiteral("cannot read the devices file %1; give a readable file with one EID per line")
                              .arg(selection.devicesFile),
                          BadUsage);
    }

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    auto field = simulation::SimulatedField::openForWorkspace(workspace->info().path);
    if (!field)
        return report(context, name(), field.errorMessage(), RequestFailed);
    campaigns::Reconciliation reconciliation(*workspace, *field.value());
    reconciliation.setAnswerTimeout(std::chrono::milliseconds(timeoutMs));
    auto result = reconciliation.run(*context.session, selection);
    if (!result)
        return report(context, name(), result.errorMessage(), RequestFailed);
    QJsonArray differences;
    for (const auto &d : result->differences)
        differences.append(d.toJson());
    printJson(context, QJsonObject { { QStringLiteral("summary"), result->summaryJson() },
                                     { QStringLiteral("differences"), differences } });
    if (result->unrepaired > 0)
        return report(context, name(),
                      QStringLiteral("%1 differences could not be repaired (see \"action\"); reconcile again once the devices "
                                     "answer or their campaigns have been resumed")
                          .arg(result->unrepaired),
                      RequestFailed);
    return Success;
}

} // namespace simfleet::cli
