#include "rekeycommand.h"
#include "passphraseprompt.h"

#include "access/session.h"

#include "store/workspace.h"
#include "store/workspacerekey.h"
#include "store/auditauthor.h"

#include <QCommandLineParser>
#include <QJsonObject>

namespace simfleet::cli {

QString RekeyCommand::summary() const
{
    return QStringLiteral("The owner gives the workspace a new data key and seals every secret again; killed, it resumes "
                          "where it stood when run again: rekey");
}

int RekeyCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    if (auto ok = requireOwner(context, name()); !ok)
        return report(context, name(), ok.errorMessage(), RequestFailed);
    auto passphrase = ownerPassphrase(context, *workspace);
    if (!passphrase)
        return report(context, name(), passphrase.errorMessage(), RequestFailed);
    store::WorkspaceRekey::Options options;
    options.keepGoing = [&context](const store::WorkspaceRekey::Progress &p) {
        context.err << "rekey: " << p.resealed << " secrets sealed again" << Qt::endl;
        return true;
    };
    auto done = store::WorkspaceRekey::run(*workspace, passphrase->view(), context.session->author(), options);
    if (!done)
        return report(context, name(), done.errorMessage() + QStringLiteral("; run rekey again to resume"), RequestFailed);
    printJson(context, QJsonObject { { QStringLiteral("resealed"), done->progress.resealed },
                                     { QStringLiteral("already_under_new_key"), done->progress.alreadyUnderNewKey },
                                     { QStringLiteral("resumed"), done->resumed },
                                     { QStringLiteral("users_taking_up_their_slot_at_next_login"), done->pendingSlots },
                                     { QStringLiteral("users_needing_a_new_password"), done->slotsWithoutKey } });
    return Success;
}

} // namespace simfleet::cli
