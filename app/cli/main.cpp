// simfleet-cli: wiring only. Each subcommand lives in its own CliCommand.

#include "clicommand.h"

#include "core/version.h"
#include "crypto/cryptolibrary.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

using namespace simfleet;
using namespace simfleet::cli;

namespace {

QString helpText(const QCommandLineParser &parser, const std::vector<std::unique_ptr<CliCommand>> &commands)
{
    QString text = parser.helpText();
    text += QStringLiteral("\nCommands:\n");
    for (const auto &command : commands)
        text += QStringLiteral("  %1  %2\n").arg(command->name(), -8).arg(command->summary());
    text += QStringLiteral("\nRun 'simfleet-cli COMMAND --help' for a command's options.\n"
                           "Exit codes: 0 success, 1 the request failed (stderr says why), 2 bad usage.\n");
    return text;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("simfleet-cli"));
    QCoreApplication::setOrganizationName(QLatin1StringView(organizationName));
    QCoreApplication::setOrganizationDomain(QLatin1StringView(organizationDomain));
    QCoreApplication::setApplicationVersion(versionString());

    // Progress notes stay quiet on the command line; QT_LOGGING_RULES still turns them on.
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto commands = allCommands();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("simfleet: remote USIM provisioning and subscription change for M2M fleets."));
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption workspaceOption({ QStringLiteral("w"), QStringLiteral("workspace") },
                                             QStringLiteral("The workspace to work on: a file (PATH.simfleet) or a shared"
                                                            " one on PostgreSQL (postgresql://[USER@]HOST[:PORT]/DB; the"
                                                            " password from SIMFLEET_PASSWORD, PGPASSWORD or asked for)."),
                                             QStringLiteral("WORKSPACE"));
    const QCommandLineOption versionOption({ QStringLiteral("v"), QStringLiteral("version") },
                                           QStringLiteral("Print the version and exit."));
    const QCommandLineOption helpOption({ QStringLiteral("h"), QStringLiteral("help") },
                                        QStringLiteral("Print this help and exit."));
    const QCommandLineOption userOption({ QStringLiteral("u"), QStringLiteral("user") },
                                        QStringLiteral("Act as this user (password from SIMFLEET_PASSWORD or asked for)."
                                                       " Without it the workspace owner acts, with its passphrase."),
                                        QStringLiteral("NAME"));
    parser.addOption(workspaceOption);
    parser.addOption(userOption);
    parser.addOption(versionOption);
    parser.addOption(helpOption);
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do (see Commands)."),
                                 QStringLiteral("COMMAND [OPTIONS]"));

    if (!parser.parse(QCoreApplication::arguments())) {
        err << "simfleet-cli: " << parser.errorText() << "\nRun 'simfleet-cli --help' for usage." << Qt::endl;
        return BadUsage;
    }
    if (parser.isSet(helpOption)) {
        out << helpText(parser, commands);
        return Success;
    }
    if (parser.isSet(versionOption)) {
        out << "simfleet-cli " << versionString() << "\n"
            << "Qt " << qVersion() << "\n"
            << crypto::libraryVersion() << Qt::endl;
        return Success;
    }

    const QStringList rest = parser.positionalArguments();
    if (rest.isEmpty()) {
        err << "simfleet-cli: no command given.\n\n" << helpText(parser, commands);
        return BadUsage;
    }
    for (const auto &command : commands) {
        if (command->name() == rest.first()) {
            CliContext context { parser.value(workspaceOption), parser.value(userOption), out, err, {} };
            if (parser.isSet(workspaceOption)) {
                if (auto reached = resolveWorkspace(context); !reached) {
                    err << "simfleet-cli: " << reached.errorMessage() << Qt::endl;
                    return BadUsage;
                }
            }
            return command->run(rest, context);
        }
    }
    err << "simfleet-cli: unknown command '" << rest.first() << "'. Run 'simfleet-cli --help' for the list."
        << Qt::endl;
    return BadUsage;
}
