#include "devicescommand.h"
#include "fleet/fleetqueries.h"

#include "access/session.h"

#include "campaigns/custodyservice.h"
#include "fleet/devicecsv.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"

#include <QJsonArray>

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

QJsonObject toJson(const store::CustodyState &s)
{
    return { { QStringLiteral("eid"), s.eid },
             { QStringLiteral("custody"), store::custodyName(s.custody) },
             { QStringLiteral("quarantined"), s.quarantined() },
             { QStringLiteral("enabled_iccid"), s.enabledProfileId ? QJsonValue(s.enabledIccid) : QJsonValue(QJsonValue::Null) },
             { QStringLiteral("disable_owed"), s.owesDisable() } };
}

QString DevicesCommand::summary() const
{
    return QStringLiteral("List devices as JSON or CSV (list, the default); report devices stolen, lost or recovered "
                          "(report --stolen|--lost|--recovered EID...), release quarantined ones (release EID...), "
                          "and list open alerts (alerts)");
}

int DevicesCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("Only this fleet's devices."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption formatOption(QStringLiteral("format"), QStringLiteral("json (default) or csv."),
                                          QStringLiteral("FORMAT"), QStringLiteral("json"));
    const QCommandLineOption stolenOption(QStringLiteral("stolen"), QStringLiteral("report: the devices were stolen."));
    const QCommandLineOption lostOption(QStringLiteral("lost"), QStringLiteral("report: the devices are lost."));
    const QCommandLineOption recoveredOption(QStringLiteral("recovered"),
                                             QStringLiteral("report: the devices are back (attested before their subscription runs again)."));
    const QCommandLineOption noteOption(QStringLiteral("note"), QStringLiteral("report: what happened (a police reference, say)."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption reachOption(QStringLiteral("reach"),
                                         QStringLiteral("report, release: where the devices are: the simulated field beside the "
                                                        "workspace (field, the default: reached at once), or the network (network: "
                                                        "simfleet-cli serve acts at each device's next check-in)."),
                                         QStringLiteral("field|network"), QStringLiteral("field"));
    parser.addOptions({ fleetOption, formatOption, stolenOption, lostOption, recoveredOption, noteOption, reachOption });
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list (default), report, release or alerts."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 100000))
        return *done;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0, QStringLiteral("list"));
    if (action == u"report" || action == u"release" || action == u"alerts")
        return custody(action, positional.mid(1), parser, context);
    if (action != u"list")
        return report(context, name(), QStringLiteral("the action is list, report, release or alerts, not %1").arg(action), BadUsage);
    if (positional.size() > 1)
        return report(context, name(), QStringLiteral("unexpected argument %1").arg(positional.at(1)), BadUsage);
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

int DevicesCommand::custody(const QString &action, const QStringList &eids, const QCommandLineParser &parser, CliContext &context)
{
    const bool stolen = parser.isSet(QStringLiteral("stolen")), lost = parser.isSet(QStringLiteral("lost")),
               recovered = parser.isSet(QStringLiteral("recovered"));
    const QString reach = parser.value(QStringLiteral("reach"));
    if (reach != u"field" && reach != u"network")
        return report(context, name(), QStringLiteral("--reach is field or network, not %1").arg(reach), BadUsage);
    if (action == u"report" && int(stolen) + int(lost) + int(recovered) != 1)
        return report(context, name(), QStringLiteral("say what happened with exactly one of --stolen, --lost or --recovered"), BadUsage);
    if (action != u"alerts" && eids.isEmpty())
        return report(context, name(), QStringLiteral("name the devices by their EIDs: devices %1 ... EID...").arg(action), BadUsage);
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    if (action == u"alerts") {
        auto alerts = fleet::FleetQueries(*workspace).alerts(*context.session, 1000);
        if (!alerts)
            return report(context, name(), alerts.errorMessage(), RequestFailed);
        QJsonArray list;
        for (const store::DeviceAlert &a : alerts.value())
            list.append(QJsonObject { { QStringLiteral("eid"), a.eid },
                                      { QStringLiteral("kind"), a.kind },
                                      { QStringLiteral("at"), a.raisedAt.toString(Qt::ISODateWithMs) },
                                      { QStringLiteral("detail"), a.detail },
                                      { QStringLiteral("latitude"), nullable(a.latitude) },
                                      { QStringLiteral("longitude"), nullable(a.longitude) } });
        printJson(context, list);
        return Success;
    }
    // The simulated field's devices are in reach now; devices on the network wait for their check-in.
    std::unique_ptr<simulation::SimulatedField> field;
    if (reach == u"field") {
        auto opened = simulation::SimulatedField::openForWorkspace(workspace->info().path);
        if (!opened)
            return report(context, name(), opened.errorMessage(), RequestFailed);
        field = std::move(opened).value();
    }
    struct NoLinks : devices::DeviceLinkProvider
    {
        std::unique_ptr<devices::DeviceLink> linkTo(const QString &) override { return nullptr; }
    } none;
    campaigns::CustodyService service(*workspace, field ? static_cast<devices::DeviceLinkProvider &>(*field) : none);
    const auto custody = stolen ? store::Custody::Stolen : lost ? store::Custody::Lost : store::Custody::Recovered;
    auto done = action == u"report" ? service.report(*context.session, eids, custody, parser.value(QStringLiteral("note")))
                                    : service.release(*context.session, eids);
    if (!done)
        return report(context, name(), done.errorMessage(), RequestFailed);
    QHash<QString, campaigns::ContactOutcome> contacted;
    if (field) {
        QList<std::pair<qint64, QString>> devices;
        for (const store::CustodyState &s : done.value())
            devices.append({ s.deviceId, s.eid });
        auto outcomes = service.contact(*context.session, devices, campaigns::CustodyService::Contact::Reached);
        if (!outcomes)
            return report(context, name(), outcomes.errorMessage(), RequestFailed);
        for (const auto &o : outcomes.value())
            contacted.insert(o.eid, o);
        done = store::CustodyRepository(workspace->database()).states([&] {
            QList<qint64> ids;
            for (const auto &d : devices)
                ids.append(d.first);
            return ids;
        }());
        if (!done)
            return report(context, name(), done.errorMessage(), RequestFailed);
    }
    QJsonArray list;
    for (const store::CustodyState &s : done.value()) {
        QJsonObject row = toJson(s);
        if (const auto it = contacted.constFind(s.eid); it != contacted.cend()) {
            row.insert(QStringLiteral("contact"), QJsonArray::fromStringList(it->done));
            if (!it->failure.isEmpty())
                row.insert(QStringLiteral("contact_failed"), it->failure);
        } else {
            row.insert(QStringLiteral("contact"), QStringLiteral("at its next check-in"));
        }
        list.append(row);
    }
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
