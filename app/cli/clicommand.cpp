#include "clicommand.h"
#include "akacommand.h"
#include "infocommand.h"

#include <QTextStream>

namespace simfleet::cli {

std::vector<std::unique_ptr<CliCommand>> allCommands()
{
    std::vector<std::unique_ptr<CliCommand>> commands;
    commands.push_back(std::make_unique<AkaCommand>());
    commands.push_back(std::make_unique<InfoCommand>());
    return commands;
}

int report(CliContext &context, const QString &command, const QString &message, ExitCode code)
{
    context.err << "simfleet-cli " << command << ": " << message << Qt::endl;
    return code;
}

} // namespace simfleet::cli
