#pragma once

#include "core/result.h"
#include "crypto/eckey.h"

#include <QString>

namespace simfleet::store {
class Workspace;
struct AuditAuthor;
}

namespace simfleet::eim {

// The workspace's eIM (SGP.32 section 2.11.1.1.1): the identifier it signs eUICC packages under
// (eimId) and the key it signs them with. An eUICC trusts it by its public key, given to it with
// the eIM configuration data (at the factory, or by ES10b.AddInitialEim), not through a chain.
// The private key is sealed in the workspace like every other secret.
class EimIdentity
{
public:
    // The workspace's eIM; needs an unlocked workspace. Fails, saying so, when the workspace has
    // none yet (ensure() creates it).
    static Result<EimIdentity> ofWorkspace(const store::Workspace &workspace);
    // The workspace's eIM, created when it has none: a new P-256 key, and unless given an
    // identifier derived from its public key. Audited as "eim.created".
    static Result<EimIdentity> ensure(store::Workspace &workspace, const store::AuditAuthor &by, const QString &eimId = {});

    const QString &eimId() const { return m_eimId; }
    const crypto::EcPrivateKey &key() const { return m_key; }
    crypto::EcPublicKey publicKey() const { return m_key.publicKey(); }

private:
    EimIdentity(QString eimId, crypto::EcPrivateKey key) : m_eimId(std::move(eimId)), m_key(std::move(key)) { }
    QString m_eimId;
    crypto::EcPrivateKey m_key;
};

} // namespace simfleet::eim
