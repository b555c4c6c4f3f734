#include "ledgercommand.h"

#include "access/session.h"
#include "core/clock.h"
#include "fleet/fleetqueries.h"
#include "fleet/subscriptionledgerreport.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace simfleet::cli {

namespace {

// A day (its first instant, or with `endOfDay` the first instant after it) or an ISO 8601 instant;
// times without a zone are UTC.
std::optional<QDateTime> parseWhen(const QString &text, bool endOfDay)
{
    const QDate day = QDate::fromString(text, Qt::ISODate);
    if (day.isValid() && text.size() == 10)
        return QDateTime(endOfDay ? day.addDays(1) : day, QTime(0, 0), Qt::UTC);
    QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        return std::nullopt;
    if (at.timeSpec() == Qt::LocalTime)
        at.setTimeSpec(Qt::UTC);
    return at.toUTC();
}

} // namespace

QString LedgerCommand::summary() const
{
    return QStringLiteral("The subscription ledger: each period a device held a subscription (operator, customer, ICCID, "
                          "from, to, and the campaign or event that began and ended it) overlapping --from and --to; "
                          "with --monthly, device-days per customer and operator per month");
}

int LedgerCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption customerOption(QStringLiteral("customer"), QStringLiteral("Only this customer's periods."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption operatorOption(QStringLiteral("operator"), QStringLiteral("Only this operator's periods."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption fleetOption(QStringLiteral("fleet"), QStringLiteral("Only the periods of the devices now in this fleet."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption fromOption(QStringLiteral("from"),
                                        QStringLiteral("From this day (its first instant, UTC) or instant (ISO 8601)."),
                                        QStringLiteral("DATE"));
    const QCommandLineOption toOption(QStringLiteral("to"),
                                      QStringLiteral("To the end of this day (UTC), or up to this instant (ISO 8601)."),
                                      QStringLiteral("DATE"));
    const QCommandLineOption monthlyOption(QStringLiteral("monthly"),
                                           QStringLiteral("Device-days per month, customer and operator instead of periods."));
    const QCommandLineOption formatOption(QStringLiteral("format"), QStringLiteral("json (default) or csv."),
                                          QStringLiteral("FORMAT"), QStringLiteral("json"));
    parser.addOptions({ customerOption, operatorOption, fleetOption, fromOption, toOption, monthlyOption, formatOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    const QString format = parser.value(formatOption);
    if (format != u"json" && format != u"csv")
        return report(context, name(), QStringLiteral("--format must be json or csv, not %1").arg(format), BadUsage);
    if (!parser.isSet(fromOption) || !parser.isSet(toOption))
        return report(context, name(), QStringLiteral("say which dates with --from DATE --to DATE (such as 2026-11-01 and 2026-11-30)"),
                      BadUsage);
    const auto from = parseWhen(parser.value(fromOption), false);
    const auto to = parseWhen(parser.value(toOption), true);
    if (!from || !to)
        return report(context, name(),
                      QStringLiteral("%1 is not a date (YYYY-MM-DD) or an ISO 8601 instant")
                          .arg(!from ? parser.value(fromOption) : parser.value(toOption)),
                      BadUsage);
    if (!(*from < *to))
        return report(context, name(), QStringLiteral("--from must come before --to"), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    const fleet::FleetQueries queries(*workspace);
    store::LedgerFilter filter { *from, *to, std::nullopt, std::nullopt, std::nullopt };
    if (parser.isSet(customerOption)) {
        const auto customer = queries.customerNamed(*context.session, parser.value(customerOption));
        if (!customer)
            return report(context, name(), customer.errorMessage(), RequestFailed);
        filter.customerId = customer->id;
    }
    if (parser.isSet(operatorOption)) {
        const auto op = queries.operatorNamed(*context.session, parser.value(operatorOption));
        if (!op)
            return report(context, name(), op.errorMessage(), RequestFailed);
        filter.operatorId = op->id;
    }
    if (parser.isSet(fleetOption)) {
        const auto fleet = queries.fleetNamed(*context.session, parser.value(fleetOption));
        if (!fleet)
            return report(context, name(), fleet.errorMessage(), RequestFailed);
        filter.fleetId = fleet->id;
    }
    const auto periods = queries.ledger(*context.session, filter);
    if (!periods)
        return report(context, name(), periods.errorMessage(), RequestFailed);

    const bool json = format == u"json";
    if (parser.isSet(monthlyOption)) {
        const auto months = fleet::monthlyDeviceDays(periods.value(), *from, *to, workspace->clock().now());
        if (!json) {
            context.out << fleet::ledgerFormat::monthCsvHeader();
            for (const fleet::LedgerMonth &m : months)
                context.out << fleet::ledgerFormat::monthCsvRow(m);
            return Success;
        }
        QJsonArray list;
        for (const fleet::LedgerMonth &m : months)
            list.append(fleet::ledgerFormat::month(m));
        printJson(context, list);
        return Success;
    }
    if (!json) {
        context.out << fleet::ledgerFormat::periodCsvHeader();
        for (const store::SubscriptionPeriod &p : periods.value())
            context.out << fleet::ledgerFormat::periodCsvRow(p);
        return Success;
    }
    QJsonArray list;
    for (const store::SubscriptionPeriod &p : periods.value())
        list.append(fleet::ledgerFormat::period(p));
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
