#include "infocommand.h"

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
    if (context.workspacePath.isEmpty())
        return report(context, name(), QStringLiteral("say which workspace: simfleet-cli -w PATH info"), BadUsage);

    auto workspace = store::Workspace::open(context.workspacePath);
    if (!workspace)
        return report(context, name(), workspace.errorMessage(), RequestFailed);
    const store::WorkspaceInfo &info = workspace.value()->info();
    const QJsonObject json {
        { QStringLiteral("path"), info.path },
        { QStringLiteral("name"), info.name },
        { QStringLiteral("demo"), info.demo },
        { QStringLiteral("schema_version"), info.schemaVersion },
    };
    context.out << QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)) << Qt::endl;
    return Success;
}

} // namespace simfleet::cli
