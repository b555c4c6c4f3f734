#include "workspacecommand.h"

#include "store/workspacecopy.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>

namespace simfleet::cli {

int WorkspaceCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("copy"), QStringLiteral("What to do: copy."));
    const QCommandLineOption fromOption(QStringLiteral("from"), QStringLiteral("The workspace file to copy."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption toOption(QStringLiteral("to"),
                                      QStringLiteral("The empty PostgreSQL database to copy it into (the password from "
                                                     "SIMFLEET_PASSWORD, PGPASSWORD or asked for)."),
                                      QStringLiteral("URL"));
    parser.addOptions({ fromOption, toOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 1))
        return *done;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || positional.at(0) != u"copy" || !parser.isSet(fromOption) || !parser.isSet(toOption))
        return report(context, name(), QStringLiteral("say what to copy where: workspace copy --from FILE.simfleet --to postgresql://HOST/DB"),
                      BadUsage);
    // The server's password, as for -w.
    CliContext target { parser.value(toOption), context.user, context.out, context.err, {} };
    if (auto reached = resolveWorkspace(target); !reached)
        return report(context, name(), reached.errorMessage(), BadUsage);
    auto copied = store::WorkspaceCopy::toServer(parser.value(fromOption), target.workspacePath);
    if (!copied)
        return report(context, name(), copied.errorMessage(), RequestFailed);
    QJsonObject rows;
    for (auto it = copied->rows.cbegin(); it != copied->rows.cend(); ++it)
        rows.insert(it.key(), it.value());
    printJson(context, QJsonObject { { QStringLiteral("to"), target.workspacePath },
                                     { QStringLiteral("rows"), rows },
                                     { QStringLiteral("audit_entries_verified"), copied->auditEntries },
                                     { QStringLiteral("users_without_password"), QJsonArray::fromStringList(copied->users) } });
    if (!copied->users.isEmpty())
        context.err << "simfleet-cli workspace: the users' database logins have no password yet (only they know theirs); "
                       "as the owner, give each one: simfleet-cli -w "
                    << target.workspacePath << " users password NAME" << Qt::endl;
    return Success;
}

} // namespace simfleet::cli
