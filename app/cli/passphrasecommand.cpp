#include "passphrasecommand.h"
#include "passphraseprompt.h"

#include "access/session.h"

#include "core/clock.h"
#include "store/auditlog.h"
#include "store/secretvault.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QJsonObject>

namespace simfleet::cli {

QString PassphraseCommand::summary() const
{
    return QStringLiteral("The owner changes the workspace passphrase (the old one from SIMFLEET_PASSPHRASE or asked, the new "
                          "one from SIMFLEET_NEW_PASSPHRASE or asked twice); users' key slots are kept: passphrase change");
}

int PassphraseCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("change"), QStringLiteral("Change the passphrase."));
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 1))
        return *done;
    if (parser.positionalArguments().value(0) != u"change")
        return report(context, name(), QStringLiteral("the action is change: simfleet-cli -w W passphrase change"), BadUsage);
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    if (auto ok = requireOwner(context, name()); !ok)
        return report(context, name(), ok.errorMessage(), RequestFailed);
    if (workspace->info().demo)
        return report(context, name(), QStringLiteral("a demo workspace keeps its passphrase in its key file and cannot change it"),
                      RequestFailed);
    auto old = obtainPassphrase(context, false);
    if (!old)
        return report(context, name(), old.errorMessage(), RequestFailed);
    auto fresh = obtainNewPassphrase(context);
    if (!fresh)
        return report(context, name(), fresh.errorMessage(), RequestFailed);
    const store::AuditAuthor author = context.session->author();
    const QDateTime now = workspace->clock().now();
    auto changed = workspace->writer().run([&](QSqlDatabase &db) -> Result<void> {
        if (auto ok = store::SecretVault::changePassphrase(db, old->view(), fresh->view()); !ok)
            return ok;
        return store::AuditLog::record(db, now, author, QStringLiteral("workspace.passphrase"), QStringLiteral("workspace"),
                                       QJsonObject {});
    });
    if (!changed)
        return report(context, name(), changed.errorMessage() + QStringLiteral("; the passphrase is unchanged"), RequestFailed);
    printJson(context, QJsonObject { { QStringLiteral("passphrase"), QStringLiteral("changed") },
                                     { QStringLiteral("user_key_slots"), QStringLiteral("kept") } });
    return Success;
}

} // namespace simfleet::cli
