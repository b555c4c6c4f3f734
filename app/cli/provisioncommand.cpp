#include "provisioncommand.h"
#include "campaignoptions.h"
#include "campaignrun.h"
#include "campaigns/campaignplanner.h"

#include "campaigns/campaign.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
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
                           parser.isSet(options.retryFailed));

    const auto fleet = store::FleetRepository(workspace->database()).findUnique(parser.value(fleetOption));
    if (!fleet)
        return report(context, name(), fleet.errorMessage(), RequestFailed);
    store::OperatorRepository operators(workspace->database());
    qint64 chosen = 0;
    if (parser.isSet(operatorOption)) {
        auto named = operators.findByName(parser.value(operatorOption));
        if (!named)
            return report(context, name(), named.errorMessage(), RequestFailed);
        if (!named.value())
            return report(context, name(),
                          QStringLiteral("there is no operator %1; simfleet-cli operators lists them").arg(parser.value(operatorOption)),
                          RequestFailed);
        chosen = named.value()->id;
    }
    auto devices = selectDevices(context, *workspace, fleet->name, {}, {});
    if (!devices)
        return report(context, name(), devices.errorMessage(), RequestFailed);
    const campaigns::CampaignKind kind = campaigns::CampaignKind::InitialProvisioning;
    auto targetId = campaigns::CampaignPlanner(*workspace).targetOperator(kind, chosen, devices.value());
    if (!targetId)
        return report(context, name(), targetId.errorMessage(), RequestFailed);
    auto target = operators.find(targetId.value());
    if (!target || !target.value())
        return report(context, name(), QStringLiteral("the operator to provision with is gone"), RequestFailed);

    campaigns::CampaignRequest request;
    request.kind = kind;
    request.name = QStringLiteral("Provision %1 with %2").arg(fleet->name, target.value()->name);
    request.targetOperatorId = target.value()->id;
    request.deviceIds = devices.value();
    request.settings = settings.value();
    return runCampaign(context, name(), *workspace, &request, 0, false);
}

} // namespace simfleet::cli
