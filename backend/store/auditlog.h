#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

class QSqlDatabase;

namespace simfleet::store {

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
};

struct AuditVerification
{
    bool intact = true;
    qint64 entries = 0;
    qint64 firstBadEntry = 0; // 0 when intact
    QString problem;          // for people; empty when intact
};

// The workspace's append-only audit log. Each entry carries SHA-256 over the previous entry's
// hash and its own fields, and the chain's head (last sequence number and hash) is kept beside
// it, so an entry that is changed, removed from the middle or cut from the end is found.
class AuditLog
{
public:
    // Appends inside the caller's transaction (a StoreWriter job), so the entry lands exactly
    // when the change it records does.
    static Result<qint64> append(QSqlDatabase &db, const AuditEntry &entry);
    // The same with the details as compact JSON.
    static Result<void> record(QSqlDatabase &db, const QDateTime &at, const QString &actor, const QString &action,
                               const QString &subject, const QJsonObject &details);
    static Result<AuditVerification> verify(QSqlDatabase &db);
    static Result<QList<AuditEntry>> list(QSqlDatabase &db, qint64 afterSeq, int limit);
    // Newest first, before entry beforeSeq (0: from the newest), where the user, the action or
    // the subject contains search (empty: all).
    static Result<QList<AuditEntry>> newestFirst(QSqlDatabase &db, const QString &search, qint64 beforeSeq, int limit);

    static QByteArray entryHash(const AuditEntry &entry);
};

} // namespace simfleet::store
