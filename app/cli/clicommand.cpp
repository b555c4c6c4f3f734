#include "clicommand.h"
#include "akacommand.h"
#include "infocommand.h"

#include "attestcommand.h"
#include "campaignscommand.h"
#include "changecommand.h"
#include "profilescommand.h"
#include "ledgercommand.h"
#include "backupcommand.h"
#include "restorecommand.h"
#include "passphrasecommand.h"
#include "rekeycommand.h"
#include "profileservercommand.h"
#include "provisioncommand.h"
#include "auditcommand.h"
#include "devicescommand.h"
#include "enrollcommand.h"
#include "initcommand.h"
#include "operatorscommand.h"
#include "reconcilecommand.h"
#include "referencevaluescommand.h"
#include "trustcommand.h"
#include "fieldcommand.h"
#include "servecommand.h"
#include "userscommand.h"
#include "workspacecommand.h"

#include "access/accessservice.h"
#include "access/workspaceupgrade.h"
#include "passphraseprompt.h"
#include "simulation/demoworkspace.h"
#include "store/serverpasswords.h"
#include "store/workspace.h"
#include "store/workspaceaddress.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QTextStream>

namespace simfleet::cli {

std::vector<std::unique_ptr<CliCommand>> allCommands()
{
    std::vector<std::unique_ptr<CliCommand>> commands;
    commands.push_back(std::make_unique<InitCommand>());
    commands.push_back(std::make_unique<InfoCommand>());
    commands.push_back(std::make_unique<WorkspaceCommand>());
    commands.push_back(std::make_unique<EnrollCommand>());
    commands.push_back(std::make_unique<DevicesCommand>());
    commands.push_back(std::make_unique<OperatorsCommand>());
    commands.push_back(std::make_unique<AttestCommand>());
    commands.push_back(std::make_unique<ProvisionCommand>());
    commands.push_back(std::make_unique<ChangeCommand>());
    commands.push_back(std::make_unique<CampaignsCommand>());
    commands.push_back(std::make_unique<ProfilesCommand>());
    commands.push_back(std::make_unique<LedgerCommand>());
    commands.push_back(std::make_unique<BackupCommand>());
    commands.push_back(std::make_unique<RestoreCommand>());
    commands.push_back(std::make_unique<PassphraseCommand>());
    commands.push_back(std::make_unique<RekeyCommand>());
    commands.push_back(std::make_unique<ProfileServerCommand>());
    commands.push_back(std::make_unique<ServeCommand>());
    commands.push_back(std::make_unique<ReferenceValuesCommand>());
    commands.push_back(std::make_unique<TrustCommand>());
    commands.push_back(std::make_unique<FieldCommand>());
    commands.push_back(std::make_unique<UsersCommand>());
    commands.push_back(std::make_unique<AuditCommand>());
    commands.push_back(std::make_unique<ReconcileCommand>());
    commands.push_back(std::make_unique<AkaCommand>());
    return commands;
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const CliCommand &command,
                                    const QStringList &arguments, CliContext &context, qsizetype maxPositional)
{
    parser.setApplicationDescription(command.summary());
    parser.addHelpOption();
    if (!parser.parse(arguments))
        return report(context, command.name(), parser.errorText(), BadUsage);
    if (parser.isSet(QStringLiteral("help"))) {
        context.out << parser.helpText();
        return Success;
    }
    if (parser.positionalArguments().size() > maxPositional)
        return report(context, command.name(),
                      QStringLiteral("unexpected argument %1").arg(parser.positionalArguments().at(maxPositional)),
                      BadUsage);
    return std::nullopt;
}

namespace {

// An older simfleet's workspace: the acting user proves they are its owner (passphrase, or the
// demo's key file) or an Administrator, and the upgrade keeps a copy of the file as it was.
std::unique_ptr<store::Workspace> upgradeWorkspace(CliContext &context, const QString &command, int &exitCode)
{
    access::UpgradeProof proof;
    proof.user = context.user;
    const QString keyFile = store::Workspace::keyFilePath(context.workspacePath);
    Result<crypto::SecretBytes> secret = fail(QString());
    if (!context.user.isEmpty())
        secret = obtainPassword(context, "SIMFLEET_PASSWORD", qPrintable(QStringLiteral("Password for %1: ").arg(context.user)));
    else if (QFileInfo::exists(keyFile))
        secret = store::readKeyFile(keyFile);
    else
        secret = obtainPassphrase(context, false);
    if (!secret) {
        exitCode = report(context, command, secret.errorMessage(), RequestFailed);
        return nullptr;
    }
    proof.secret = std::move(secret).value();
    auto upgraded = access::WorkspaceUpgrade::run(context.workspacePath, proof);
    if (!upgraded) {
        exitCode = report(context, command,
                          QStringLiteral("this workspace needs an upgrade, which was refused: %1").arg(upgraded.errorMessage()),
                          RequestFailed);
        return nullptr;
    }
    access::UpgradeOutcome outcome = std::move(upgraded).value();
    context.err << "simfleet-cli: upgraded the workspace from schema " << outcome.fromVersion << " to "
                << outcome.toVersion << "; the file as it was is kept at " << QDir::toNativeSeparators(outcome.backupPath)
                << Qt::endl;
    context.session = std::make_shared<access::Session>(std::move(*outcome.session));
    return std::move(outcome.workspace);
}

} // namespace

Result<void> resolveWorkspace(CliContext &context)
{
    auto address = store::WorkspaceAddress::parse(context.workspacePath, context.user);
    if (!address)
        return address.error();
    if (!address->isPostgres())
        return {};
    if (address->user().isEmpty())
        return fail(QStringLiteral("say which database user connects to %1: postgresql://USER@%2/%3, or -u USER")
                        .arg(address->toString(), address->host(), address->database()));
    const char *variable = qEnvironmentVariableIsSet("SIMFLEET_PASSWORD") ? "SIMFLEET_PASSWORD" : "PGPASSWORD";
    auto password = obtainPassword(context, variable,
                                   qPrintable(QStringLiteral("Password of %1 on %2: ").arg(address->user(), address->host())));
    if (!password)
        return password.error();
    store::ServerPasswords::remember(*address, password.value());
    context.workspacePath = address->toString();
    return {};
}

std::unique_ptr<store::Workspace> openWorkspace(CliContext &context, const QString &command, int &exitCode)
{
    if (context.workspacePath.isEmpty()) {
        exitCode = report(context, command, QStringLiteral("say which workspace: simfleet-cli -w PATH %1").arg(command),
                          BadUsage);
        return nullptr;
    }
    auto workspace = store::Workspace::open(context.workspacePath);
    if (!workspace && workspace.error().code == ErrorCode::UpgradeNeeded)
        return upgradeWorkspace(context, command, exitCode);
    if (!workspace) {
        exitCode = report(context, command, workspace.errorMessage(), RequestFailed);
        return nullptr;
    }
    if (const QString &exposure = workspace.value()->info().exposure; !exposure.isEmpty())
        context.err << "simfleet-cli: warning: " << exposure << Qt::endl;
    store::Workspace &opened = *workspace.value();
    // A demo's own manufacturers keep its revocation lists current, whoever opens it.
    if (opened.info().demo) {
        if (auto renewed = simulation::DemoWorkspace::renewRevocationLists(opened); !renewed)
            context.err << "simfleet-cli: warning: the demo's revocation lists could not be renewed: "
                        << renewed.errorMessage() << Qt::endl;
    }
    access::AccessService access(opened);
    Result<access::Session> session = fail(QString());
    if (!context.user.isEmpty()) {
        // On a shared workspace the database password is the simfleet password, given once.
        const auto address = store::WorkspaceAddress::parse(context.workspacePath);
        auto given = address && address->isPostgres() ? store::ServerPasswords::lookup(*address) : std::nullopt;
        auto password = given ? Result<crypto::SecretBytes>(std::move(*given))
                              : obtainPassword(context, "SIMFLEET_PASSWORD",
                                               qPrintable(QStringLiteral("Password for %1: ").arg(context.user)));
        if (!password) {
            exitCode = report(context, command, password.errorMessage(), RequestFailed);
            return nullptr;
        }
        session = access.login(context.user, password->view());
    } else {
        Result<void> unlocked;
        if (opened.info().demo) {
            unlocked = opened.unlockWithKeyFile();
        } else {
            auto passphrase = obtainPassphrase(context, false);
            unlocked = passphrase ? opened.unlock(passphrase->view()) : Result<void>(passphrase.error());
        }
        if (!unlocked) {
            exitCode = report(context, command,
                              unlocked.errorMessage()
                                  + QStringLiteral(" (without --user the workspace owner acts, which takes its passphrase)"),
                              RequestFailed);
            return nullptr;
        }
        session = access.ownerSession();
    }
    if (!session) {
        exitCode = report(context, command, session.errorMessage(), RequestFailed);
        return nullptr;
    }
    context.session = std::make_shared<access::Session>(std::move(session).value());
    return std::move(workspace).value();
}

void printJson(CliContext &context, const QJsonValue &value)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    context.out << QString::fromUtf8(doc.toJson(QJsonDocument::Compact)) << Qt::endl;
}

int report(CliContext &context, const QString &command, const QString &message, ExitCode code)
{
    context.err << "simfleet-cli " << command << ": " << message << Qt::endl;
    return code;
}

} // namespace simfleet::cli
