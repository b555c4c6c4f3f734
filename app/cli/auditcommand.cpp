#include "auditcommand.h"

#include "access/session.h"

#include "access/audittrail.h"

#include "store/auditlog.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonObject>

namespace simfleet::cli {

int AuditCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("verify"), QStringLiteral("Check the hash chain of the audit log."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 1))
        return *done;
    if (parser.positionalArguments() != QStringList { QStringLiteral("verify") })
        return report(context, name(), QStringLiteral("say what to do: simfleet-cli -w PATH audit verify"), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    const auto verification = access::AuditTrail::verify(*workspace, *context.session);
    if (!verification)
        return report(context, name(), verification.errorMessage(), RequestFailed);
    QJsonObject json { { QStringLiteral("intact"), verification->intact },
                       { QStringLiteral("entries"), verification->entries } };
    if (!verification->intact) {
        json.insert(QStringLiteral("first_bad_entry"), verification->firstBadEntry);
        json.insert(QStringLiteral("problem"), verification->problem);
    }
    printJson(context, json);
    if (!verification->intact)
        return report(context, name(),
                      QStringLiteral("the audit log was tampered with: %1; keep this copy for investigation and "
                                     "restore the workspace from a backup")
                          .arg(verification->problem),
                      RequestFailed);
    return Success;
}

} // namespace simfleet::cli
