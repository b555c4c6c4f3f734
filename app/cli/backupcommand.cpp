#include "backupcommand.h"
#include "passphraseprompt.h"

#include "access/session.h"

#include "access/session.h"
#include "store/workspace.h"
#include "store/workspacebackup.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace simfleet::cli {

QString BackupCommand::summary() const
{
    return QStringLiteral("The owner keeps the workspace in one file, with the files beside it (a consistent copy, "
                          "also while campaigns run): backup --out FILE");
}

int BackupCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption outOption(QStringLiteral("out"), QStringLiteral("The backup file to write (never overwritten)."),
                                       QStringLiteral("FILE"));
    parser.addOption(outOption);
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (!parser.isSet(outOption))
        return report(context, name(), QStringLiteral("say where the backup goes with --out FILE"), BadUsage);
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    if (auto ok = requireOwner(context, name()); !ok)
        return report(context, name(), ok.errorMessage(), RequestFailed);
    auto taken = store::WorkspaceBackup::take(*workspace, context.session->author(), parser.value(outOption));
    if (!taken)
        return report(context, name(), taken.errorMessage(), RequestFailed);
    printJson(context, QJsonObject { { QStringLiteral("backup"), taken->file },
                                     { QStringLiteral("bytes"), taken->bytes },
                                     { QStringLiteral("side_files"), QJsonArray::fromStringList(taken->sideFiles) },
                                     { QStringLiteral("taken_at"), taken->takenAt.toString(Qt::ISODateWithMs) } });
    return Success;
}

} // namespace simfleet::cli
