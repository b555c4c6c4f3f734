#include "auditchainwalk.h"
#include "auditcheckpoint.h"

#include "crypto/constanttime.h"
#include "crypto/ecdsa.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace simfleet::store {

namespace {

const QString owner = QStringLiteral("owner");

QJsonObject detailsOf(const AuditEntry &e)
{
    return QJsonDocument::fromJson(e.details.toUtf8()).object();
}

std::optional<crypto::EcPublicKey> keyIn(const AuditEntry &e)
{
    const QString text = detailsOf(e).value(AuditLog::keyField()).toString();
    if (text.isEmpty())
        return std::nullopt;
    auto key = crypto::EcPublicKey::fromUncompressedPoint(QByteArray::fromHex(text.toLatin1()));
    if (!key)
        return std::nullopt;
    return key.value();
}

// "user:anna" -> "anna"
QString userIn(const AuditEntry &e)
{
    return e.subject.startsWith(u"user:") ? e.subject.sliced(5) : QString();
}

bool registersSubjectsKey(const QString &action)
{
    return action == u"user.add" || action == u"user.role" || action == u"user.password";
}

} // namespace

bool isUnprovenAction(const QString &action)
{
    return action == u"user.login-failed";
}

bool AuditChainWalk::broken(qint64 seq, QString problem)
{
    m_result.intact = false;
    m_result.firstBadEntry = seq;
    m_result.problem = std::move(problem);
    return false;
}

bool AuditChainWalk::step(const AuditEntry &e)
{
    if (!checkPlace(e))
        return false;
    if (!(e.signature.isEmpty() ? checkUnsigned(e) : checkSigned(e)))
        return false;
    m_previous = e.hash;
    ++m_expectedSeq;
    ++m_result.entries;
    if (m_against && e.seq == m_against->entries)
        return checkAgainstCheckpoint();
    return true;
}

bool AuditChainWalk::checkPlace(const AuditEntry &e)
{
    if (e.seq != m_expectedSeq)
        return broken(m_expectedSeq, QStringLiteral("entry %1 was removed").arg(m_expectedSeq));
    if (!crypto::equalConstantTime(e.previousHash, m_previous))
        return broken(e.seq, QStringLiteral("entry %1 does not follow entry %2: an entry before it was changed or removed")
                                 .arg(e.seq)
                                 .arg(e.seq - 1));
    if (!crypto::equalConstantTime(AuditLog::entryHash(e), e.hash))
        return broken(e.seq, QStringLiteral("entry %1 was changed after it was written").arg(e.seq));
    return true;
}

std::optional<crypto::EcPublicKey> AuditChainWalk::signingKeyFor(const AuditEntry &e)
{
    if (e.seq == 1 && e.action == u"workspace.create") {
        if (e.actor != owner) {
            broken(1, QStringLiteral("entry 1 creates the workspace in the name of %1, not its owner").arg(e.actor));
            return std::nullopt;
        }
        m_signedFromCreation = true;
        auto key = keyIn(e);
        if (!key)
            broken(1, QStringLiteral("entry 1 does not name the owner's key"));
        return key;
    }
    // A workspace from before signed entries: each author registers their own first key.
    if (e.action == u"audit.key") {
        if (m_signedFromCreation || m_keys.contains(e.actor)) {
            broken(e.seq, QStringLiteral("entry %1 registers a new key for %2 on their own word, which only a workspace "
                                         "from before signed entries allows, and only once")
                              .arg(e.seq)
                              .arg(e.actor));
            return std::nullopt;
        }
        auto key = keyIn(e);
        if (!key)
            broken(e.seq, QStringLiteral("entry %1 registers no readable key").arg(e.seq));
        return key;
    }
    const auto registered = m_keys.constFind(e.actor);
    if (registered == m_keys.constEnd()) {
        broken(e.seq, QStringLiteral("entry %1 is signed in the name of %2, who had no key then (never added, or "
                                     "removed before it)")
                          .arg(e.seq)
                          .arg(e.actor));
        return std::nullopt;
    }
    return registered->key;
}

bool AuditChainWalk::checkSigned(const AuditEntry &e)
{
    const auto key = signingKeyFor(e);
    if (!key)
        return false;
    if (!crypto::ecdsaVerify(*key, AuditLog::signedBytes(e.hash), e.signature, crypto::SignatureFormat::Raw))
        return broken(e.seq, QStringLiteral("entry %1 was changed after %2 signed it, or %2 did not sign it").arg(e.seq).arg(e.actor));
    // The signature covers, through the chain, the unsigned entries before it: only its own
    // author's may rely on it.
    for (const Pending &p : std::as_const(m_pending)) {
        if (p.actor != e.actor)
            return broken(p.seq, QStringLiteral("entry %1, by %2, carries no signature of %2: it may have been changed or "
                                                "written by someone else")
                                     .arg(p.seq)
                                     .arg(p.actor));
    }
    m_pending.clear();
    m_legacy = false;
    registerKeys(e);
    return true;
}

bool AuditChainWalk::checkUnsigned(const AuditEntry &e)
{
    if (isUnprovenAction(e.action))
        return true;
    if (m_legacy && !m_signedFromCreation) {
        ++m_result.unsignedLegacyEntries;
        return true;
    }
    m_pending.append({ e.seq, e.actor });
    return true;
}

void AuditChainWalk::registerKeys(const AuditEntry &e)
{
    const auto add = [&](const QString &name) {
        if (auto key = keyIn(e))
            m_keys.insert(name, { *key, e.seq });
    };
    if (e.seq == 1 && e.action == u"workspace.create")
        add(owner);
    else if (e.action == u"audit.key")
        add(e.actor);
    else if (registersSubjectsKey(e.action) && !userIn(e).isEmpty())
        add(userIn(e));
    else if (e.action == u"user.remove")
        m_keys.remove(userIn(e));
}

bool AuditChainWalk::checkAgainstCheckpoint()
{
    m_checkpointSeen = true;
    if (crypto::equalConstantTime(m_previous, m_against->head))
        return true;
    // The entries up to the checkpoint differ. Where the log's keys differ from the kept ones, the
    // entry that registered a key the checkpoint does not know is the first forged one.
    qint64 first = m_against->entries;
    for (auto kept = m_against->keys.cbegin(); kept != m_against->keys.cend(); ++kept) {
        const auto now = m_keys.constFind(kept.key());
        if (now == m_keys.constEnd())
            first = 1;
        else if (now->key.uncompressedPoint() != kept.value())
            first = std::min(first, now->registeredBy);
    }
    return broken(first, QStringLiteral("entry %1 is not what the checkpoint taken %2 by %3 holds: the log was rewritten "
                                        "at or before that entry")
                             .arg(first)
                             .arg(m_against->at.toString(Qt::ISODate), m_against->signer));
}

void AuditChainWalk::finish(qint64 headSeq, const QByteArray &headHash)
{
    if (!m_result.intact)
        return;
    if (!m_pending.isEmpty()) {
        const Pending &p = m_pending.first();
        broken(p.seq, QStringLiteral("entry %1, by %2, carries no signature of %2: it may have been changed or written by "
                                     "someone else")
                          .arg(p.seq)
                          .arg(p.actor));
        return;
    }
    const qint64 entries = m_result.entries;
    if (entries == 0) {
        broken(1, QStringLiteral("the audit log is empty: every entry was removed, entry 1 (the workspace's creation) too"));
        return;
    }
    if (headSeq > entries) {
        broken(entries + 1, QStringLiteral("entries %1 to %2 were removed from the end of the log").arg(entries + 1).arg(headSeq));
        return;
    }
    if (headSeq != entries || !crypto::equalConstantTime(headHash, m_previous)) {
        broken(entries, QStringLiteral("entry %1 does not match the log's recorded head").arg(entries));
        return;
    }
    if (m_against && !m_checkpointSeen) {
        broken(entries + 1, QStringLiteral("entries %1 to %2 were removed: the checkpoint taken %3 by %4 holds %2 entries")
                                .arg(entries + 1)
                                .arg(m_against->entries)
                                .arg(m_against->at.toString(Qt::ISODate), m_against->signer));
        return;
    }
    m_result.head = m_previous;
    for (auto k = m_keys.cbegin(); k != m_keys.cend(); ++k)
        m_result.keys.insert(k.key(), k->key.uncompressedPoint());
}

} // namespace simfleet::store
