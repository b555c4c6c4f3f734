#include "enrollcommand.h"

#include "access/session.h"

#include "fleet/enrollment.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

namespace simfleet::cli {

int EnrollCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fleetOption(QStringLiteral("fleet"),
                                         QStringLiteral("The fleet the devices join (created if new)."),
                                         QStringLiteral("NAME"));
    const QCommandLineOption customerOption(QStringLiteral("customer"),
                                            QStringLiteral("The customer owning the fleet (created if new); "
                                                           "optional when the workspace has one customer."),
                                            QStringLiteral("NAME"));
    const QCommandLineOption csvOption(QStringLiteral("csv"), QStringLiteral("The factory CSV file."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"), QStringLiteral("Validate and report; store nothing."));
    const QCommandLineOption rejectsOption(QStringLiteral("rejects"),
                                           QStringLiteral("Write the rejected rows, with the reason, to this CSV."),
                                           QStringLiteral("OUT.csv"));
    const QCommandLineOption operatorOption(QStringLiteral("operator"),
                                            QStringLiteral("The fleet's home operator, whose profile its devices get (a new "
                                                           "fleet, or one without)."),
                                            QStringLiteral("NAME"));
    parser.addOptions({ fleetOption, customerOption, operatorOption, csvOption, dryRun, rejectsOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (!parser.isSet(csvOption))
        return report(context, name(), QStringLiteral("say which file: --csv FILE"), BadUsage);
    if (!parser.isSet(fleetOption) && !parser.isSet(dryRun))
        return report(context, name(), QStringLiteral("say which fleet the devices join: --fleet NAME"), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;

    auto preview = fleet::Enrollment::previewFile(parser.value(csvOption), workspace->database());
    if (!preview)
        return report(context, name(),
                      preview.errorMessage() + QStringLiteral("; nothing was imported"), RequestFailed);
    if (parser.isSet(rejectsOption) && preview->rejected > 0) {
        if (auto ok = fleet::Enrollment::writeRejects(preview.value(), parser.value(rejectsOption)); !ok)
            return report(context, name(), ok.errorMessage(), RequestFailed);
    }

    QJsonObject summary;
    if (!parser.isSet(dryRun) && !preview->accepted.empty()) {
        const fleet::EnrollmentTarget target { parser.value(fleetOption), parser.value(customerOption),
                                               parser.value(operatorOption) };
        auto outcome = fleet::Enrollment::commit(*workspace, *context.session, preview.value(), target);
        if (!outcome)
            return report(context, name(), outcome.errorMessage() + QStringLiteral("; nothing was stored"),
                          RequestFailed);
        summary.insert(QStringLiteral("customer"), outcome->customer);
        summary.insert(QStringLiteral("fleet"), outcome->fleet);
    }
    QJsonArray errors;
    for (const fleet::EnrollmentIssue &issue : preview->issues)
        errors.append(QJsonObject { { QStringLiteral("line"), issue.line },
                                    { QStringLiteral("field"), issue.field },
                                    { QStringLiteral("message"), issue.message } });
    summary.insert(QStringLiteral("accepted"), qint64(preview->accepted.size()));
    summary.insert(QStringLiteral("rejected"), preview->rejected);
    summary.insert(QStringLiteral("duplicates"), preview->duplicates);
    summary.insert(QStringLiteral("dry_run"), parser.isSet(dryRun));
    summary.insert(QStringLiteral("errors"), errors);
    printJson(context, summary);
    if (preview->accepted.empty() && preview->duplicates > 0)
        context.err << "simfleet-cli enroll: nothing new: " << preview->duplicates
                    << " devices in the file are already enrolled" << Qt::endl;
    return Success;
}

} // namespace simfleet::cli
