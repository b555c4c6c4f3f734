#include "changecommand.h"
#include "fleet/fleetqueries.h"
#include "campaignoptions.h"
#include "campaignrun.h"

#include "campaigns/campaign.h"
#include "store/workspace.h"

#include <QCommandLineParser>

namespace simfleet::cli {

QString ChangeCommand::summary() const
{
    return QStringLiteral("Move devices to another operator, make-before-break, optionally to a new owning customer; "
                          "prints a JSON summary");
}

int ChangeCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("Every device of this fleet."), QStringLiteral("NAME"));
    const QCommandLineOption devicesOption(QStringLiteral("devices"),
                                           QStringLiteral("A file with one EID per line (or a CSV with an eid column)."),
                                           QStringLiteral("FILE"));
    const QCommandLineOption filterOption(QStringLiteral("filter"),
                                          QStringLiteral("Devices matching KEY=VALUE terms joined by \"and\"; keys: customer, "
                                                         "fleet, operator, model, verdict, secure-element, eid."),
                                          QStringLiteral("EXPR"));
    const QCommandLineOption toOption(QStringLiteral("to"), QStringLiteral("The operator to move to."), QStringLiteral("OPERATOR"));
    const QCommandLineOption customerOption(QStringLiteral("customer"),
                                            QStringLiteral("The customer that owns the devices afterwards."), QStringLiteral("NAME"));
    const CampaignOptions options;
    parser.addOptions({ fleetOption, devicesOption, filterOption, toOption, customerOption });
    parser.addOptions(options.all());
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    auto settings = options.settings(parser);
    if (!settings)
        return report(context, name(), settings.errorMessage(), BadUsage);
    const bool resuming = parser.isSet(options.resume);
    if (!resuming && !parser.isSet(toOption))
        return report(context, name(), QStringLiteral("say where to: --to OPERATOR (or --resume ID)"), BadUsage);
    if (parser.isSet(options.retryFailed) && !resuming)
        return report(context, name(), QStringLiteral("--retry-failed needs --resume ID"), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    if (resuming) {
        bool ok = false;
        const qint64 id = parser.value(options.resume).toLongLong(&ok);
        if (!ok || id <= 0)
            return report(context, name(), QStringLiteral("--resume takes a campaign number; simfleet-cli campaigns lists them"), BadUsage);
        return runCampaign(context, name(), *workspace, nullptr, id, parser.isSet(options.retryFailed),
                           settings->traceDirectory);
    }
    const fleet::FleetQueries queries(*workspace);
    auto target = queries.operatorNamed(*context.session, parser.value(toOption));
    if (!target)
        return report(context, name(), target.errorMessage(), RequestFailed);
    auto devices = selectDevices(context, *workspace, parser.value(fleetOption), parser.value(devicesOption), parser.value(filterOption));
    if (!devices)
        return report(context, name(), devices.errorMessage(), devices.errorMessage().startsWith(u"say") ? BadUsage : RequestFailed);
    if (devices->isEmpty())
        return report(context, name(), QStringLiteral("no device matches; nothing to change"), RequestFailed);

    campaigns::CampaignRequest request;
    request.kind = campaigns::CampaignKind::SubscriptionChange;
    request.targetOperatorId = target->id;
    if (parser.isSet(customerOption)) {
        auto customer = queries.customerNamed(*context.session, parser.value(customerOption));
        if (!customer)
            return report(context, name(), customer.errorMessage(), RequestFailed);
        request.newCustomerId = customer->id;
    }
    request.deviceIds = devices.value();
    request.settings = settings.value();
    return runCampaign(context, name(), *workspace, &request, 0, false);
}

} // namespace simfleet::cli
