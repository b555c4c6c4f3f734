#include "eimrepository.h"

#include "core/clock.h"
#include "sqlhelpers.h"

#include <QSqlQuery>

namespace simfleet::store {

Result<std::optional<EimIdentityRecord>> EimRepository::identity()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT eim_id, public_key, private_key_sealed, created_at FROM eim_identity WHERE id = 1"),
                          {}, "reading the eIM's identity");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<EimIdentityRecord>();
    return std::optional<EimIdentityRecord>(EimIdentityRecord { q.value(0).toString(), q.value(1).toByteArray(),
                                                                q.value(2).toByteArray(), QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs) });
}

Result<void> EimRepository::insertIdentity(const EimIdentityRecord &record)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("INSERT INTO eim_identity (id, eim_id, public_key, created_at) VALUES (1, ?, ?, ?)"),
                   { record.eimId, record.publicKeyDer, storedTime(record.createdAt) }, "storing the eIM's identity");
}

Result<void> EimRepository::setSealedKey(const QByteArray &sealed)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE eim_identity SET private_key_sealed = ? WHERE id = 1"), { sealed },
                   "storing the eIM's key");
}

Result<void> EimRepository::ensureDevice(const QString &eid)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("INSERT INTO eim_device (eid) VALUES (?) ON CONFLICT (eid) DO NOTHING"), { eid },
                   "recording an eUICC the eIM serves");
}

Result<qint64> EimRepository::takeCounter(const QString &eid)
{
    if (auto ok = ensureDevice(eid); !ok)
        return ok.error();
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("UPDATE eim_device SET counter_value = counter_value + 1 WHERE eid = ? RETURNING counter_value"),
                          { eid }, "taking the eUICC package counter");
        !ok)
        return ok.error();
    if (!q.next())
        return fail(QStringLiteral("taking the eUICC package counter of %1 found no row").arg(eid));
    return q.value(0).toLongLong();
}

Result<std::optional<EimDeviceRecord>> EimRepository::device(const QString &eid)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT counter_value, euicc_certificate, last_seen_at FROM eim_device WHERE eid = ?"),
                          { eid }, "reading what the eIM keeps of an eUICC");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<EimDeviceRecord>();
    EimDeviceRecord record { eid, q.value(0).toLongLong(), q.value(1).toByteArray(), std::nullopt };
    if (!q.value(2).isNull())
        record.lastSeenAt = QDateTime::fromString(q.value(2).toString(), Qt::ISODateWithMs);
    return std::optional<EimDeviceRecord>(std::move(record));
}

Result<void> EimRepository::setEuiccCertificate(const QString &eid, const QByteArray &der)
{
    if (auto ok = ensureDevice(eid); !ok)
        return ok;
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE eim_device SET euicc_certificate = ? WHERE eid = ?"), { der, eid },
                   "storing an eUICC's certificate");
}

Result<void> EimRepository::touch(const QString &eid, const QDateTime &at)
{
    if (auto ok = ensureDevice(eid); !ok)
        return ok;
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE eim_device SET last_seen_at = ? WHERE eid = ?"), { storedTime(at), eid },
                   "recording when an IPA was heard from");
}

namespace {

const char *kindName(EimPackageRecord::Kind kind)
{
    switch (kind) {
    case EimPackageRecord::Kind::EuiccPackage: return "euicc-package";
    case EimPackageRecord::Kind::EuiccData: return "euicc-data";
    case EimPackageRecord::Kind::Download: return "download";
    case EimPackageRecord::Kind::Simfleet: return "simfleet";
    }
    return "";
}

const char *stateName(EimPackageRecord::State state)
{
    switch (state) {
    case EimPackageRecord::State::Queued: return "queued";
    case EimPackageRecord::State::Sent: return "sent";
    case EimPackageRecord::State::Done: return "done";
    case EimPackageRecord::State::Failed: return "failed";
    case EimPackageRecord::State::Cancelled: return "cancelled";
    }
    return "";
}

template<typename E>
E fromName(const QString &name, E last, const char *(*nameOf)(E))
{
    for (int i = 0; i <= int(last); ++i) {
        if (name == QLatin1StringView(nameOf(E(i))))
            return E(i);
    }
    return E(0);
}

std::optional<QDateTime> optionalTime(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

} // namespace

Result<qint64> EimRepository::enqueue(const EimPackageRecord &p)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("INSERT INTO eim_package (eid, kind, transaction_id, counter_value, request, state, queued_at)"
                                            " VALUES (?, ?, ?, ?, ?, 'queued', ?) RETURNING id"),
                          { p.eid, QString::fromLatin1(kindName(p.kind)), p.transactionId, optionalValue(p.counterValue), p.request,
                            storedTime(p.queuedAt) },
                          "queueing an eIM package");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<std::optional<EimPackageRecord>> EimRepository::onePackage(const QString &where, const QVariant &value)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT id, eid, kind, transaction_id, counter_value, request, state, queued_at, sent_at,"
                                            " done_at, result, failure FROM eim_package WHERE ") + where,
                          { value }, "reading the eIM's packages");
        !ok)
        return ok.error();
    if (!q.next())
        return std::optional<EimPackageRecord>();
    EimPackageRecord p;
    p.id = q.value(0).toLongLong();
    p.eid = q.value(1).toString();
    p.kind = fromName(q.value(2).toString(), EimPackageRecord::Kind::Simfleet, kindName);
    p.transactionId = q.value(3).toByteArray();
    if (!q.value(4).isNull())
        p.counterValue = q.value(4).toLongLong();
    p.request = q.value(5).toByteArray();
    p.state = fromName(q.value(6).toString(), EimPackageRecord::State::Cancelled, stateName);
    p.queuedAt = QDateTime::fromString(q.value(7).toString(), Qt::ISODateWithMs);
    p.sentAt = optionalTime(q.value(8));
    p.doneAt = optionalTime(q.value(9));
    p.result = q.value(10).toByteArray();
    p.failure = q.value(11).toString();
    return std::optional<EimPackageRecord>(std::move(p));
}

Result<std::optional<EimPackageRecord>> EimRepository::nextFor(const QString &eid)
{
    return onePackage(QStringLiteral("eid = ? AND state IN ('queued', 'sent') ORDER BY kind <> 'euicc-data', id LIMIT 1"), eid);
}

Result<std::optional<EimPackageRecord>> EimRepository::byTransaction(const QByteArray &transactionId)
{
    return onePackage(QStringLiteral("transaction_id = ?"), transactionId);
}

Result<std::optional<EimPackageRecord>> EimRepository::byId(qint64 id)
{
    return onePackage(QStringLiteral("id = ?"), id);
}

Result<void> EimRepository::markSent(qint64 id, const QDateTime &at)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE eim_package SET state = 'sent', sent_at = ? WHERE id = ? AND state IN ('queued', 'sent')"),
                   { storedTime(at), id }, "recording an eIM package handed out");
}

Result<void> EimRepository::finish(qint64 id, EimPackageRecord::State state, const QByteArray &result, const QString &failure,
                                   const QDateTime &at)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE eim_package SET state = ?, result = ?, failure = ?, done_at = ?"
                                     " WHERE id = ? AND state IN ('queued', 'sent')"),
                   { QString::fromLatin1(stateName(state)), result, text(failure), storedTime(at), id },
                   "recording an eIM package's result");
}

Result<qint64> EimRepository::waitingCount(const QString &eid)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT count(*) FROM eim_package WHERE eid = ? AND state IN ('queued', 'sent')"), { eid },
                          "counting an eUICC's waiting packages");
        !ok)
        return ok.error();
    return q.next() ? q.value(0).toLongLong() : 0;
}

Result<std::optional<EimPackageRecord>> EimRepository::sentEuiccDataFor(const QString &eid)
{
    // state IN (...) as the partial index eim_package_waiting has it, which SQLite uses only when
    // the query names its condition: with state = 'sent' alone every check-in scanned the table
    // (bench_esipa --scale slowed from 200 to 23 first contacts a second by 57 000 devices).
    return onePackage(QStringLiteral("eid = ? AND kind = 'euicc-data' AND state IN ('queued', 'sent') AND state = 'sent' ORDER BY id LIMIT 1"),
                      eid);
}

Result<qint64> EimRepository::cancelWaiting(const QString &reason, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("UPDATE eim_package SET state = 'cancelled', failure = ?, done_at = ?"
                                            " WHERE state IN ('queued', 'sent')"),
                          { reason, storedTime(at) }, "withdrawing the eIM's packages");
        !ok)
        return ok.error();
    return q.numRowsAffected();
}

Result<QList<QByteArray>> EimRepository::withdrawFor(const QString &eid, const QString &reason, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT transaction_id FROM eim_package WHERE eid = ? AND state IN ('queued', 'sent')"),
                          { eid }, "finding a device's packages");
        !ok)
        return ok.error();
    QList<QByteArray> out;
    while (q.next())
        out.append(q.value(0).toByteArray());
    if (out.isEmpty())
        return out;
    if (auto ok = execute(q, QStringLiteral("UPDATE eim_package SET state = 'cancelled', failure = ?, done_at = ?"
                                            " WHERE eid = ? AND state IN ('queued', 'sent')"),
                          { reason, storedTime(at), eid }, "withdrawing a device's packages");
        !ok)
        return ok.error();
    return out;
}

Result<bool> EimRepository::isEnrolled(const QString &eid)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT 1 FROM device WHERE eid = ?"), { eid }, "looking a device up"); !ok)
        return ok.error();
    return q.next();
}

} // namespace simfleet::store
