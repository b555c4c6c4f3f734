#pragma once

#include "session.h"
#include "core/result.h"
#include "crypto/secretbytes.h"

#include <QString>

#include <memory>
#include <optional>

namespace simfleet {
class Clock;
}
namespace simfleet::store {
class Workspace;
}

namespace simfleet::access {

// Who asks for an upgrade: the owner with the passphrase (user empty), or an Administrator
// with their password.
struct UpgradeProof
{
    QString user;
    crypto::SecretBytes secret;
};

struct UpgradeOutcome
{
    int fromVersion = 0;
    int toVersion = 0;
    QString backupPath; // the file as it was; empty when nothing had to change
    // Opened, and unlocked by the owner's passphrase or logged in to by the Administrator,
    // whose session this is.
    std::unique_ptr<store::Workspace> workspace;
    std::optional<Session> session;
};

// Brings an older simfleet's workspace up to this version's schema (README "Security"). An
// upgrade rewrites the file for everyone, so only its owner or an Administrator may ask for it,
// proved against the file as it is before anything is written; a copy of the file as it was
// stays beside it, and the audit log records who upgraded it from which version.
class WorkspaceUpgrade
{
public:
    static Result<UpgradeOutcome> run(const QString &path, const UpgradeProof &proof, const Clock *clock = nullptr);
};

} // namespace simfleet::access
