#include "secretvault.h"

#include "crypto/aes.h"
#include "crypto/random.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>

namespace simfleet::store {

namespace {

constexpr std::size_t dataKeySize = 32;
const QByteArray wrapAssociatedData = QByteArrayLiteral("simfleet:workspace-data-key:v1");
const QByteArray slotAssociatedData = QByteArrayLiteral("simfleet:user-key-slot:v1");

// Bound to the public key, so a key record swapped for another one does not open.
QByteArray ownerKeyAssociatedData(const QByteArray &publicPoint)
{
    return QByteArrayLiteral("simfleet:owner-signing-key:v1:") + publicPoint;
}

struct WrappedOwnerKey
{
    crypto::EcPrivateKey key;
    QByteArray wrapped;
};

Result<WrappedOwnerKey> newOwnerKey(const crypto::SecretBytes &kek)
{
    WrappedOwnerKey k { crypto::EcPrivateKey::generate(), {} };
    auto wrapped = crypto::aesGcmSeal(kek.view(), k.key.toPkcs8().view(), ownerKeyAssociatedData(k.key.publicPoint()));
    if (!wrapped)
        return wrapped.error();
    k.wrapped = wrapped.value();
    return k;
}

QByteArray associatedData(const SealedField &field)
{
    return QByteArrayLiteral("simfleet:v1:") + field.table + ':' + QByteArray::number(field.rowId) + ':'
        + field.column;
}

} // namespace

Result<QByteArray> SecretVault::seal(const SealedField &field, const crypto::SecretBytes &plaintext) const
{
    if (!isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase first"));
    return crypto::aesGcmSeal(m_dataKey.view(), plaintext.view(), associatedData(field));
}

Result<crypto::SecretBytes> SecretVault::open(const SealedField &field, QByteArrayView sealed) const
{
    if (!isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase first"));
    auto opened = crypto::aesGcmOpen(m_dataKey.view(), sealed, associatedData(field));
    if (!opened)
        return fail(QStringLiteral("the secret in %1.%2 of row %3 does not open: it was changed or moved")
                        .arg(QLatin1StringView(field.table), QLatin1StringView(field.column))
                        .arg(field.rowId));
    return opened;
}

Result<SecretVault> SecretVault::initialise(QSqlDatabase &db, QByteArrayView passphrase,
                                            crypto::ScryptParameters parameters)
{
    if (passphrase.size() < 8)
        return fail(QStringLiteral("the workspace passphrase must have at least 8 characters"));
    const QByteArray salt = crypto::randomBytes(16);
    auto kek = crypto::scrypt(passphrase, salt, 32, parameters);
    if (!kek)
        return kek.error();
    crypto::SecretBytes dataKey = crypto::randomSecret(dataKeySize);
    auto wrapped = crypto::aesGcmSeal(kek->view(), dataKey.view(), wrapAssociatedData);
    if (!wrapped)
        return wrapped.error();
    auto ownerKey = newOwnerKey(kek.value());
    if (!ownerKey)
        return ownerKey.error();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO workspace_key (id, kdf, salt, n, r, p, wrapped_data_key, owner_signing_key,"
                             " wrapped_owner_signing_key) VALUES (1, 'scrypt', ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(salt);
    q.addBindValue(qint64(parameters.n));
    q.addBindValue(qint64(parameters.r));
    q.addBindValue(qint64(parameters.p));
    q.addBindValue(wrapped.value());
    q.addBindValue(ownerKey->key.publicPoint());
    q.addBindValue(ownerKey->wrapped);
    if (!q.exec())
        return fail(QStringLiteral("storing the workspace key failed: %1").arg(q.lastError().text()));
    SecretVault vault(std::move(dataKey));
    vault.m_ownerKey = ownerKey->key;
    return vault;
}

Result<void> SecretVault::storeOwnerKey(QSqlDatabase &db, const crypto::EcPublicKey &key, const QByteArray &wrapped)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE workspace_key SET owner_signing_key = ?, wrapped_owner_signing_key = ? WHERE id = 1"
                             " AND owner_signing_key IS NULL"));
    q.addBindValue(key.uncompressedPoint());
    q.addBindValue(wrapped);
    if (!q.exec())
        return fail(QStringLiteral("storing the owner's signing key failed: %1").arg(q.lastError().text()));
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("the owner already has a signing key; unlock the workspace again"));
    return {};
}

Result<SecretVault> SecretVault::unlock(QSqlDatabase &db, QByteArrayView passphrase)
{
    QSqlQuery q(db);
    // By name, so that the owner of a workspace from before signed audit entries (no owner key
    // columns yet) can prove the passphrase before upgrading it.
    if (!q.exec(QStringLiteral("SELECT * FROM workspace_key WHERE id = 1")))
        return fail(QStringLiteral("reading the workspace key failed: %1").arg(q.lastError().text()));
    if (!q.next())
        return fail(QStringLiteral("this workspace has no passphrase set up"));
    const QSqlRecord row = q.record();
    const auto column = [&](const char *name) { return q.value(row.indexOf(QLatin1StringView(name))); };
    const crypto::ScryptParameters parameters { quint64(column("n").toLongLong()), quint32(column("r").toLongLong()),
                                                quint32(column("p").toLongLong()) };
    auto kek = crypto::scrypt(passphrase, column("salt").toByteArray(), 32, parameters);
    if (!kek)
        return kek.error();
    auto dataKey = crypto::aesGcmOpen(kek->view(), column("wrapped_data_key").toByteArray(), wrapAssociatedData);
    if (!dataKey)
        return fail(QStringLiteral("wrong passphrase for this workspace"));
    SecretVault vault(std::move(dataKey).value());
    const QByteArray ownerPoint = row.contains(QStringLiteral("owner_signing_key")) ? column("owner_signing_key").toByteArray()
                                                                                  : QByteArray();
    if (ownerPoint.isEmpty()) {
        auto made = newOwnerKey(kek.value());
        if (!made)
            return made.error();
        vault.m_ownerKey = made->key;
        vault.m_wrappedNewOwnerKey = made->wrapped;
        return vault;
    }
    auto pkcs8 = crypto::aesGcmOpen(kek->view(), column("wrapped_owner_signing_key").toByteArray(),
                                    ownerKeyAssociatedData(ownerPoint));
    if (!pkcs8)
        return fail(QStringLiteral("the owner's signing key does not open with the passphrase that opens the workspace: "
                                   "its record was changed; restore the workspace from a backup"));
    auto ownerKey = crypto::EcPrivateKey::fromPkcs8(pkcs8.value());
    if (!ownerKey)
        return ownerKey.error();
    vault.m_ownerKey = ownerKey.value();
    return vault;
}

Result<QByteArray> SecretVault::wrapDataKey(const crypto::SecretBytes &keyEncryptionKey) const
{
    if (!isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase first"));
    return crypto::aesGcmSeal(keyEncryptionKey.view(), m_dataKey.view(), slotAssociatedData);
}

Result<crypto::ScryptParameters> SecretVault::passphraseKeyDerivation(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT n, r, p FROM workspace_key WHERE id = 1")) || !q.next())
        return fail(QStringLiteral("reading the workspace key failed: %1").arg(q.lastError().text()));
    return crypto::ScryptParameters { quint64(q.value(0).toLongLong()), quint32(q.value(1).toLongLong()),
                                      quint32(q.value(2).toLongLong()) };
}

Result<SecretVault> SecretVault::fromKeySlot(const crypto::SecretBytes &keyEncryptionKey, QByteArrayView wrapped)
{
    auto dataKey = crypto::aesGcmOpen(keyEncryptionKey.view(), wrapped, slotAssociatedData);
    if (!dataKey)
        return fail(QStringLiteral("the user's key slot does not open"));
    return SecretVault(std::move(dataKey).value());
}

} // namespace simfleet::store
