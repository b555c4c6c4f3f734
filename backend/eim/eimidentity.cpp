#include "eimidentity.h"

#include "eimlog.h"
#include "core/clock.h"
#include "crypto/secretbytes.h"
#include "crypto/sha256.h"
#include "store/auditauthor.h"
#include "store/auditlog.h"
#include "store/eimrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QSqlQuery>

namespace simfleet::eim {

namespace {

const store::SealedField sealedKeyField { "eim_identity", 1, "private_key_sealed" };

Result<EimIdentity> unsealed(const store::Workspace &workspace, const store::EimIdentityRecord &record,
                             const auto &make)
{
    if (record.privateKeySealed.isEmpty())
        return fail(QStringLiteral("the workspace's eIM %1 has no key: it was interrupted while being created; "
                                   "ask the workspace's owner to create it again")
                        .arg(record.eimId));
    auto pkcs8 = workspace.vault().open(sealedKeyField, record.privateKeySealed);
    if (!pkcs8)
        return fail(QStringLiteral("the eIM's key cannot be opened: %1").arg(pkcs8.errorMessage()));
    auto key = crypto::EcPrivateKey::fromPkcs8(pkcs8.value());
    if (!key)
        return fail(QStringLiteral("the eIM's key is damaged: %1").arg(key.errorMessage()));
    if (key->publicKey().subjectPublicKeyInfo() != record.publicKeyDer)
        return fail(QStringLiteral("the eIM's key does not match its recorded public key; the workspace was altered"));
    return make(record.eimId, std::move(key).value());
}

} // namespace

Result<EimIdentity> EimIdentity::ofWorkspace(const store::Workspace &workspace)
{
    if (!workspace.isUnlocked())
        return fail(QStringLiteral("the workspace is locked: the eIM's key needs it unlocked"));
    auto record = store::EimRepository(workspace.database()).identity();
    if (!record)
        return record.error();
    if (!*record)
        return fail(QStringLiteral("the workspace has no eIM yet: serve ESipa or create a field for network devices first"));
    return unsealed(workspace, **record, [](QString id, crypto::EcPrivateKey key) { return EimIdentity(std::move(id), std::move(key)); });
}

Result<EimIdentity> EimIdentity::ensure(store::Workspace &workspace, const store::AuditAuthor &by, const QString &eimId)
{
    if (auto existing = store::EimRepository(workspace.database()).identity(); !existing)
        return existing.error();
    else if (*existing && !(*existing)->privateKeySealed.isEmpty())
        return ofWorkspace(workspace);
    if (!workspace.isUnlocked())
        return fail(QStringLiteral("the workspace is locked: creating its eIM needs it unlocked"));

    crypto::EcPrivateKey key = crypto::EcPrivateKey::generate();
    const QByteArray publicKey = key.publicKey().subjectPublicKeyInfo();
    // SGP.32 leaves the form of eimId to the eIM (eimIdType: an OID, an FQDN or proprietary);
    // one derived from the key is unique without anyone choosing it.
    const QString id = eimId.isEmpty()
        ? QStringLiteral("simfleet-eim-%1").arg(QString::fromLatin1(crypto::sha256(publicKey).first(8).toHex()))
        : eimId;
    const QDateTime now = workspace.clock().now();
    const store::SecretVault &vault = workspace.vault();
    auto stored = workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::EimRepository eims(db);
        QSqlQuery(db).exec(QStringLiteral("DELETE FROM eim_identity WHERE private_key_sealed IS NULL"));
        if (auto ok = eims.insertIdentity({ id, publicKey, {}, now }); !ok)
            return ok;
        auto sealed = vault.seal(sealedKeyField, key.toPkcs8());
        if (!sealed)
            return sealed.error();
        if (auto ok = eims.setSealedKey(sealed.value()); !ok)
            return ok;
        return store::AuditLog::record(db, now, by, QStringLiteral("eim.created"), QStringLiteral("eim:%1").arg(id),
                                       { { QStringLiteral("public_key_sha256"),
                                           QString::fromLatin1(crypto::sha256(publicKey).toHex()) } });
    });
    if (!stored)
        return fail(QStringLiteral("creating the workspace's eIM failed: %1").arg(stored.errorMessage()));
    qCInfo(lcEim) << "created the workspace's eIM" << id;
    return EimIdentity(id, std::move(key));
}

} // namespace simfleet::eim
