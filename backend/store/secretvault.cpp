#include "secretvault.h"

#include "crypto/aes.h"
#include "crypto/ecdh.h"
#include "crypto/eckey.h"
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
    // During a rekey every new secret is sealed under the key that will remain.
    return crypto::aesGcmSeal(isRekeying() ? m_nextKey.view() : m_dataKey.view(), plaintext.view(), associatedData(field));
}

Result<crypto::SecretBytes> SecretVault::open(const SealedField &field, QByteArrayView sealed) const
{
    if (!isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase first"));
    auto opened = crypto::aesGcmOpen(m_dataKey.view(), sealed, associatedData(field));
    if (!opened && isRekeying())
        opened = crypto::aesGcmOpen(m_nextKey.view(), sealed, associatedData(field));
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
    if (row.contains(QStringLiteral("rekey_next_under_current"))) {
        if (auto ok = vault.followRekey(db); !ok)
            return ok.error();
    }
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
    return crypto::aesGcmSeal(keyEncryptionKey.view(), isRekeying() ? m_nextKey.view() : m_dataKey.view(), slotAssociatedData);
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

namespace {

const QByteArray nextKeyAssociatedData = QByteArrayLiteral("simfleet:workspace-next-data-key:v1");
const QByteArray pendingSlotInfo = QByteArrayLiteral("simfleet:pending-key-slot:v1");

struct KeyRecord
{
    crypto::ScryptParameters parameters;
    QByteArray salt, wrappedDataKey, ownerPoint, wrappedOwnerKey, nextKey;
};

Result<KeyRecord> readKeyRecord(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT n, r, p, salt, wrapped_data_key, owner_signing_key, wrapped_owner_signing_key,"
                               " rekey_next_key FROM workspace_key WHERE id = 1"))
        || !q.next())
        return fail(QStringLiteral("reading the workspace key failed: %1").arg(q.lastError().text()));
    return KeyRecord { { quint64(q.value(0).toLongLong()), quint32(q.value(1).toLongLong()), quint32(q.value(2).toLongLong()) },
                       q.value(3).toByteArray(),
                       q.value(4).toByteArray(),
                       q.value(5).toByteArray(),
                       q.value(6).toByteArray(),
                       q.value(7).toByteArray() };
}

Result<crypto::SecretBytes> passphraseKey(QByteArrayView passphrase, const KeyRecord &record)
{
    return crypto::scrypt(passphrase, record.salt, 32, record.parameters);
}

Result<void> runUpdate(QSqlQuery &q, const char *doing)
{
    if (!q.exec())
        return fail(QStringLiteral("%1 failed: %2").arg(QLatin1StringView(doing), q.lastError().text()));
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("%1 failed: the workspace has no key record").arg(QLatin1StringView(doing)));
    return {};
}

QVariant blobOrNull(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(bytes);
}

} // namespace

Result<void> SecretVault::changePassphrase(QSqlDatabase &db, QByteArrayView oldPassphrase, QByteArrayView newPassphrase)
{
    if (newPassphrase.size() < 8)
        return fail(QStringLiteral("the workspace passphrase must have at least 8 characters"));
    auto record = readKeyRecord(db);
    if (!record)
        return record.error();
    auto oldKek = passphraseKey(oldPassphrase, *record);
    if (!oldKek)
        return oldKek.error();
    auto dataKey = crypto::aesGcmOpen(oldKek->view(), record->wrappedDataKey, wrapAssociatedData);
    if (!dataKey)
        return fail(QStringLiteral("wrong passphrase for this workspace"));
    auto ownerKey = crypto::aesGcmOpen(oldKek->view(), record->wrappedOwnerKey, ownerKeyAssociatedData(record->ownerPoint));
    if (!ownerKey)
        return fail(QStringLiteral("the owner's signing key does not open with the passphrase; restore the workspace from a "
                                   "backup"));
    const QByteArray salt = crypto::randomBytes(16);
    auto newKek = crypto::scrypt(newPassphrase, salt, 32, record->parameters);
    if (!newKek)
        return newKek.error();
    auto wrappedData = crypto::aesGcmSeal(newKek->view(), dataKey->view(), wrapAssociatedData);
    auto wrappedOwner = crypto::aesGcmSeal(newKek->view(), ownerKey->view(), ownerKeyAssociatedData(record->ownerPoint));
    if (!wrappedData || !wrappedOwner)
        return fail(QStringLiteral("sealing the keys under the new passphrase failed"));
    // A rekey under way keeps its next key, under the new passphrase too.
    QByteArray next;
    if (!record->nextKey.isEmpty()) {
        auto nextKey = crypto::aesGcmOpen(oldKek->view(), record->nextKey, nextKeyAssociatedData);
        if (!nextKey)
            return fail(QStringLiteral("the rekey under way does not open with the passphrase; finish it with rekey first"));
        auto rewrapped = crypto::aesGcmSeal(newKek->view(), nextKey->view(), nextKeyAssociatedData);
        if (!rewrapped)
            return rewrapped.error();
        next = rewrapped.value();
    }
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE workspace_key SET salt = ?, wrapped_data_key = ?, wrapped_owner_signing_key = ?,"
                             " rekey_next_key = ? WHERE id = 1"));
    q.addBindValue(salt);
    q.addBindValue(wrappedData.value());
    q.addBindValue(wrappedOwner.value());
    q.addBindValue(blobOrNull(next));
    return runUpdate(q, "storing the keys under the new passphrase");
}

Result<void> SecretVault::followRekey(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT rekey_next_under_current FROM workspace_key WHERE id = 1")) || !q.next())
        return fail(QStringLiteral("reading the workspace key failed: %1").arg(q.lastError().text()));
    if (q.value(0).isNull() || q.value(0).toByteArray().isEmpty()) {
        m_nextKey = {};
        return {};
    }
    auto next = crypto::aesGcmOpen(m_dataKey.view(), q.value(0).toByteArray(), nextKeyAssociatedData);
    // A key slot given during the rekey holds the next key already: nothing to follow.
    if (next)
        m_nextKey = std::move(next).value();
    return {};
}

bool SecretVault::opensUnderNextKey(const SealedField &field, QByteArrayView sealed) const
{
    return isRekeying() && crypto::aesGcmOpen(m_nextKey.view(), sealed, associatedData(field)).ok();
}

Result<SecretVault> SecretVault::beginRekey(QSqlDatabase &db, QByteArrayView passphrase)
{
    auto record = readKeyRecord(db);
    if (!record)
        return record.error();
    auto kek = passphraseKey(passphrase, *record);
    if (!kek)
        return kek.error();
    auto dataKey = crypto::aesGcmOpen(kek->view(), record->wrappedDataKey, wrapAssociatedData);
    if (!dataKey)
        return fail(QStringLiteral("wrong passphrase for this workspace"));
    SecretVault vault(std::move(dataKey).value());
    if (!record->nextKey.isEmpty()) { // resumed: the key the interrupted run chose
        auto next = crypto::aesGcmOpen(kek->view(), record->nextKey, nextKeyAssociatedData);
        if (!next)
            return fail(QStringLiteral("the rekey under way does not open with the passphrase"));
        vault.m_nextKey = std::move(next).value();
        return vault;
    }
    vault.m_nextKey = crypto::randomSecret(dataKeySize);
    auto underPassphrase = crypto::aesGcmSeal(kek->view(), vault.m_nextKey.view(), nextKeyAssociatedData);
    auto underCurrent = crypto::aesGcmSeal(vault.m_dataKey.view(), vault.m_nextKey.view(), nextKeyAssociatedData);
    if (!underPassphrase || !underCurrent)
        return fail(QStringLiteral("sealing the new data key failed"));
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE workspace_key SET rekey_next_key = ?, rekey_next_under_current = ? WHERE id = 1"));
    q.addBindValue(underPassphrase.value());
    q.addBindValue(underCurrent.value());
    if (auto ok = runUpdate(q, "starting the rekey"); !ok)
        return ok.error();
    return vault;
}

Result<void> SecretVault::finishRekey(QSqlDatabase &db, QByteArrayView passphrase)
{
    auto record = readKeyRecord(db);
    if (!record)
        return record.error();
    if (record->nextKey.isEmpty())
        return fail(QStringLiteral("no rekey is under way"));
    auto kek = passphraseKey(passphrase, *record);
    if (!kek)
        return kek.error();
    auto next = crypto::aesGcmOpen(kek->view(), record->nextKey, nextKeyAssociatedData);
    if (!next)
        return fail(QStringLiteral("wrong passphrase for this workspace"));
    auto wrapped = crypto::aesGcmSeal(kek->view(), next->view(), wrapAssociatedData);
    if (!wrapped)
        return wrapped.error();
    // The old key no longer leads anywhere: whoever kept it opens nothing from now on.
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE workspace_key SET wrapped_data_key = ?, rekey_next_key = NULL,"
                             " rekey_next_under_current = NULL WHERE id = 1"));
    q.addBindValue(wrapped.value());
    return runUpdate(q, "finishing the rekey");
}

Result<QByteArray> SecretVault::sealDataKeyTo(const crypto::EcPublicKey &userKey) const
{
    if (!isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase first"));
    const crypto::EcPrivateKey oneTime = crypto::EcPrivateKey::generate();
    auto shared = crypto::ecdh(oneTime, userKey);
    if (!shared)
        return shared.error();
    auto key = crypto::x963Kdf(shared.value(), pendingSlotInfo, 32);
    if (!key)
        return key.error();
    const crypto::SecretBytes &dataKey = isRekeying() ? m_nextKey : m_dataKey;
    auto sealed = crypto::aesGcmSeal(key->view(), dataKey.view(), pendingSlotInfo);
    if (!sealed)
        return sealed.error();
    // The one-time public point (65 bytes, uncompressed) in front of the sealed key.
    return QByteArray(oneTime.publicPoint() + sealed.value());
}

Result<SecretVault> SecretVault::fromPendingSlot(const crypto::EcPrivateKey &userKey, QByteArrayView pending)
{
    if (pending.size() <= 65)
        return fail(QStringLiteral("the pending key slot is damaged"));
    auto oneTime = crypto::EcPublicKey::fromUncompressedPoint(pending.first(65));
    if (!oneTime)
        return fail(QStringLiteral("the pending key slot is damaged: %1").arg(oneTime.errorMessage()));
    auto shared = crypto::ecdh(userKey, oneTime.value());
    if (!shared)
        return shared.error();
    auto key = crypto::x963Kdf(shared.value(), pendingSlotInfo, 32);
    if (!key)
        return key.error();
    auto dataKey = crypto::aesGcmOpen(key->view(), pending.sliced(65), pendingSlotInfo);
    if (!dataKey)
        return fail(QStringLiteral("the pending key slot does not open with this user's key"));
    return SecretVault(std::move(dataKey).value());
}

} // namespace simfleet::store
