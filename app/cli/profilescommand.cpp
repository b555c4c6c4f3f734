#include "profilescommand.h"
#include "secretfile.h"

#include "fleet/fleetqueries.h"
#include "fleet/operatoronboarding.h"

#include "access/session.h"

#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace simfleet::cli {

QString ProfilesCommand::summary() const
{
    return QStringLiteral("List profiles (EID, ICCID, IMSI, operator, state) as JSON; never a secret. "
                          "export-template writes an operator's profile template as personalised, secrets zeroed");
}

int ProfilesCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption deviceOption(QStringLiteral("device"), QStringLiteral("One device's profiles."), QStringLiteral("EID"));
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("A fleet's profiles."), QStringLiteral("NAME"));
    const QCommandLineOption operatorOption(QStringLiteral("operator"),
                                            QStringLiteral("export-template: the operator whose template is written."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption outOption(QStringLiteral("out"),
                                       QStringLiteral("export-template: the DER file to write (never overwritten)."),
                                       QStringLiteral("FILE.der"));
    parser.addOptions({ deviceOption, fleetOption, operatorOption, outOption });
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list (default) or export-template."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 1))
        return *done;
    const QString action = parser.positionalArguments().value(0, QStringLiteral("list"));
    if (action == u"export-template")
        return exportTemplate(parser.value(operatorOption), parser.value(outOption), context);
    if (action != u"list")
        return report(context, name(), QStringLiteral("the action is list or export-template, not %1").arg(action), BadUsage);
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

int ProfilesCommand::exportTemplate(const QString &operatorName, const QString &out, CliContext &context)
{
    if (operatorName.isEmpty() || out.isEmpty())
        return report(context, name(), QStringLiteral("export-template needs --operator NAME and --out FILE.der"), BadUsage);
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    auto exported = fleet::OperatorOnboarding::exportProfileTemplate(*workspace, *context.session, operatorName);
    if (!exported)
        return report(context, name(), exported.errorMessage(), RequestFailed);
    if (auto written = writeNewFile(out, exported.value()); !written)
        return report(context, name(), written.errorMessage(), RequestFailed);
    printJson(context, QJsonObject { { QStringLiteral("operator"), operatorName },
                                     { QStringLiteral("out"), out },
                                     { QStringLiteral("bytes"), int(exported->size()) },
                                     { QStringLiteral("secrets"), QStringLiteral("zeroed") } });
    return Success;
}

} // namespace simfleet::cli
