#include "infocommand.h"

#include "attestation/trustbook.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace simfleet::cli {

int InfoCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    const store::WorkspaceInfo &info = workspace->info();
    auto testNotice = attestation::TrustBook::testWorkspaceNotice(*workspace);
    if (!testNotice)
        return report(context, name(), testNotice.errorMessage(), RequestFailed);
    QJsonObject json {
        { QStringLiteral("path"), info.path },
        { QStringLiteral("name"), info.name },
        { QStringLiteral("demo"), info.demo },
        { QStringLiteral("schema_version"), info.schemaVersion },
        { QStringLiteral("test_workspace"), !testNotice->isEmpty() },
    };
    if (!testNotice->isEmpty())
        json.insert(QStringLiteral("test_workspace_notice"), testNotice.value());
    printJson(context, json);
    return Success;
}

} // namespace simfleet::cli
