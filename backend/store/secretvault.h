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

    // Re-wraps the data key and the owner's signing key under a new passphrase (a new salt, the
    // same scrypt cost); users' key slots are untouched. A wrong old passphrase changes nothing.
    static Result<void> changePassphrase(QSqlDatabase &db, QByteArrayView oldPassphrase, QByteArrayView newPassphrase);

    // While a rekey is under way (WorkspaceRekey) the vault holds the next data key too: secrets
    // open under either key and are sealed under the next one. Called by unlock(); a vault
    // from a user's key slot calls it after.
    Result<void> followRekey(QSqlDatabase &db);
    bool isRekeying() const { return !m_nextKey.isEmpty(); }
    // The rekey's own steps: whether a secret is sealed under the next key already (false: it
    // is still under the current one and needs sealing again), and the keys as the rekey moves
    // them.
    bool opensUnderNextKey(const SealedField &field, QByteArrayView sealed) const;
    static Result<SecretVault> beginRekey(QSqlDatabase &db, QByteArrayView passphrase);
    static Result<void> finishRekey(QSqlDatabase &db, QByteArrayView passphrase);

    // A key slot for a user whose password is not at hand: the data key sealed to their public
    // key (ECIES: ECDH P-256 with a one-time key, X9.63 KDF, AES-256-GCM), which their private
    // key opens at their next login.
    Result<QByteArray> sealDataKeyTo(const crypto::EcPublicKey &userKey) const;
    static Result<SecretVault> fromPendingSlot(const crypto::EcPrivateKey &userKey, QByteArrayView pending);

private:
    explicit SecretVault(crypto::SecretBytes dataKey) : m_dataKey(std::move(dataKey)) { }
    crypto::SecretBytes m_dataKey;
    crypto::SecretBytes m_nextKey; // empty unless a rekey is under way
    crypto::EcPrivateKey m_ownerKey;
    QByteArray m_wrappedNewOwnerKey;
};

} // namespace simfleet::store
