#include "attestationrepository.h"
#include "core/clock.h"
#include "sqlhelpers.h"

namespace simfleet::store {

namespace {
const QString resultColumns = QStringLiteral(
    "SELECT id, device_id, nonce, evidence, verdict, reason_code, reason, verified_at FROM attestation_result");

AttestationRecord readResult(const QSqlQuery &q)
{
    return { q.value(0).toLongLong(),
             q.value(1).toLongLong(),
             q.value(2).toByteArray(),
             q.value(3).toByteArray(),
             q.value(4).toString(),
             q.value(5).toString(),
             q.value(6).toString(),
             QDateTime::fromString(q.value(7).toString(), Qt::ISODateWithMs) };
}
} // namespace

Result<void> AttestationRepository::insertNonce(const NonceRecord &n)
{
    auto done = executeWrite(m_db,
                             QStringLiteral("INSERT INTO attestation_nonce (nonce, device_id, issued_at, expires_at)"
                                            " VALUES (?, ?, ?, ?)"),
                             { n.nonce, n.deviceId, storedTime(n.issuedAt), storedTime(n.expiresAt) }, "issuing a nonce");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<std::optional<NonceRecord>> AttestationRepository::findNonce(const QByteArray &nonce)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT nonce, device_id, issued_at, expires_at, used_at FROM attestation_nonce"
                                         " WHERE nonce = ?"),
                          { nonce }, "looking up a nonce");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<NonceRecord>();
    NonceRecord n { q.value(0).toByteArray(), q.value(1).toLongLong(),
                    QDateTime::fromString(q.value(2).toString(), Qt::ISODateWithMs),
                    QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs), std::nullopt };
    if (!q.value(4).isNull())
        n.usedAt = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
    return std::optional<NonceRecord>(n);
}

Result<void> AttestationRepository::markNonceUsed(const QByteArray &nonce, const QDateTime &at)
{
    auto done = executeWrite(m_db, QStringLiteral("UPDATE attestation_nonce SET used_at = ? WHERE nonce = ? AND used_at IS NULL"),
                             { storedTime(at), nonce }, "spending a nonce");
    if (!done)
        return done.error();
    if (done->rowsAffected != 1)
        return fail(QStringLiteral("the nonce was already used"));
    return {};
}

Result<qint64> AttestationRepository::insertResult(const AttestationRecord &r)
{
    auto done = executeWrite(m_db,
                             QStringLiteral("INSERT INTO attestation_result (device_id, nonce, evidence, verdict, reason_code,"
                                            " reason, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                             { r.deviceId, r.nonce, r.evidence.isEmpty() ? QVariant() : QVariant(r.evidence), r.verdict,
                               text(r.reasonCode), text(r.message), storedTime(r.verifiedAt) },
                             "storing a verdict");
    if (!done)
        return done.error();
    return done->lastInsertId;
}

Result<void> AttestationRepository::recordCertificateEnd(qint64 deviceId, const QDateTime &notAfter)
{
    const QString end = storedTime(notAfter);
    auto done = executeWrite(m_db,
                             QStringLiteral("UPDATE device SET certificate_not_after = ? WHERE id = ?"
                                            " AND (certificate_not_after IS NULL OR certificate_not_after <> ?)"),
                             { end, deviceId, end }, "recording the end of a device's certificate");
    return done ? Result<void>() : Result<void>(done.error());
}

Result<QList<AttestationRecord>> AttestationRepository::history(qint64 deviceId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, resultColumns + QStringLiteral(" WHERE device_id = ? ORDER BY verified_at DESC, id DESC"),
                          { deviceId }, "reading attestation history");
        !ok)
        return ok.error();
    QList<AttestationRecord> out;
    while (q.next())
        out.append(readResult(q));
    return out;
}

Result<std::optional<AttestationRecord>> AttestationRepository::latest(qint64 deviceId)
{
    auto all = history(deviceId);
    if (!all)
        return all.error();
    if (all->isEmpty())
        return std::optional<AttestationRecord>();
    return std::optional<AttestationRecord>(all->first());
}

Result<QHash<QByteArray, NonceRecord>> AttestationRepository::findNonces(const QList<QByteArray> &nonces)
{
    QHash<QByteArray, NonceRecord> out;
    constexpr qsizetype chunk = 500; // bound variables per statement, well inside every SQLite's limit
    for (qsizetype start = 0; start < nonces.size(); start += chunk) {
        const QList<QByteArray> part = nonces.mid(start, chunk);
        QStringList marks(part.size(), QStringLiteral("?"));
        QVariantList values;
        for (const QByteArray &n : part)
            values.append(n);
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (auto ok = execute(q,
                              QStringLiteral("SELECT nonce, device_id, issued_at, expires_at, used_at FROM attestation_nonce"
                                             " WHERE nonce IN (%1)")
                                  .arg(marks.join(u',')),
                              values, "looking up nonces");
            !ok)
            return ok.error();
        while (q.next()) {
            NonceRecord n { q.value(0).toByteArray(), q.value(1).toLongLong(),
                            QDateTime::fromString(q.value(2).toString(), Qt::ISODateWithMs),
                            QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs), std::nullopt };
            if (!q.value(4).isNull())
                n.usedAt = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
            out.insert(n.nonce, n);
        }
    }
    return out;
}

Result<QHash<qint64, AttestationRecord>> AttestationRepository::latestResults(const QList<qint64> &deviceIds)
{
    QHash<qint64, AttestationRecord> out;
    if (deviceIds.isEmpty())
        return out;
    // The ids are numbers, written into the statement: a batch's worth at a time.
    QStringList ids;
    ids.reserve(deviceIds.size());
    for (qint64 id : deviceIds)
        ids.append(QString::number(id));
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (auto ok = execute(q,
                          resultColumns
                              + QStringLiteral(" r WHERE r.device_id IN (%1) AND r.id = (SELECT r2.id FROM attestation_result r2"
                                               " WHERE r2.device_id = r.device_id ORDER BY r2.verified_at DESC, r2.id DESC LIMIT 1)")
                                    .arg(ids.join(u',')),
                          QVariantList(), "reading the devices' latest verdicts");
        !ok)
        return ok.error();
    while (q.next()) {
        AttestationRecord r = readResult(q);
        out.insert(r.deviceId, std::move(r));
    }
    return out;
}

} // namespace simfleet::store
