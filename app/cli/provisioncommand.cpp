#include "provisioncommand.h"
#include "fleet/fleetqueries.h"
#include "campaignoptions.h"
#include "campaignrun.h"
#include "campaigns/campaignplanner.h"

#include "campaigns/campaign.h"
#include "store/workspace.h"

#include <QCommandLineParser>

namespace simfleet::cli {

QString ProvisionCommand::summary() const
{
    return QStringLiteral("Provision a fleet with profiles of its home operator (or --operator), after attesting each device; "
                          "prints a JSON summary");
}

int ProvisionCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("The fleet to provision."), QStringLiteral("NAME"));
    const QCommandLineOption operatorOption(QStringLiteral("operator"),
                                            QStringLiteral("The operator whose profiles to install (default: the fleet's home operator)."),
                                            QStringLiteral("NAME"));
    const CampaignOptions options;
    parser.addOptions({ fleetOption, operatorOption });
    parser.addOptions(options.all());
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (parser.isSet(options.resume) == parser.isSet(fleetOption))
        return report(context, name(), QStringLiteral("say what to provision: --fleet NAME, or --resume ID"), BadUsage);
    auto settings = options.settings(parser);
    if (!settings)
        return report(context, name(), settings.errorMessage(), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    if (parser.isSet(options.resume))
        return runCampaign(context, name(), *workspace, nullptr, parser.value(options.resume).toLongLong(),
                           parser.isSet(options.retryFailed), settings->traceDirectory);

    const fleet::FleetQueries queries(*workspace);
    const auto fleet = queries.fleetNamed(*context.session, parser.value(fleetOption));
    if (!fleet)
        return report(context, name(), fleet.errorMessage(), RequestFailed);
    qint64 chosen = 0;
    if (parser.isSet(operatorOption)) {
        auto named = queries.operatorNamed(*context.session, parser.value(operatorOption));
        if (!named)
            return report(context, name(), named.errorMessage(), RequestFailed);
        chosen = named->id;
    }
    auto devices = selectDevices(context, *workspace, fleet->name, {}, {});
    if (!devices)
        return report(context, name(), devices.errorMessage(), RequestFailed);
    const campaigns::CampaignKind kind = campaigns::CampaignKind::InitialProvisioning;
    auto targetId = campaigns::CampaignPlanner(*workspace).targetOperator(kind, chosen, devices.value());
    if (!targetId)
        return report(context, name(), targetId.errorMessage(), RequestFailed);
    auto target = queries.operatorWithId(*context.session, targetId.value());
    if (!target)
        return report(context, name(), target.errorMessage(), RequestFailed);

    campaigns::CampaignRequest request;
    request.kind = kind;
    request.name = QStringLiteral("Provision %1 with %2").arg(fleet->name, target->name);
    request.targetOperatorId = target->id;
    request.deviceIds = devices.value();
    request.settings = settings.value();
    return runCampaign(context, name(), *workspace, &request, 0, false);
}

} // namespace simfleet::cli
