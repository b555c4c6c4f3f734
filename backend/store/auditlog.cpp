#include "auditlog.h"
#include "storewriter.h"

#include <QJsonDocument>

#include "core/clock.h"
#include "crypto/constanttime.h"
#include "crypto/sha256.h"
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
    return e;
}

const QString selectEntries = QStringLiteral(
    "SELECT seq, at, actor, action, subject, details, previous_hash, hash FROM audit_entry");

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

Result<qint64> AuditLog::append(QSqlDatabase &db, const AuditEntry &entry)
{
    auto head = readHead(db);
    if (!head)
        return head.error();
    AuditEntry e = entry;
    e.seq = head->seq + 1;
    e.previousHash = head->hash;
    e.hash = entryHash(e);

    QSqlQuery own(db);
    QSqlQuery &q = preparedStatement(db, QStringLiteral("INSERT INTO audit_entry (seq, at, actor, action, subject, details,"
                                                        " previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                                     own);
    q.addBindValue(e.seq);
    q.addBindValue(storedTime(e.at));
    q.addBindValue(text(e.actor));
    q.addBindValue(text(e.action));
    q.addBindValue(text(e.subject));
    q.addBindValue(text(e.details));
    q.addBindValue(e.previousHash);
    q.addBindValue(e.hash);
    if (!q.exec())
        return fail(QStringLiteral("writing the audit log failed: %1").arg(q.lastError().text()));
    if (auto ok = writeHead(db, e.seq, e.hash); !ok)
        return ok.error();
    return e.seq;
}

Result<void> AuditLog::record(QSqlDatabase &db, const QDateTime &at, const QString &actor, const QString &action,
                              const QString &subject, const QJsonObject &details)
{
    AuditEntry entry;
    entry.at = at;
    entry.actor = actor;
    entry.action = action;
    entry.subject = subject;
    entry.details = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
    auto seq = append(db, entry);
    return seq ? Result<void>() : Result<void>(seq.error());
}

Result<AuditVerification> AuditLog::verify(QSqlDatabase &db)
{
    auto head = readHead(db);
    if (!head)
        return head.error();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(selectEntries + QStringLiteral(" ORDER BY seq")))
        return fail(q.lastError().text());

    AuditVerification v;
    const auto broken = [&v](qint64 seq, QString problem) {
        v.intact = false;
        v.firstBadEntry = seq;
        v.problem = std::move(problem);
        return v;
    };
    qint64 expectedSeq = 1;
    QByteArray previous(32, '\0');
    while (q.next()) {
        const AuditEntry e = readEntry(q);
        if (e.seq != expectedSeq)
            return broken(expectedSeq, QStringLiteral("entry %1 was removed").arg(expectedSeq));
        if (!crypto::equalConstantTime(e.previousHash, previous))
            return broken(e.seq, QStringLiteral("entry %1 does not follow entry %2: an entry before it was changed "
                                                "or removed")
                                     .arg(e.seq)
                                     .arg(e.seq - 1));
        if (!crypto::equalConstantTime(entryHash(e), e.hash))
            return broken(e.seq, QStringLiteral("entry %1 was changed after it was written").arg(e.seq));
        previous = e.hash;
        ++expectedSeq;
        ++v.entries;
    }
    if (head->seq > v.entries)
        return broken(v.entries + 1, QStringLiteral("entries %1 to %2 were removed from the end of the log")
                                         .arg(v.entries + 1)
                                         .arg(head->seq));
    if (head->seq != v.entries || !crypto::equalConstantTime(head->hash, previous))
        return broken(v.entries, QStringLiteral("entry %1 does not match the log's recorded head").arg(v.entries));
    return v;
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
        sql += QStringLiteral(" AND (actor LIKE ? ESCAPE '\\' OR action LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\')");
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
