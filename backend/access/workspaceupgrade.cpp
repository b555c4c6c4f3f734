#include "workspaceupgrade.h"

#include "accesslog.h"
#include "accessservice.h"
#include "role.h"

#include "core/clock.h"
#include "store/auditlog.h"
#include "store/databaseconnection.h"
#include "store/schema.h"
#include "store/secretvault.h"
#include "store/storewriter.h"
#include "store/userrepository.h"
#include "store/workspace.h"
#include "store/workspaceaddress.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>

namespace simfleet::access {

namespace {

// Checks the proof against the file as it is, read-only; returns its schema version.
Result<int> prove(const QString &path, const UpgradeProof &proof)
{
    auto connection = store::DatabaseConnection::open(path, store::DatabaseConnection::Mode::ReadOnly);
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value()->database();
    auto version = store::checkWorkspaceIdentity(db);
    if (!version)
        return version.error();
    if (version.value() >= store::currentSchemaVersion())
        return version;
    if (proof.user.isEmpty()) {
        if (auto vault = store::SecretVault::unlock(db, proof.secret.view()); !vault)
            return failWith(ErrorCode::NotPermitted, vault.errorMessage());
        return version;
    }
    // Users' own password checks came with schema 5.
    if (version.value() < 5)
        return failWith(ErrorCode::NotPermitted,
                        QStringLiteral("this workspace is older than users' own passwords (schema %1); its owner upgrades "
                                       "it with the workspace passphrase")
                            .arg(version.value()));
    auto user = store::UserRepository(db).passwordCheckOf(proof.user);
    if (!user)
        return user.error();
    const bool administrator = user.value() && user.value()->role == roleKey(Role::Administrator);
    auto matches = user.value() ? AccessService::passwordMatches(*user.value(), proof.secret.view()) : Result<bool>(false);
    if (!matches)
        return matches.error();
    if (!matches.value())
        return failWith(ErrorCode::LoginFailed, AccessService::loginRefusal());
    if (!administrator)
        return failWith(ErrorCode::NotPermitted,
                        QStringLiteral("%1 is not an Administrator; only the owner or an Administrator may upgrade a "
                                       "workspace")
                            .arg(proof.user));
    return version;
}

} // namespace

Result<UpgradeOutcome> WorkspaceUpgrade::run(const QString &path, const UpgradeProof &proof, const Clock *clock)
{
    const Clock &time = clock ? *clock : SystemClock::instance();
    const QString file = store::WorkspaceAddress::looksLikeUrl(path) ? path : QFileInfo(path).absoluteFilePath();
    auto version = prove(file, proof);
    if (!version)
        return version.error();
    UpgradeOutcome outcome;
    outcome.fromVersion = version.value();
    outcome.toVersion = store::currentSchemaVersion();
    if (outcome.fromVersion < outcome.toVersion) {
        auto backup = store::Workspace::upgradeFile(file, time);
        if (!backup)
            return backup.error();
        outcome.backupPath = backup.value();
    }
    auto workspace = store::Workspace::open(file, clock);
    if (!workspace)
        return workspace.error();
    AccessService access(*workspace.value());
    Result<Session> by = fail(QString());
    if (proof.user.isEmpty()) {
        if (auto ok = workspace.value()->unlock(proof.secret.view()); !ok)
            return ok.error();
        by = access.ownerSession();
    } else {
        by = access.login(proof.user, proof.secret.view());
    }
    if (!by)
        return by.error();
    if (outcome.fromVersion < outcome.toVersion) {
        const store::AuditAuthor author = by->author();
        const QDateTime now = time.now();
        QJsonObject details { { QStringLiteral("from"), outcome.fromVersion }, { QStringLiteral("to"), outcome.toVersion } };
        if (!outcome.backupPath.isEmpty())
            details.insert(QStringLiteral("backup"), QFileInfo(outcome.backupPath).fileName());
        if (auto ok = workspace.value()->writer().run([&](QSqlDatabase &db) {
                return store::AuditLog::record(db, now, author, QStringLiteral("workspace.upgrade"),
                                               QStringLiteral("workspace"), details);
            });
            !ok)
            return ok.error();
        qCInfo(lcAccess) << by->name() << "upgraded" << file << "from schema" << outcome.fromVersion;
    }
    outcome.workspace = std::move(workspace).value();
    outcome.session = std::move(by).value();
    return outcome;
}

} // namespace simfleet::access
