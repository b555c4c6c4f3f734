#include "auditlog.h"
#include "storewriter.h"

#include <QJsonDocument>

#include "auditauthor.h"
#include "auditchainwalk.h"
#include "core/clock.h"
#include "crypto/ecdsa.h"
#include "crypto/sha256.h"
#include "dialect.h"
#include "sqlhelpers.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <QtEndian>

namespace simfleet::store {

namespace {

const QString headKey = QStringLiteral("audit_head");

void addField(crypto::Sha256 &h, const QString &field)
{
    const QByteArray utf8 = field.toUtf8();
    const quint32 len = qToBigEndian(quint32(utf8.size()));
    h.add(QByteArrayView(reinterpret_cast<const char *>(&len), sizeof len)).add(utf8);
}

struct Head
{
    qint64 seq = 0;
    QByteArray hash = QByteArray(32, '\0');
};

// PostgreSQL advisory lock keys (one 64-bit space per database): simfleet's application id in the
// upper half, the purpose in the lower.
constexpr qint64 auditLogLockKey = (qint64(0x53464C54) << 32) | 1;

Result<Head> readHead(QSqlDatabase &db)
{
    QSqlQuery own(db);
    QSqlQuery &q = preparedStatement(db, QStringLiteral("SELECT value FROM workspace_setting WHERE key = ?"), own);
    q.addBindValue(headKey);
    if (!q.exec())
        return fail(q.lastError().text());
    Head head;
    if (q.next()) {
        const QStringList parts = q.value(0).toString().split(u':');
        q.finish();
        if (parts.size() != 2)
            return fail(QStringLiteral("the audit log's head record is damaged"));
        head.seq = parts.at(0).toLongLong();
        head.hash = QByteArray::fromHex(parts.at(1).toLatin1());
    }
    q.finish();
    return head;
}

// An upsert, so that the record is changed in place: REPLACE deletes and inserts the row, which
// also rewrites its key's index page.
Result<void> writeHead(QSqlDatabase &db, qint64 seq, const QByteArray &hash)
{
    QSqlQuery own(db);
    QSqlQuery &h = preparedStatement(db,
                                     QStringLiteral("INSERT INTO workspace_setting (key, value) VALUES (?, ?)"
                                                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                                     own);
    h.addBindValue(headKey);
    h.addBindValue(QString(QString::number(seq) + u':' + QString::fromLatin1(hash.toHex())));
    if (!h.exec())
        return fail(QStringLiteral("writing the audit log failed: %1").arg(h.lastError().text()));
    return {};
}

AuditEntry readEntry(const QSqlQuery &q)
{
    AuditEntry e;
    e.seq = q.value(0).toLongLong();
    e.at = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
    e.actor = q.value(2).toString();
    e.action = q.value(3).toString();
    e.subject = q.value(4).toString();
    e.details = q.value(5).toString();
    e.previousHash = q.value(6).toByteArray();
    e.hash = q.value(7).toByteArray();
    e.signature = q.value(8).toByteArray();
    return e;
}

const QString selectEntries = QStringLiteral(
    "SELECT seq, at, actor, action, subject, details, previous_hash, hash, signature FROM audit_entry");

} // namespace

QByteArray AuditLog::entryHash(const AuditEntry &entry)
{
    crypto::Sha256 h;
    h.add(entry.previousHash);
    addField(h, QString::number(entry.seq));
    addField(h, storedTime(entry.at));
    addField(h, entry.actor);
    addField(h, entry.action);
    addField(h, entry.subject);
    addField(h, entry.details);
    return h.finish();
}

QByteArray AuditLog::signedBytes(const QByteArray &entryHash)
{
    return QByteArrayLiteral("simfleet audit entry v1:") + entryHash;
}

QString AuditLog::keyText(const crypto::EcPublicKey &key)
{
    return QString::fromLatin1(key.uncompressedPoint().toHex());
}

Result<qint64> AuditLog::append(QSqlDatabase &db, const AuditEntry &entry, const AuditAuthor &author, AuditSigning signing)
{
    if (!author.canSign() && !isUnprovenAction(entry.action))
        return fail(QStringLiteral("%1 has no signing key, so the audit log cannot record \"%2\"; log in again")
                        .arg(author.name, entry.action));
    // On a shared workspace several desktops append at once: each takes the log's lock before it
    // reads the head, and holds it until its transaction ends, so the chain stays one line.
    if (dialectOf(db) == Dialect::Postgres) {
        QSqlQuery own(db);
        QSqlQuery &lock = preparedStatement(db, QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(auditLogLockKey), own);
        if (!lock.exec())
            return fail(QStringLiteral("waiting for the audit log failed: %1").arg(lock.lastError().text()));
        lock.finish();
    }
    auto head = readHead(db);
    if (!head)
        return head.error();
    AuditEntry e = entry;
    e.actor = author.name;
    e.seq = head->seq + 1;
    e.previousHash = head->hash;
    e.hash = entryHash(e);
    e.signature.clear();
    if (author.canSign() && signing == AuditSigning::Now) {
        auto signature = crypto::ecdsaSign(author.key, signedBytes(e.hash), crypto::SignatureFormat::Raw);
        if (!signature)
            return fail(QStringLiteral("signing the audit entry failed: %1").arg(signature.errorMessage()));
        e.signature = signature.value();
    }

    QSqlQuery own(db);
    QSqlQuery &q = preparedStatement(db, QStringLiteral("INSERT INTO audit_entry (seq, at, actor, action, subject, details,"
                                                        " previous_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                                     own);
    q.addBindValue(e.seq);
    q.addBindValue(storedTime(e.at));
    q.addBindValue(text(e.actor));
    q.addBindValue(text(e.action));
    q.addBindValue(text(e.subject));
    q.addBindValue(text(e.details));
    q.addBindValue(e.previousHash);
    q.addBindValue(e.hash);
    q.addBindValue(e.signature.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(e.signature));
    if (!q.exec())
        return fail(QStringLiteral("writing the audit log failed: %1").arg(q.lastError().text()));
    if (auto ok = writeHead(db, e.seq, e.hash); !ok)
        return ok.error();
    return e.seq;
}

Result<void> AuditLog::record(QSqlDatabase &db, const QDateTime &at, const AuditAuthor &author, const QString &action,
                              const QString &subject, const QJsonObject &details, AuditSigning signing)
{
    AuditEntry entry;
    entry.at = at;
    entry.action = action;
    entry.subject = subject;
    entry.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    auto seq = append(db, entry, author, signing);
    return seq ? Result<void>() : Result<void>(seq.error());
}

Result<AuditVerification> AuditLog::verify(QSqlDatabase &db, const AuditCheckpoint *against)
{
    auto head = readHead(db);
    if (!head)
        return head.error();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(selectEntries + QStringLiteral(" ORDER BY seq")))
        return fail(q.lastError().text());

    AuditChainWalk walk(against);
    while (q.next()) {
        if (!walk.step(readEntry(q)))
            return walk.result();
    }
    q.finish();
    walk.finish(head->seq, head->hash);
    return walk.result();
}

Result<QList<AuditEntry>> AuditLog::list(QSqlDatabase &db, qint64 afterSeq, int limit)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(selectEntries + QStringLiteral(" WHERE seq > ? ORDER BY seq LIMIT ?"));
    q.addBindValue(afterSeq);
    q.addBindValue(limit);
    if (!q.exec())
        return fail(q.lastError().text());
    QList<AuditEntry> entries;
    while (q.next())
        entries.append(readEntry(q));
    return entries;
}

Result<QList<AuditEntry>> AuditLog::newestFirst(QSqlDatabase &db, const QString &search, qint64 beforeSeq, int limit)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    const QString term = search.trimmed();
    QString sql = selectEntries + QStringLiteral(" WHERE (? = 0 OR seq < ?)");
    if (!term.isEmpty())
        sql += QStringLiteral(" AND (actor %1 ? ESCAPE '\\' OR action %1 ? ESCAPE '\\' OR subject %1 ? ESCAPE '\\')")
                   .arg(caseInsensitiveLike(dialectOf(db)));
    sql += QStringLiteral(" ORDER BY seq DESC LIMIT ?");
    if (!q.prepare(sql))
        return fail(q.lastError().text());
    q.addBindValue(beforeSeq);
    q.addBindValue(beforeSeq);
    if (!term.isEmpty()) {
        QString escaped = term;
        escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('%'), QStringLiteral("\\%")).replace(QLatin1Char('_'), QStringLiteral("\\_"));
        const QString like = QLatin1Char('%') + escaped + QLatin1Char('%');
        q.addBindValue(like);
        q.addBindValue(like);
        q.addBindValue(like);
    }
    q.addBindValue(limit);
    if (!q.exec())
        return fail(q.lastError().text());
    QList<AuditEntry> entries;
    while (q.next())
        entries.append(readEntry(q));
    return entries;
}

} // namespace simfleet::store
