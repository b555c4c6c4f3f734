#include "profilescommand.h"
#include "fleet/fleetqueries.h"

#include "access/session.h"

#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace simfleet::cli {

QString ProfilesCommand::summary() const
{
    return QStringLiteral("List profiles (EID, ICCID, IMSI, operator, state) as JSON; never a secret");
}

int ProfilesCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption deviceOption(QStringLiteral("device"), QStringLiteral("One device's profiles."), QStringLiteral("EID"));
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("A fleet's profiles."), QStringLiteral("NAME"));
    parser.addOptions({ deviceOption, fleetOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (parser.isSet(deviceOption) && parser.isSet(fleetOption))
        return report(context, name(), QStringLiteral("give --device or --fleet, not both"), BadUsage);
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    std::optional<QString> eid;
    std::optional<qint64> fleetId;
    if (parser.isSet(deviceOption)) {
        eid = parser.value(deviceOption);
        if (auto found = fleet::FleetQueries(*workspace).devicesWithEids(*context.session, { *eid }); !found)
            return report(context, name(), found.errorMessage(), RequestFailed);
    } else if (parser.isSet(fleetOption)) {
        const auto fleet = fleet::FleetQueries(*workspace).fleetNamed(*context.session, parser.value(fleetOption));
        if (!fleet)
            return report(context, name(), fleet.errorMessage(), RequestFailed);
        fleetId = fleet->id;
    }
    const auto profiles = fleet::FleetQueries(*workspace).profiles(*context.session, eid, fleetId);
    if (!profiles)
        return report(context, name(), profiles.errorMessage(), RequestFailed);
    QJsonArray list;
    for (const store::ProfileOverview &p : profiles.value())
        list.append(QJsonObject { { QStringLiteral("eid"), p.eid },
                                  { QStringLiteral("iccid"), p.iccid },
                                  { QStringLiteral("imsi"), p.imsi },
                                  { QStringLiteral("operator"), p.operatorName },
                                  { QStringLiteral("state"), p.state } });
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
