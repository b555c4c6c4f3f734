#pragma once

#include "auditlog.h"
#include "crypto/eckey.h"

#include <QHash>
#include <QList>

#include <optional>

namespace simfleet::store {

struct AuditCheckpoint;

// Actions written by someone who has proved nothing (a failed login names whoever was tried):
// they are hash-chained but signed by nobody.
bool isUnprovenAction(const QString &action);

// Walks the audit log from entry 1, checking each entry's place in the chain, its hash and its
// author's signature against the keys the log itself registered before it (AuditLog). Stops at
// the first bad entry.
class AuditChainWalk
{
public:
    explicit AuditChainWalk(const AuditCheckpoint *against) : m_against(against) { }

    // False once an entry is bad; result() then names it.
    bool step(const AuditEntry &entry);
    // After the last entry: the recorded head, unsigned entries left over, the checkpoint.
    void finish(qint64 headSeq, const QByteArray &headHash);
    const AuditVerification &result() const { return m_result; }

private:
    struct RegisteredKey
    {
        crypto::EcPublicKey key;
        qint64 registeredBy = 0;
    };
    struct Pending
    {
        qint64 seq;
        QString actor;
    };

    bool broken(qint64 seq, QString problem);
    bool checkPlace(const AuditEntry &e);
    bool checkSigned(const AuditEntry &e);
    bool checkUnsigned(const AuditEntry &e);
    // The key that must have signed e: registered earlier, or e's own for the entries that
    // register their author (workspace creation; a key an older workspace's user first gets).
    std::optional<crypto::EcPublicKey> signingKeyFor(const AuditEntry &e);
    void registerKeys(const AuditEntry &e);
    bool checkAgainstCheckpoint();

    const AuditCheckpoint *m_against;
    AuditVerification m_result;
    QHash<QString, RegisteredKey> m_keys;
    QList<Pending> m_pending;
    QByteArray m_previous = QByteArray(32, '\0');
    qint64 m_expectedSeq = 1;
    // An older workspace's entries before its first signed one carry no signatures.
    bool m_legacy = true;
    // Entry 1 was signed: the log registers every key from the start.
    bool m_signedFromCreation = false;
    bool m_checkpointSeen = false;
};

} // namespace simfleet::store
