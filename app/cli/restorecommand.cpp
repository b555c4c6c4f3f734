#include "restorecommand.h"
#include "passphraseprompt.h"

#include "access/session.h"

#include "core/clock.h"
#include "store/auditlog.h"
#include "store/storewriter.h"
#include "store/workspace.h"
#include "store/workspacebackup.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace simfleet::cli {

QString RestoreCommand::summary() const
{
    return QStringLiteral("A backup becomes a new workspace at -w (with the files beside it), its audit log verified: "
                          "restore --from FILE");
}

int RestoreCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption fromOption(QStringLiteral("from"), QStringLiteral("The backup file."), QStringLiteral("FILE"));
    parser.addOption(fromOption);
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (!parser.isSet(fromOption))
        return report(context, name(), QStringLiteral("say which backup with --from FILE"), BadUsage);
    if (context.workspacePath.isEmpty())
        return report(context, name(), QStringLiteral("say where the restored workspace goes: simfleet-cli -w NEW.simfleet restore"),
                      BadUsage);
    if (!context.user.isEmpty())
        return report(context, name(), QStringLiteral("the workspace's owner restores it, with its passphrase: leave out -u"),
                      BadUsage);
    auto restored = store::WorkspaceBackup::restore(parser.value(fromOption), context.workspacePath);
    if (!restored)
        return report(context, name(), restored.errorMessage(), RequestFailed);
    // Nothing restored stays unless its owner's passphrase opens it.
    const auto undo = [&restored] { store::WorkspaceBackup::discard(restored.value()); };
    Result<store::AuditVerification> verified = fail(QString());
    {
        auto workspace = store::Workspace::open(restored->path);
        if (!workspace) {
            undo();
            return report(context, name(), workspace.errorMessage(), RequestFailed);
        }
        Result<void> unlocked;
        if (workspace.value()->info().demo) {
            unlocked = workspace.value()->unlockWithKeyFile();
        } else {
            auto passphrase = obtainPassphrase(context, false);
            unlocked = passphrase ? workspace.value()->unlock(passphrase->view()) : Result<void>(passphrase.error());
        }
        if (!unlocked) {
            workspace.value().reset();
            undo();
            return report(context, name(), unlocked.errorMessage() + QStringLiteral("; nothing was restored"), RequestFailed);
        }
        QSqlDatabase db = workspace.value()->database();
        verified = store::AuditLog::verify(db);
        if (verified && verified->intact) {
            const store::AuditAuthor owner { QStringLiteral("owner"), workspace.value()->vault().ownerKey() };
            const QJsonObject details { { QStringLiteral("from"), QFileInfo(parser.value(fromOption)).fileName() },
                                        { QStringLiteral("taken_at"), restored->takenAt.toString(Qt::ISODateWithMs) },
                                        { QStringLiteral("source"), restored->source } };
            const QDateTime now = workspace.value()->clock().now();
            if (auto ok = workspace.value()->writer().run([&](QSqlDatabase &w) {
                    return store::AuditLog::record(w, now, owner, QStringLiteral("workspace.restore"), QStringLiteral("workspace"),
                                                   details);
                });
                !ok)
                verified = ok.error();
        }
    }
    if (!verified)
        return report(context, name(), verified.errorMessage(), RequestFailed);
    printJson(context, QJsonObject { { QStringLiteral("restored"), restored->path },
                                     { QStringLiteral("side_files"), QJsonArray::fromStringList(restored->sideFiles) },
                                     { QStringLiteral("taken_at"), restored->takenAt.toString(Qt::ISODateWithMs) },
                                     { QStringLiteral("audit_entries"), verified->entries },
                                     { QStringLiteral("audit_intact"), verified->intact } });
    if (!verified->intact)
        return report(context, name(),
                      QStringLiteral("the restored workspace's audit log does not verify: %1").arg(verified->problem), RequestFailed);
    return Success;
}

} // namespace simfleet::cli
