#include "devicescommand.h"
#include "fleet/fleetqueries.h"

#include "access/session.h"

#include "fleet/devicecsv.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace simfleet::cli {

namespace {

QJsonValue nullable(const std::optional<QString> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QJsonValue nullable(const std::optional<double> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QJsonObject toJson(const store::DeviceOverview &o)
{
    const store::DeviceRecord &d = o.device;
    return { { QStringLiteral("eid"), d.eid },
             { QStringLiteral("imei"), d.imei },
             { QStringLiteral("serial"), d.serial },
             { QStringLiteral("model"), d.model },
             { QStringLiteral("secure_element"), store::secureElementName(d.secureElement) },
             { QStringLiteral("label"), d.label },
             { QStringLiteral("latitude"), nullable(d.latitude) },
             { QStringLiteral("longitude"), nullable(d.longitude) },
             { QStringLiteral("customer"), o.customer },
             { QStringLiteral("fleet"), o.fleet },
             { QStringLiteral("operator"), nullable(o.operatorName) },
             { QStringLiteral("iccid"), nullable(o.iccid) },
             { QStringLiteral("attestation"), nullable(o.attestation) } };
}

} // namespace

int DevicesCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("Only this fleet's devices."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption formatOption(QStringLiteral("format"), QStringLiteral("json (default) or csv."),
                                          QStringLiteral("FORMAT"), QStringLiteral("json"));
    parser.addOptions({ fleetOption, formatOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    const QString format = parser.value(formatOption);
    if (format != u"json" && format != u"csv")
        return report(context, name(), QStringLiteral("--format must be json or csv, not %1").arg(format), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    std::optional<qint64> fleetId;
    if (parser.isSet(fleetOption)) {
        const auto fleet = fleet::FleetQueries(*workspace).fleetNamed(*context.session, parser.value(fleetOption));
        if (!fleet)
            return report(context, name(), fleet.errorMessage(), RequestFailed);
        fleetId = fleet->id;
    }

    // Streamed row by row, so a million devices never sit in memory as one document.
    const bool json = format == u"json";
    bool first = true;
    if (json)
        context.out << '[';
    else
        context.out << fleet::deviceCsv::header();
    auto listed = fleet::FleetQueries(*workspace).forEachDevice(*context.session, fleetId, [&](const store::DeviceOverview &o) {
        if (json) {
            context.out << (first ? "" : ",") << QString::fromUtf8(QJsonDocument(toJson(o)).toJson(QJsonDocument::Compact));
        } else {
            context.out << fleet::deviceCsv::row(o);
        }
        first = false;
    });
    if (json)
        context.out << "]\n";
    context.out.flush();
    if (!listed)
        return report(context, name(), listed.errorMessage(), RequestFailed);
    return Success;
}

} // namespace simfleet::cli
