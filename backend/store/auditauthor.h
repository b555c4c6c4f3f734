#pragma once

#include "crypto/eckey.h"

#include <QString>

namespace simfleet::store {

// Who writes an audit entry, with the key that signs it (README "Security"): a logged-in user's
// key opens with their password, the owner's with the workspace passphrase, so nobody can sign
// in another's name. Without a key the entry is one nobody vouches for (a failed login: the
// person who typed the name has not proved anything).
struct AuditAuthor
{
    QString name;
    crypto::EcPrivateKey key;

    bool canSign() const { return !key.isNull(); }
    static AuditAuthor unproven(QString name) { return AuditAuthor { std::move(name), {} }; }
};

} // namespace simfleet::store
