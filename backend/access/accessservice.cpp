#include "accessservice.h"
#include "accesslog.h"

#include "core/clock.h"
#include "crypto/aes.h"
#include "crypto/constanttime.h"
#include "passwordpolicy.h"
#include "crypto/random.h"
#include "store/auditauthor.h"
#include "store/accessschema.h"
#include "store/auditlog.h"
#include "store/operatorrepository.h"
#include "store/secretvault.h"
#include "store/storewriter.h"
#include "store/userrepository.h"
#include "store/workspace.h"

#include <QJsonObject>
#include <QSqlQuery>

#include <algorithm>

namespace simfleet::access {

namespace {

constexpr qsizetype checkSize = 32;
constexpr qint64 firstLockSeconds = 30;
constexpr qint64 longestLockSeconds = 15 * 60;
const QString idleSetting = QStringLiteral("session_idle_minutes");

// One scrypt run gives the password check (bytes 0..31) and the key that wraps the user's key
// slot (bytes 32..63); they are separate PBKDF2 blocks, so the stored check says nothing about
// the key.
Result<crypto::SecretBytes> derive(QByteArrayView password, QByteArrayView salt, crypto::ScryptParameters parameters)
{
    return crypto::scrypt(password, salt, 2 * checkSize, parameters);
}

// A user's signing key is wrapped under the same key as their key slot, bound to its public
// point so that a record pointing at another key does not open.
QByteArray signingKeyAssociatedData(const QByteArray &publicPoint)
{
    return QByteArrayLiteral("simfleet:user-signing-key:v1:") + publicPoint;
}

Result<QByteArray> wrapSigningKey(const crypto::EcPrivateKey &key, QByteArrayView keyEncryptionKey)
{
    return crypto::aesGcmSeal(keyEncryptionKey, key.toPkcs8().view(), signingKeyAssociatedData(key.publicPoint()));
}

Result<crypto::EcPrivateKey> openSigningKey(const store::UserRecord &user, QByteArrayView keyEncryptionKey)
{
    auto pkcs8 = crypto::aesGcmOpen(keyEncryptionKey, user.wrappedSigningKey, signingKeyAssociatedData(user.signingKey));
    if (!pkcs8)
        return fail(QStringLiteral("the signing key of %1 does not open (its record was changed); an Administrator must set"
                                   " a new password")
                        .arg(user.name));
    auto key = crypto::EcPrivateKey::fromPkcs8(pkcs8.value());
    if (!key || key->publicPoint() != user.signingKey)
        return fail(QStringLiteral("the signing key of %1 does not match its record; an Administrator must set a new"
                                   " password")
                        .arg(user.name));
    return key;
}

QJsonObject withKey(QJsonObject details, const crypto::EcPrivateKey &key)
{
    details.insert(store::AuditLog::keyField(), store::AuditLog::keyText(key.publicKey()));
    return details;
}

Result<void> checkUserName(const QString &name)
{
    if (name.trimmed().isEmpty())
        return fail(QStringLiteral("a user needs a name"));
    if (name.size() > 64)
        return fail(QStringLiteral("the user name \"%1…\" is longer than 64 characters").arg(name.left(20)));
    // The audit log names the passphrase holder "owner": no user may look like them.
    if (name.compare(QLatin1StringView("owner"), Qt::CaseInsensitive) == 0)
        return fail(QStringLiteral("\"%1\" names the workspace's owner in the audit log; choose another user name").arg(name));
    for (QChar c : name) {
        if (c.isSpace() || !c.isPrint())
            return fail(QStringLiteral("the user name \"%1\" contains a space or a control character; use letters, digits,"
                                       " '.', '-' or '_'")
                            .arg(name));
    }
    return {};
}

// Users changing their own password keep their signing key (it opened with the old one);
// anyone else's password set by an Administrator comes with a new key the Administrator's
// signature registers, since nobody else can open the old one.
crypto::EcPrivateKey ownKeyIfSelf(const Session &by, const QString &name)
{
    return (!by.isOwner() && by.name() == name) ? by.author().key : crypto::EcPrivateKey();
}

Error notFound(const QString &name)
{
    return fail(QStringLiteral("there is no user %1").arg(name));
}

} // namespace

struct AccessService::Credentials
{
    store::UserRecord record; // hash, salt, parameters, key slot, signing key
    crypto::EcPrivateKey signingKey;
};

Result<store::UserRecord> AccessService::findUser(const QString &name) const
{
    auto user = store::UserRepository(m_workspace.database()).findByName(name);
    if (!user)
        return user.error();
    if (!user.value())
        return notFound(name);
    return *user.value();
}

Result<void> AccessService::keepAnAdministrator(const store::UserRecord &leaving) const
{
    if (leaving.role != roleKey(Role::Administrator))
        return {};
    auto admins = store::UserRepository(m_workspace.database()).countWithRole(roleKey(Role::Administrator));
    if (!admins)
        return admins.error();
    if (admins.value() <= 1)
        return fail(QStringLiteral("%1 is the last Administrator; make another one first").arg(leaving.name));
    return {};
}

AccessService::AccessService(store::Workspace &workspace) : m_workspace(workspace) { }

qint64 AccessService::idleMinutes() const
{
    QSqlQuery q(m_workspace.database());
    q.prepare(QStringLiteral("SELECT value FROM workspace_setting WHERE key = ?"));
    q.addBindValue(idleSetting);
    if (q.exec() && q.next()) {
        bool ok = false;
        const qint64 minutes = q.value(0).toString().toLongLong(&ok);
        if (ok && minutes >= 0)
            return minutes;
    }
    return defaultIdleMinutes;
}

Result<void> AccessService::setIdleMinutes(const Session &by, qint64 minutes)
{
    if (auto ok = by.require(Permission::ManageUsers, m_workspace.clock()); !ok)
        return ok;
    if (minutes < 0 || minutes > 24 * 60)
        return fail(QStringLiteral("the idle time must lie between 0 (never) and 1440 minutes"));
    const QDateTime now = m_workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return m_workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO workspace_setting (key, value) VALUES (?, ?)"
                             " ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
        q.addBindValue(idleSetting);
        q.addBindValue(QString::number(minutes));
        if (!q.exec())
            return fail(QStringLiteral("saving the idle time failed"));
        return store::AuditLog::record(db, now, author, QStringLiteral("access.idle-time"), QStringLiteral("workspace"),
                                       QJsonObject { { QStringLiteral("minutes"), minutes } });
    });
}

QString AccessService::loginRefusal()
{
    return QStringLiteral("wrong user name or password (three wrong passwords in a row lock a name for 30 s, then longer)");
}

Result<bool> AccessService::passwordMatches(const store::UserRecord &user, QByteArrayView password)
{
    auto derived = derive(password, user.passwordSalt, { user.kdfN, user.kdfR, user.kdfP });
    if (!derived)
        return derived.error();
    return crypto::equalConstantTime(derived->view().first(checkSize), user.passwordHash);
}

Result<Session> AccessService::login(const QString &name, QByteArrayView password)
{
    const Clock &clock = m_workspace.clock();
    const QDateTime now = clock.now();
    auto found = store::UserRepository(m_workspace.database()).findByName(name);
    if (!found)
        return found.error();
    // One answer, and the same work, for an unknown name, a wrong password and a locked name, so
    // neither the text nor the time tells which names exist or are locked.
    const auto refuse = [&](const char *why) {
        (void)derive(password, crypto::randomBytes(16), m_keyDerivation.value_or(crypto::ScryptParameters {}));
        qCInfo(lcAccess) << "login refused:" << why;
        return failWith(ErrorCode::LoginFailed, loginRefusal());
    };
    if (!found.value())
        return refuse("unknown user");
    const store::UserRecord user = *found.value();
    if (user.lockedUntil.isValid() && user.lockedUntil > now)
        return refuse("locked");
    const auto role = roleFromKey(user.role);
    if (!role)
        return fail(QStringLiteral("the user %1 has an unknown role \"%2\"; an Administrator must fix it").arg(name, user.role));

    auto derived = derive(password, user.passwordSalt, { user.kdfN, user.kdfR, user.kdfP });
    if (!derived)
        return derived.error();
    const QByteArrayView bytes = derived->view();
    if (!crypto::equalConstantTime(bytes.first(checkSize), user.passwordHash)) {
        const qint64 id = user.id;
        // Counted in the store, inside the writer's transaction (which holds the file's write
        // lock), so logins failing at once in many processes each count: a count read before the
        // password check would let them all write the same number.
        auto counted = m_workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
            store::UserRepository users(db);
            auto failures = users.countFailedLogin(id);
            if (!failures)
                return failures.error();
            QDateTime lockedUntil;
            if (failures.value() >= freeAttempts) {
                const int doublings = std::min(failures.value() - freeAttempts, 10);
                lockedUntil = now.addSecs(std::min(longestLockSeconds, firstLockSeconds << doublings));
            }
            if (auto ok = users.lockUntil(id, lockedUntil); !ok)
                return ok;
            return store::AuditLog::record(db, now, store::AuditAuthor::unproven(name), QStringLiteral("user.login-failed"),
                                           QStringLiteral("user:%1").arg(name),
                                           QJsonObject { { QStringLiteral("failures"), failures.value() } });
        });
        if (!counted)
            qCWarning(lcAccess) << "a failed login could not be counted:" << counted.errorMessage();
        qCInfo(lcAccess) << "login refused: wrong password";
        return failWith(ErrorCode::LoginFailed, loginRefusal());
    }

    const QByteArrayView keyEncryptionKey = bytes.sliced(checkSize);
    std::optional<store::SecretVault> vault;
    const bool secrets = roleWorksWithSecrets(*role);
    if (secrets) {
        if (user.wrappedDataKey.isEmpty() && user.pendingKeySlot.isEmpty())
            return fail(QStringLiteral("%1 has no key slot; an Administrator must set a new password").arg(name));
        if (!user.wrappedDataKey.isEmpty()) {
            auto opened = store::SecretVault::fromKeySlot(crypto::SecretBytes(keyEncryptionKey), user.wrappedDataKey);
            if (!opened)
                return fail(QStringLiteral("the key slot of %1 does not open (it was changed); an Administrator must set a new"
                                           " password")
                                .arg(name));
            vault = std::move(opened).value();
        }
    }
    // A user of a workspace from before signed audit entries gets a signing key now, the first
    // time their password is at hand, and registers it on their own word.
    const bool firstKey = user.signingKey.isEmpty();
    crypto::EcPrivateKey signingKey;
    QByteArray wrappedSigningKey;
    if (firstKey) {
        signingKey = crypto::EcPrivateKey::generate();
        auto wrapped = wrapSigningKey(signingKey, keyEncryptionKey);
        if (!wrapped)
            return wrapped.error();
        wrappedSigningKey = wrapped.value();
    } else {
        auto opened = openSigningKey(user, keyEncryptionKey);
        if (!opened)
            return opened.error();
        signingKey = opened.value();
    }
    // After a rekey the user's slot waits sealed to their public key: taken up now, under their password.
    QByteArray takenUpSlot;
    if (secrets && !vault) {
        auto opened = store::SecretVault::fromPendingSlot(signingKey, user.pendingKeySlot);
        if (!opened)
            return fail(QStringLiteral("the new key slot of %1 does not open: %2; an Administrator must set a new password")
                            .arg(name, opened.errorMessage()));
        auto wrapped = opened->wrapDataKey(crypto::SecretBytes(keyEncryptionKey));
        if (!wrapped)
            return wrapped.error();
        takenUpSlot = wrapped.value();
        vault = std::move(opened).value();
    }
    if (vault) {
        QSqlDatabase db = m_workspace.database();
        if (auto ok = vault->followRekey(db); !ok)
            return ok.error();
    }
    const store::AuditAuthor author { name, signingKey };
    const qint64 id = user.id;
    if (auto ok = m_workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
            store::UserRepository users(db);
            if (!takenUpSlot.isEmpty()) {
                if (auto r = users.takeUpKeySlot(id, takenUpSlot); !r)
                    return r;
            }
            if (firstKey) {
                if (auto r = users.setFirstSigningKey(id, signingKey.publicPoint(), wrappedSigningKey); !r)
                    return r;
                if (auto r = store::AuditLog::record(db, now, author, QStringLiteral("audit.key"),
                                                     QStringLiteral("user:%1").arg(name), withKey({}, signingKey));
                    !r)
                    return r;
            }
            if (auto r = users.recordLogin(id, now); !r)
                return r;
            return store::AuditLog::record(db, now, author, QStringLiteral("user.login"), QStringLiteral("user:%1").arg(name),
                                           QJsonObject { { QStringLiteral("role"), user.role } });
        });
        !ok)
        return ok.error();
    if (vault)
        m_workspace.unlockWith(std::move(*vault));
    qCInfo(lcAccess) << name << "logged in as" << user.role;
    return Session(user.id, name, *role, user.operatorId, signingKey, idleMinutes() * 60, clock);
}

Result<Session> AccessService::ownerSession()
{
    if (!m_workspace.isUnlockedByPassphrase())
        return failWith(ErrorCode::NotPermitted,
                        QStringLiteral("acting as the workspace owner takes the workspace passphrase; give it, or log in"
                                       " as a user"));
    return Session(0, QStringLiteral("owner"), Role::Administrator, std::nullopt, m_workspace.vault().ownerKey(),
                   idleMinutes() * 60, m_workspace.clock());
}

Result<std::optional<qint64>> AccessService::operatorFor(Role role, const QString &operatorName) const
{
    if (role != Role::OperatorAccountManager) {
        if (!operatorName.isEmpty())
            return fail(QStringLiteral("only an operator account manager is bound to an operator"));
        return std::optional<qint64>();
    }
    if (operatorName.isEmpty())
        return fail(QStringLiteral("an operator account manager needs the operator they manage"));
    auto op = store::OperatorRepository(m_workspace.database()).findByName(operatorName);
    if (!op)
        return op.error();
    if (!op.value())
        return fail(QStringLiteral("there is no operator %1").arg(operatorName));
    return std::optional<qint64>(op.value()->id);
}

Result<AccessService::Credentials> AccessService::makeCredentials(const QString &name, Role role, QByteArrayView password,
                                                                  const crypto::EcPrivateKey &keepSigningKey) const
{
    if (auto ok = PasswordPolicy::check(password, name, m_workspace.info().demo); !ok)
        return ok.error();
    crypto::ScryptParameters parameters;
    if (m_keyDerivation) {
        parameters = *m_keyDerivation;
    } else {
        QSqlDatabase db = m_workspace.database();
        auto fromWorkspace = store::SecretVault::passphraseKeyDerivation(db);
        if (!fromWorkspace)
            return fromWorkspace.error();
        parameters = fromWorkspace.value();
    }
    Credentials c;
    c.record.passwordSalt = crypto::randomBytes(16);
    c.record.kdfN = parameters.n;
    c.record.kdfR = parameters.r;
    c.record.kdfP = parameters.p;
    auto derived = derive(password, c.record.passwordSalt, parameters);
    if (!derived)
        return derived.error();
    c.record.passwordHash = derived->view().first(checkSize).toByteArray();
    c.signingKey = keepSigningKey.isNull() ? crypto::EcPrivateKey::generate() : keepSigningKey;
    auto wrappedSigningKey = wrapSigningKey(c.signingKey, derived->view().sliced(checkSize));
    if (!wrappedSigningKey)
        return wrappedSigningKey.error();
    c.record.signingKey = c.signingKey.publicPoint();
    c.record.wrappedSigningKey = wrappedSigningKey.value();
    if (roleWorksWithSecrets(role)) {
        if (!m_workspace.isUnlocked())
            return fail(QStringLiteral("the workspace is locked, so no key slot can be made; unlock it first"));
        auto wrapped = m_workspace.vault().wrapDataKey(crypto::SecretBytes(derived->view().sliced(checkSize)));
        if (!wrapped)
            return wrapped.error();
        c.record.wrappedDataKey = wrapped.value();
    }
    return c;
}

Result<void> AccessService::addUser(const Session &by, const NewUser &user)
{
    if (auto ok = by.require(Permission::ManageUsers, m_workspace.clock()); !ok)
        return ok;
    if (auto ok = checkUserName(user.name); !ok)
        return ok;
    store::UserRepository users(m_workspace.database());
    auto existing = users.findByName(user.name);
    if (!existing)
        return existing.error();
    if (existing.value())
        return fail(QStringLiteral("there is already a user %1").arg(user.name));
    auto count = users.count();
    if (!count)
        return count.error();
    if (count.value() == 0 && user.role != Role::Administrator)
        return fail(QStringLiteral("the first user of a workspace is its Administrator; add an Administrator first"));
    auto operatorId = operatorFor(user.role, user.operatorName);
    if (!operatorId)
        return operatorId.error();
    auto credentials = makeCredentials(user.name, user.role, user.password, {});
    if (!credentials)
        return credentials.error();
    store::UserRecord record = credentials->record;
    record.name = user.name;
    record.role = roleKey(user.role);
    record.operatorId = operatorId.value();
    const QDateTime now = m_workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const crypto::EcPrivateKey newKey = credentials->signingKey;
    return m_workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
        if (auto id = store::UserRepository(db).insert(record, now); !id)
            return id.error();
        // On a shared workspace the user is a database login of the same name (no-op on a file).
        if (auto ok = store::AccessSchema::createLogin(db, record.name, user.password, record.role); !ok)
            return ok;
        QJsonObject details { { QStringLiteral("role"), record.role } };
        if (!user.operatorName.isEmpty())
            details.insert(QStringLiteral("operator"), user.operatorName);
        // The Administrator's signature registers the new user's key.
        return store::AuditLog::record(db, now, author, QStringLiteral("user.add"), QStringLiteral("user:%1").arg(record.name),
                                       withKey(details, newKey));
    });
}

Result<void> AccessService::removeUser(const Session &by, const QString &name)
{
    if (auto ok = by.require(Permission::ManageUsers, m_workspace.clock()); !ok)
        return ok;
    if (name == by.name() && !by.isOwner())
        return fail(QStringLiteral("you cannot remove yourself; another Administrator can"));
    auto user = findUser(name);
    if (!user)
        return user.error();
    if (auto ok = keepAnAdministrator(user.value()); !ok)
        return ok;
    const qint64 id = user->id;
    const QDateTime now = m_workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return m_workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
        if (auto ok = store::UserRepository(db).remove(id); !ok)
            return ok;
        if (auto ok = store::AccessSchema::dropLogin(db, name); !ok)
            return ok;
        return store::AuditLog::record(db, now, author, QStringLiteral("user.remove"), QStringLiteral("user:%1").arg(name),
                                       {});
    });
}

Result<void> AccessService::setRole(const Session &by, const QString &name, Role role, const QString &operatorName,
                                    const std::optional<QByteArray> &newPassword)
{
    if (auto ok = by.require(Permission::ManageUsers, m_workspace.clock()); !ok)
        return ok;
    auto user = findUser(name);
    if (!user)
        return user.error();
    store::UserRecord record = user.value();
    if (role != Role::Administrator) {
        if (auto ok = keepAnAdministrator(record); !ok)
            return ok;
    }
    auto operatorId = operatorFor(role, operatorName);
    if (!operatorId)
        return operatorId.error();
    const bool needsSlot = roleWorksWithSecrets(role);
    if (needsSlot && record.wrappedDataKey.isEmpty() && !newPassword)
        return fail(QStringLiteral("%1 becomes %2, which works with secrets: set a new password with the change; it"
                                   " protects the user's copy of the workspace key")
                        .arg(name, roleTitle(role)));
    crypto::EcPrivateKey newKey;
    if (newPassword) {
        auto credentials = makeCredentials(name, role, *newPassword, ownKeyIfSelf(by, name));
        if (!credentials)
            return credentials.error();
        newKey = credentials->signingKey;
        const store::UserRecord fresh = credentials->record;
        record.passwordHash = fresh.passwordHash;
        record.passwordSalt = fresh.passwordSalt;
        record.kdfN = fresh.kdfN;
        record.kdfR = fresh.kdfR;
        record.kdfP = fresh.kdfP;
        record.wrappedDataKey = fresh.wrappedDataKey;
        record.signingKey = fresh.signingKey;
        record.wrappedSigningKey = fresh.wrappedSigningKey;
    }
    if (!needsSlot)
        record.wrappedDataKey.clear(); // a role without secrets keeps no key slot
    const QDateTime now = m_workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const QString roleText = roleKey(role);
    return m_workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
        store::UserRepository repo(db);
        if (newPassword) {
            if (auto ok = repo.setPassword(record.id, record); !ok)
                return ok;
            if (auto ok = store::AccessSchema::setLoginPassword(db, name, *newPassword); !ok)
                return ok;
        }
        if (auto ok = repo.setRole(record.id, roleText, operatorId.value(), record.wrappedDataKey); !ok)
            return ok;
        if (auto ok = store::AccessSchema::setLoginRole(db, name, roleText); !ok)
            return ok;
        QJsonObject details { { QStringLiteral("role"), roleText } };
        if (!operatorName.isEmpty())
            details.insert(QStringLiteral("operator"), operatorName);
        return store::AuditLog::record(db, now, author, QStringLiteral("user.role"), QStringLiteral("user:%1").arg(name),
                                       newKey.isNull() ? details : withKey(details, newKey));
    });
}

Result<void> AccessService::setPassword(const Session &by, const QString &name, QByteArrayView password)
{
    if (name != by.name() || by.isOwner()) {
        if (auto ok = by.require(Permission::ManageUsers, m_workspace.clock()); !ok)
            return ok;
    } else if (by.isExpired(m_workspace.clock())) {
        return failWith(ErrorCode::SessionExpired, QStringLiteral("the session ended; log in again"));
    }
    auto user = findUser(name);
    if (!user)
        return user.error();
    const auto role = roleFromKey(user->role);
    auto credentials = makeCredentials(name, role.value_or(Role::Viewer), password, ownKeyIfSelf(by, name)); // no copy of the password
    if (!credentials)
        return credentials.error();
    const store::UserRecord record = credentials->record;
    const crypto::EcPrivateKey newKey = credentials->signingKey;
    const qint64 id = user->id;
    const QDateTime now = m_workspace.clock().now();
    const store::AuditAuthor author = by.author();
    // run() waits for the job, so the job may read the caller's password in place.
    return m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        if (auto ok = store::UserRepository(db).setPassword(id, record); !ok)
            return ok;
        if (auto ok = store::AccessSchema::setLoginPassword(db, name, password); !ok)
            return ok;
        return store::AuditLog::record(db, now, author, QStringLiteral("user.password"), QStringLiteral("user:%1").arg(name),
                                       withKey({}, newKey));
    });
}

Result<QList<UserSummary>> AccessService::users(const Session &by)
{
    if (auto ok = by.require(Permission::ManageUsers, m_workspace.clock()); !ok)
        return ok.error();
    auto list = store::UserRepository(m_workspace.database()).list();
    if (!list)
        return list.error();
    auto operators = store::OperatorRepository(m_workspace.database()).list();
    if (!operators)
        return operators.error();
    QList<UserSummary> out;
    for (const store::UserRecord &u : list.value()) {
        UserSummary s;
        s.name = u.name;
        s.role = roleFromKey(u.role).value_or(Role::Viewer);
        for (const auto &op : operators.value()) {
            if (u.operatorId && op.id == *u.operatorId)
                s.operatorName = op.name;
        }
        s.lastLoginAt = u.lastLoginAt;
        s.failedLogins = u.failedLogins;
        s.lockedUntil = u.lockedUntil;
        out.append(s);
    }
    return out;
}

} // namespace simfleet::access
