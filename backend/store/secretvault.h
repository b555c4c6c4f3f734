#pragma once

#include "core/result.h"
#include "crypto/eckey.h"
#include "crypto/kdf.h"
#include "crypto/secretbytes.h"

#include <QByteArray>
#include <QString>

class QSqlDatabase;

namespace simfleet::store {

// Where a sealed value belongs. It is authenticated with the value (AES-GCM associated data),
// so a sealed Ki copied into another profile's row, or into another column, does not open.
struct SealedField
{
    const char *table;
    qint64 rowId;
    const char *column;
};

// Seals and opens the workspace's secrets (Ki, OP, OPc, private keys) with AES-256-GCM under
// the workspace's data key (DESIGN.md "The store"). The data key is random; it is stored only
// wrapped under a key derived with scrypt from the workspace passphrase.
class SecretVault
{
public:
    SecretVault() = default;

    bool isUnlocked() const { return !m_dataKey.isEmpty(); }

    Result<QByteArray> seal(const SealedField &field, const crypto::SecretBytes &plaintext) const;
    Result<crypto::SecretBytes> open(const SealedField &field, QByteArrayView sealed) const;

    // A new workspace: makes a data key and stores it wrapped under the passphrase.
    static Result<SecretVault> initialise(QSqlDatabase &db, QByteArrayView passphrase,
                                          crypto::ScryptParameters parameters = {});
    // An existing workspace: unwraps the data key and the owner's signing key. A wrong
    // passphrase changes nothing. A workspace from before signed audit entries has no owner key
    // yet: one is made, and wrappedNewOwnerKey() holds it for the caller to store.
    static Result<SecretVault> unlock(QSqlDatabase &db, QByteArrayView passphrase);

    // The key the owner signs audit entries with; null unless the passphrase unlocked the vault.
    const crypto::EcPrivateKey &ownerKey() const { return m_ownerKey; }
    const QByteArray &wrappedNewOwnerKey() const { return m_wrappedNewOwnerKey; }
    // Stores an owner key unlock() made (see wrappedNewOwnerKey()).
    static Result<void> storeOwnerKey(QSqlDatabase &db, const crypto::EcPublicKey &key, const QByteArray &wrapped);

    // A user's key slot: the data key wrapped under a key derived from that user's password, so
    // users who work with secrets need not know the workspace passphrase.
    Result<QByteArray> wrapDataKey(const crypto::SecretBytes &keyEncryptionKey) const;
    // The key derivation the passphrase uses; new users' passwords get the same cost.
    static Result<crypto::ScryptParameters> passphraseKeyDerivation(QSqlDatabase &db);
    static Result<SecretVault> fromKeySlot(const crypto::SecretBytes &keyEncryptionKey, QByteArrayView wrapped);

private:
    explicit SecretVault(crypto::SecretBytes dataKey) : m_dataKey(std::move(dataKey)) { }
    crypto::SecretBytes m_dataKey;
    crypto::EcPrivateKey m_ownerKey;
    QByteArray m_wrappedNewOwnerKey;
};

} // namespace simfleet::store
