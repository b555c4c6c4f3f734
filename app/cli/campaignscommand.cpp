#include "campaignscommand.h"

#include "access/session.h"

#include "campaigns/campaignqueries.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>
#include <QSaveFile>

namespace simfleet::cli {

QString CampaignsCommand::summary() const
{
    return QStringLiteral("List campaigns with their state and counts as JSON, or report one (--report ID [--csv FILE])");
}

int CampaignsCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption reportOption(QStringLiteral("report"),
                                          QStringLiteral("One campaign's summary with counts by reason."), QStringLiteral("ID"));
    const QCommandLineOption csvOption(QStringLiteral("csv"),
                                       QStringLiteral("With --report: write per-device outcomes to FILE (no secrets)."),
                                       QStringLiteral("FILE"));
    parser.addOptions({ reportOption, csvOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (parser.isSet(csvOption) && !parser.isSet(reportOption))
        return report(context, name(), QStringLiteral("--csv needs --report ID"), BadUsage);
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    const campaigns::CampaignQueries service(*workspace); // listing and reporting never reach a device
    if (parser.isSet(reportOption)) {
        bool ok = false;
        const qint64 id = parser.value(reportOption).toLongLong(&ok);
        if (!ok)
            return report(context, name(), QStringLiteral("--report takes a campaign number"), BadUsage);
        auto summary = service.summary(*context.session, id);
        if (!summary)
            return report(context, name(), summary.errorMessage(), RequestFailed);
        if (parser.isSet(csvOption)) {
            QSaveFile file(parser.value(csvOption));
            if (!file.open(QIODevice::WriteOnly))
                return report(context, name(), QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()),
                              RequestFailed);
            if (auto written = service.writeReport(*context.session, id, file); !written || !file.commit())
                return report(context, name(), QStringLiteral("cannot write %1: %2").arg(file.fileName(), written ? file.errorString() : written.errorMessage()),
                              RequestFailed);
        }
        printJson(context, summary->toJson());
        return Success;
    }
    auto all = service.list(*context.session);
    if (!all)
        return report(context, name(), all.errorMessage(), RequestFailed);
    QJsonArray list;
    for (const campaigns::CampaignSummary &s : all.value()) {
        QJsonObject o = s.toJson();
        o.insert(QStringLiteral("id"), s.campaignId);
        o.remove(QStringLiteral("campaign"));
        list.append(o);
    }
    printJson(context, list);
    return Success;
}

} // namespace simfleet::cli
