#pragma once

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

class QCommandLineParser;
class QTextStream;

namespace simfleet::cli {

// Exit codes of simfleet-cli, the same for every subcommand.
enum ExitCode : int {
    Success = 0,
    RequestFailed = 1, // the message on stderr says why and what to do
    BadUsage = 2,
};

struct CliContext
{
    QString workspacePath; // from -w/--workspace; empty when not given
    QTextStream &out;
    QTextStream &err;
};

// One subcommand: `simfleet-cli [global options] NAME [its options]`.
class CliCommand
{
public:
    virtual ~CliCommand() = default;
    virtual QString name() const = 0;
    virtual QString summary() const = 0;
    // arguments[0] is the command name, as QCommandLineParser expects.
    virtual int run(const QStringList &arguments, CliContext &context) = 0;
};

std::vector<std::unique_ptr<CliCommand>> allCommands();

// Parses a command's own options (with --help and the command's summary added). Returns the
// exit code when the command is already done: help printed, or bad usage reported.
std::optional<int> parseCommandLine(QCommandLineParser &parser, const CliCommand &command,
                                    const QStringList &arguments, CliContext &context);

// Prints "simfleet-cli NAME: message" on stderr and returns code.
int report(CliContext &context, const QString &command, const QString &message, ExitCode code);

} // namespace simfleet::cli
