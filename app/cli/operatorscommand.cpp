#include "operatorscommand.h"
#include "fleet/fleetqueries.h"

#include "access/session.h"

#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace simfleet::cli {

int OperatorsCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    const auto operators = fleet::FleetQueries(*workspace).operators(*context.session);
    if (!operators)
        return report(context, name(), operators.errorMessage(), RequestFailed);
    QJsonArray list;
    for (const store::OperatorRecord &op : operators.value()) {
        const double imsiUse = double(op.imsisAllocated()) / double(op.imsiRangeSize());
        const double iccidUse = double(op.iccidsAllocated()) / double(op.iccidRangeSize());
        list.append(QJsonObject {
            { QStringLiteral("name"), op.name },
            { QStringLiteral("country"), op.country },
            { QStringLiteral("mcc"), op.mcc },
            { QStringLiteral("mnc"), op.mnc },
            { QStringLiteral("imsi_range"), QJsonObject { { QStringLiteral("size"), op.imsiRangeSize() },
                                                          { QStringLiteral("allocated"), op.imsisAllocated() } } },
            { QStringLiteral("iccid_range"), QJsonObject { { QStringLiteral("prefix"), op.iccidPrefix },
                                                           { QStringLiteral("size"), op.iccidRangeSize() },
                                                           { QStringLiteral("allocated"), op.iccidsAllocated() } } },
            { QStringLiteral("percent_used"), std::round(std::max(imsiUse, iccidUse) * 1000.0) / 10.0 },
            { QStringLiteral("attestation_max_age_hours"), op.attestationMaxAgeSeconds / 3600 },
        });
    }
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
