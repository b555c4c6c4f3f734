#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

class QSqlDatabase;

namespace simfleet::crypto {
class EcPublicKey;
}

namespace simfleet::store {

struct AuditAuthor;
struct AuditCheckpoint;

struct AuditEntry
{
    qint64 seq = 0;
    QDateTime at;
    QString actor;   // who: a user name, or "owner" for the passphrase holder
    QString action;  // what, as a stable verb: "enroll", "workspace.create", ...
    QString subject; // on what: "fleet:Rheinau meters", "device:8904..."
    QString details; // free text or JSON; never a secret
    QByteArray previousHash;
    QByteArray hash;
    QByteArray signature; // the actor's, over the hash; empty when a later one covers it or nobody can vouch
};

struct AuditVerification
{
    bool intact = true;
    qint64 entries = 0;
    qint64 firstBadEntry = 0; // 0 when intact
    QString problem;          // for people; empty when intact
    // Entries written before the workspace's schema signed them (hash-chained only).
    qint64 unsignedLegacyEntries = 0;
    // The newest entry's hash, and each author's public key (uncompressed point) as the log
    // registers them at its head: what a checkpoint keeps.
    QByteArray head;
    QHash<QString, QByteArray> keys;
};

// Whether an entry is signed as it is written, or by the same author's next entry in the same
// transaction (a campaign batch's steps: one signature covers them through the hash chain).
enum class AuditSigning { Now, ByNextEntry };

// The workspace's append-only audit log (README "Security"). Each entry carries SHA-256 over
// the previous entry's hash and its own fields, and its author's ECDSA signature over that hash.
// Authors' keys are registered by the log itself: the owner's in entry 1, a user's by the
// signed entry of the Administrator who added them or set their password. So an entry can be
// changed, removed or reordered only by re-signing every later entry, which takes every later
// author's private key. Cutting entries off the end is found against a checkpoint kept outside
// the file (AuditCheckpoint).
class AuditLog
{
public:
    // Appends inside the caller's transaction (a StoreWriter job), so the entry lands exactly
    // when the change it records does. The entry's actor is the author's name.
    static Result<qint64> append(QSqlDatabase &db, const AuditEntry &entry, const AuditAuthor &author,
                                 AuditSigning signing = AuditSigning::Now);
    // The same with the details as compact JSON.
    static Result<void> record(QSqlDatabase &db, const QDateTime &at, const AuditAuthor &author, const QString &action,
                               const QString &subject, const QJsonObject &details,
                               AuditSigning signing = AuditSigning::Now);
    // Checks the chain, every signature against the keys the log registers, and, given a
    // checkpoint, that the log still holds what the checkpoint recorded.
    static Result<AuditVerification> verify(QSqlDatabase &db, const AuditCheckpoint *against = nullptr);
    static Result<QList<AuditEntry>> list(QSqlDatabase &db, qint64 afterSeq, int limit);
    // Newest first, before entry beforeSeq (0: from the newest), where the user, the action or
    // the subject contains search (empty: all).
    static Result<QList<AuditEntry>> newestFirst(QSqlDatabase &db, const QString &search, qint64 beforeSeq, int limit);

    static QByteArray entryHash(const AuditEntry &entry);
    // The bytes an author signs for an entry.
    static QByteArray signedBytes(const QByteArray &entryHash);
    // How an entry's details name a key it registers ("key": hex of the uncompressed point).
    static QString keyField() { return QStringLiteral("key"); }
    static QString keyText(const crypto::EcPublicKey &key);
};

} // namespace simfleet::store
