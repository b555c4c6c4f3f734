#include "auditcommand.h"
#include "secretfile.h"

#include "access/audittrail.h"
#include "access/session.h"

#include "store/auditcheckpoint.h"
#include "store/auditlog.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QJsonObject>

namespace simfleet::cli {

namespace {

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

Result<store::AuditCheckpoint> readCheckpoint(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the checkpoint %1: %2").arg(native(path), file.errorString()));
    return store::AuditCheckpoint::fromJson(file.read(1 << 20));
}

} // namespace

int AuditCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("verify: check the chain and every signature of the audit log;"
                                                " checkpoint: write its signed head to a file kept elsewhere."));
    const QCommandLineOption outOption(QStringLiteral("out"),
                                       QStringLiteral("checkpoint: the file to write (kept outside the workspace, e.g. by"
                                                      " the owner)."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption againstOption(QStringLiteral("against"),
                                           QStringLiteral("verify: also check that the log still holds what this"
                                                          " checkpoint recorded (finds entries cut off the end)."),
                                           QStringLiteral("FILE"));
    parser.addOptions({ outOption, againstOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context, 1))
        return *done;
    const QStringList action = parser.positionalArguments();
    const bool verify = action == QStringList { QStringLiteral("verify") };
    const bool checkpoint = action == QStringList { QStringLiteral("checkpoint") };
    if (!verify && !checkpoint)
        return report(context, name(),
                      QStringLiteral("say what to do: simfleet-cli -w PATH audit verify [--against FILE], or audit "
                                     "checkpoint --out FILE"),
                      BadUsage);
    if (checkpoint && !parser.isSet(outOption))
        return report(context, name(), QStringLiteral("name the file to write: audit checkpoint --out FILE"), BadUsage);
    if ((verify && parser.isSet(outOption)) || (checkpoint && parser.isSet(againstOption)))
        return report(context, name(), QStringLiteral("--out belongs to checkpoint, --against to verify"), BadUsage);

    std::optional<store::AuditCheckpoint> against;
    if (parser.isSet(againstOption)) {
        auto read = readCheckpoint(parser.value(againstOption));
        if (!read)
            return report(context, name(), read.errorMessage(), RequestFailed);
        against = read.value();
    }
    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;

    if (checkpoint) {
        const auto taken = access::AuditTrail::checkpoint(*workspace, *context.session);
        if (!taken)
            return report(context, name(), taken.errorMessage(), RequestFailed);
        // Never over an existing file: an older checkpoint is evidence too.
        if (auto ok = writeNewFile(parser.value(outOption), taken->toJson()); !ok)
            return report(context, name(), ok.errorMessage(), RequestFailed);
        printJson(context, QJsonObject { { QStringLiteral("checkpoint"), native(parser.value(outOption)) },
                                         { QStringLiteral("entries"), taken->entries },
                                         { QStringLiteral("signer"), taken->signer } });
        return Success;
    }

    if (against && against->workspace != workspace->info().name)
        context.err << "simfleet-cli audit: note: the checkpoint was taken of the workspace \"" << against->workspace
                    << "\", this one is named \"" << workspace->info().name << "\"\n";
    const auto verification = access::AuditTrail::verify(*workspace, *context.session, against ? &*against : nullptr);
    if (!verification)
        return report(context, name(), verification.errorMessage(), RequestFailed);
    QJsonObject json { { QStringLiteral("intact"), verification->intact },
                       { QStringLiteral("entries"), verification->entries },
                       { QStringLiteral("unsigned_legacy_entries"), verification->unsignedLegacyEntries } };
    if (against)
        json.insert(QStringLiteral("checkpoint_entries"), against->entries);
    if (!verification->intact) {
        json.insert(QStringLiteral("first_bad_entry"), verification->firstBadEntry);
        json.insert(QStringLiteral("problem"), verification->problem);
    }
    printJson(context, json);
    if (!verification->intact)
        return report(context, name(),
                      QStringLiteral("the audit log was tampered with: %1; keep this copy for investigation and "
                                     "restore the workspace from a backup")
                          .arg(verification->problem),
                      RequestFailed);
    return Success;
}

} // namespace simfleet::cli
