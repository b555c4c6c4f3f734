#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

class QCommandLineParser;
class QJsonValue;
class QTextStream;

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

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
    QString user;          // from -u/--user; empty: the workspace owner, who gives the passphrase
    QTextStream &out;
    QTextStream &err;
    // The acting user, set by openWorkspace().
    std::shared_ptr<access::Session> session;
};

// Checks what -w names (a file or a PostgreSQL URL, nothing else). For a shared workspace it
// settles the database user (the URL's or -u) and takes the password from SIMFLEET_PASSWORD,
// PGPASSWORD or the terminal, for every connection the command opens; workspacePath becomes
// the address in its canonical form.
Result<void> resolveWorkspace(CliContext &context);

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
// Positional arguments beyond maxPositional are bad usage.
std::optional<int> parseCommandLine(QCommandLineParser &parser, const CliCommand &command,
                                    const QStringList &arguments, CliContext &context, qsizetype maxPositional = 0);

// Opens the workspace named by -w and logs in: as --user with SIMFLEET_PASSWORD or a prompt, or
// as the owner with the passphrase (SIMFLEET_PASSPHRASE, the demo's key file, or a prompt).
// Sets context.session; reports why not (and sets exitCode).
std::unique_ptr<store::Workspace> openWorkspace(CliContext &context, const QString &command, int &exitCode);

// One compact JSON document and a newline on stdout.
void printJson(CliContext &context, const QJsonValue &value);

// Prints "simfleet-cli NAME: message" on stderr and returns code.
int report(CliContext &context, const QString &command, const QString &message, ExitCode code);

} // namespace simfleet::cli
