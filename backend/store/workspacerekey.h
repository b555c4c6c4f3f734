#pragma once

#include "auditauthor.h"
#include "core/result.h"

#include <QByteArrayView>

#include <functional>

namespace simfleet::store {

class Workspace;

// A new data key for a long-lived workspace (issue 23): every sealed secret (Ki, OPc, operators'
// OP and templates, private keys, activation codes) opened and sealed again under it, batch by
// batch, each batch in one transaction, so a rekey that is killed resumes where it stood with
// the key it chose (kept under the passphrase, SecretVault::beginRekey). Meanwhile every vault
// opens secrets under either key and seals new ones under the new key. The last step, in one
// transaction, seals again whatever is still under the old key (a secret another desktop
// sealed meanwhile), gives each user who held a key slot a pending one sealed to their public
// key (taken up at their next login, since their password is not at hand), and makes the new
// key the workspace's. From then on the old key opens nothing. Audited.
class WorkspaceRekey
{
public:
    struct Progress
    {
        qint64 resealed = 0;
        qint64 alreadyUnderNewKey = 0;
    };
    struct Options
    {
        int batch = 500;
        // After each batch; false stops the rekey there (as a kill would), to resume later.
        std::function<bool(const Progress &)> keepGoing;
    };
    struct Outcome
    {
        Progress progress;
        bool resumed = false;
        bool finished = false;
        qint64 pendingSlots = 0;     // users who take up their key slot at their next login
        qint64 slotsWithoutKey = 0;  // users with no public key: an Administrator sets a new password
    };
    static Result<Outcome> run(Workspace &workspace, QByteArrayView passphrase, const AuditAuthor &author, Options options);
};

} // namespace simfleet::store
