#include "clicommand.h"
#include "akacommand.h"
#include "infocommand.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace simfleet::cli {

std::vector<std::unique_ptr<CliCommand>> allCommands()
{
    std::vector<std::unique_ptr<CliCommand>> commands;
    commands.push_back(std::make_unique<AkaCommand>());
    commands.push_back(std::make_unique<InfoCommand>());
    return commands;
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const CliCommand &command,
                                    const QStringList &arguments, CliContext &context)
{
    parser.setApplicationDescription(command.summary());
    parser.addHelpOption();
    if (!parser.parse(arguments))
        return report(context, command.name(), parser.errorText(), BadUsage);
    if (parser.isSet(QStringLiteral("help"))) {
        context.out << parser.helpText();
        return Success;
    }
    if (!parser.positionalArguments().isEmpty())
        return report(context, command.name(),
                      QStringLiteral("unexpected argument %1").arg(parser.positionalArguments().first()), BadUsage);
    return std::nullopt;
}

int report(CliContext &context, const QString &command, const QString &message, ExitCode code)
{
    context.err << "simfleet-cli " << command << ": " << message << Qt::endl;
    return code;
}

} // namespace simfleet::cli
