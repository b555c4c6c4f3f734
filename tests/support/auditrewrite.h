#pragma once

// What an attacker who can write the workspace file does to the audit log: drops the append-only
// triggers, edits the entries, renumbers and re-hashes the whole chain, re-signs the entries of
// the authors whose keys they hold (their own), and rewrites the head record.

#include "core/clock.h"
#include "crypto/ecdsa.h"
#include "store/auditlog.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <functional>

namespace simfleet::testing {

inline bool rewriteAuditLog(QSqlDatabase db, const std::function<void(QList<store::AuditEntry> &)> &edit,
                            const QHash<QString, crypto::EcPrivateKey> &keysHeld = {})
{
    QSqlQuery q(db);
    q.exec(QStringLiteral("DROP TRIGGER IF EXISTS audit_entry_no_update"));
    q.exec(QStringLiteral("DROP TRIGGER IF EXISTS audit_entry_no_delete"));
    auto entries = store::AuditLog::list(db, 0, 1 << 30);
    if (!entries)
        return false;
    QList<store::AuditEntry> log = entries.value();
    edit(log);
    QByteArray previous(32, '\0');
    for (qsizetype i = 0; i < log.size(); ++i) {
        store::AuditEntry &e = log[i];
        e.seq = i + 1;
        e.previousHash = previous;
        e.hash = store::AuditLog::entryHash(e);
        if (keysHeld.contains(e.actor) && !e.signature.isEmpty())
            e.signature = crypto::ecdsaSign(keysHeld.value(e.actor), store::AuditLog::signedBytes(e.hash),
                                            crypto::SignatureFormat::Raw)
                              .value();
        previous = e.hash;
    }
    if (!q.exec(QStringLiteral("DELETE FROM audit_entry")))
        return false;
    for (const store::AuditEntry &e : std::as_const(log)) {
        q.prepare(QStringLiteral("INSERT INTO audit_entry (seq, at, actor, action, subject, details, previous_hash, hash,"
                                 " signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        q.addBindValue(e.seq);
        q.addBindValue(storedTime(e.at));
        q.addBindValue(e.actor);
        q.addBindValue(e.action);
        q.addBindValue(e.subject);
        q.addBindValue(e.details);
        q.addBindValue(e.previousHash);
        q.addBindValue(e.hash);
        q.addBindValue(e.signature.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(e.signature));
        if (!q.exec()) {
            qWarning() << q.lastError().text();
            return false;
        }
    }
    q.prepare(QStringLiteral("UPDATE workspace_setting SET value = ? WHERE key = 'audit_head'"));
    q.addBindValue(QStringLiteral("%1:%2").arg(log.size()).arg(QString::fromLatin1(previous.toHex())));
    if (log.isEmpty())
        q.prepare(QStringLiteral("DELETE FROM workspace_setting WHERE key = 'audit_head'"));
    return q.exec();
}

} // namespace simfleet::testing
