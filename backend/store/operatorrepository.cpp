#include "operatorrepository.h"
#include "core/clock.h"
#include "identity/checkdigits.h"
#include "sqlhelpers.h"

namespace simfleet::store {

namespace {
const QString columns = QStringLiteral(
    "SELECT id, name, country, mcc, mnc, msin_first, msin_last, msin_next, iccid_prefix, iccid_first,"
    " iccid_last, iccid_next, iccid_digits, attestation_max_age_s, fallback_allowed, disable_allowed, spn, retired_at,"
    " profile_server_address, profile_template_sealed IS NOT NULL FROM operator");

OperatorRecord read(const QSqlQuery &q)
{
    OperatorRecord o;
    o.id = q.value(0).toLongLong();
    o.name = q.value(1).toString();
    o.country = q.value(2).toString();
    o.mcc = q.value(3).toString();
    o.mnc = q.value(4).toString();
    o.msinFirst = q.value(5).toLongLong();
    o.msinLast = q.value(6).toLongLong();
    o.msinNext = q.value(7).toLongLong();
    o.iccidPrefix = q.value(8).toString();
    o.iccidFirst = q.value(9).toLongLong();
    o.iccidLast = q.value(10).toLongLong();
    o.iccidNext = q.value(11).toLongLong();
    o.iccidDigits = q.value(12).toInt();
    o.attestationMaxAgeSeconds = q.value(13).toInt();
    o.fallbackAllowed = q.value(14).toBool();
    o.disableAllowed = q.value(15).toBool();
    o.spn = q.value(16).toString();
    if (!q.value(17).isNull())
        o.retiredAt = QDateTime::fromString(q.value(17).toString(), Qt::ISODateWithMs);
    o.profileServerAddress = q.value(18).toString();
    o.hasProfileTemplate = q.value(19).toBool();
    return o;
}

qint64 maxForDigits(qsizetype digits)
{
    qint64 max = 1;
    for (qsizetype i = 0; i < digits; ++i)
        max *= 10;
    return max - 1;
}
} // namespace

Result<void> checkNumbering(const OperatorRecord &op)
{
    using identity::isAllDigits;
    if (op.name.trimmed().isEmpty())
        return fail(QStringLiteral("an operator needs a name"));
    if (op.mcc.size() != 3 || !isAllDigits(op.mcc))
        return fail(QStringLiteral("MCC must be 3 digits, got \"%1\"").arg(op.mcc));
    if ((op.mnc.size() != 2 && op.mnc.size() != 3) || !isAllDigits(op.mnc))
        return fail(QStringLiteral("MNC must be 2 or 3 digits, got \"%1\"").arg(op.mnc));
    const qsizetype msinDigits = 15 - 3 - op.mnc.size();
    if (op.msinFirst < 0 || op.msinLast < op.msinFirst || op.msinLast > maxForDigits(msinDigits))
        return fail(QStringLiteral("the MSIN range must be ascending and fit in %1 digits").arg(msinDigits));
    if (op.iccidDigits < 18 || op.iccidDigits > 20)
        return fail(QStringLiteral("ICCIDs must have 18 to 20 digits, not %1").arg(op.iccidDigits));
    if (!op.iccidPrefix.startsWith(u"89") || !isAllDigits(op.iccidPrefix))
        return fail(QStringLiteral("the ICCID prefix must be digits starting with 89, got \"%1\"").arg(op.iccidPrefix));
    const qsizetype serialDigits = op.iccidDigits - 1 - op.iccidPrefix.size();
    if (serialDigits < 1)
        return fail(QStringLiteral("the ICCID prefix leaves no room for serial numbers"));
    if (op.iccidFirst < 0 || op.iccidLast < op.iccidFirst || op.iccidLast > maxForDigits(serialDigits))
        return fail(QStringLiteral("the ICCID serial range must be ascending and fit in %1 digits").arg(serialDigits));
    return {};
}

Result<qint64> OperatorRepository::insert(const OperatorRecord &op, const QDateTime &at)
{
    if (auto ok = checkNumbering(op); !ok)
        return ok.error();
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO operator (name, country, mcc, mnc, msin_first, msin_last,"
                                         " msin_next, iccid_prefix, iccid_first, iccid_last, iccid_next, iccid_digits,"
                                         " attestation_max_age_s, fallback_allowed, disable_allowed, created_at, spn)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                          { op.name, op.country, op.mcc, op.mnc, op.msinFirst, op.msinLast, op.msinFirst,
                            op.iccidPrefix, op.iccidFirst, op.iccidLast, op.iccidFirst, op.iccidDigits,
                            op.attestationMaxAgeSeconds, int(op.fallbackAllowed), int(op.disableAllowed), storedTime(at), op.spn.isNull() ? QStringLiteral("") : op.spn },
                          "adding an operator");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<std::optional<OperatorRecord>> OperatorRepository::find(qint64 operatorId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" WHERE id = ?"), { operatorId }, "reading an operator"); !ok)
        return ok.error();
    if (!q.next())
        return std::optional<OperatorRecord>();
    return std::optional<OperatorRecord>(read(q));
}

Result<void> OperatorRepository::setSealedOp(qint64 operatorId, const QByteArray &sealed)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE operator SET op_sealed = ? WHERE id = ?"), { sealed, operatorId },
                   "storing the operator's OP");
}

Result<QByteArray> OperatorRepository::sealedOp(qint64 operatorId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT op_sealed FROM operator WHERE id = ?"), { operatorId },
                          "reading the operator's OP");
        !ok)
        return ok.error();
    if (!q.next() || q.value(0).isNull())
        return fail(QStringLiteral("this operator has no OP configured"));
    return q.value(0).toByteArray();
}

Result<void> OperatorRepository::setSealedProfileTemplate(qint64 operatorId, const QByteArray &sealed)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE operator SET profile_template_sealed = ? WHERE id = ?"),
                   { sealed.isEmpty() ? QVariant() : QVariant(sealed), operatorId }, "storing the operator's profile template");
}

Result<QByteArray> OperatorRepository::sealedProfileTemplate(qint64 operatorId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT profile_template_sealed FROM operator WHERE id = ?"), { operatorId },
                          "reading the operator's profile template");
        !ok)
        return ok.error();
    return q.next() ? q.value(0).toByteArray() : QByteArray();
}

Result<QByteArray> OperatorRepository::profileServerRoot(qint64 operatorId)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("SELECT profile_server_root FROM operator WHERE id = ?"), { operatorId },
                          "reading the operator's profile server root");
        !ok)
        return ok.error();
    return q.next() ? q.value(0).toByteArray() : QByteArray();
}

Result<std::optional<OperatorRecord>> OperatorRepository::findByName(const QString &name)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" WHERE name = ?"), { name }, "looking up an operator"); !ok)
        return ok.error();
    if (!q.next())
        return std::optional<OperatorRecord>();
    return std::optional<OperatorRecord>(read(q));
}

Result<QList<OperatorRecord>> OperatorRepository::list()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, columns + QStringLiteral(" ORDER BY name"), {}, "listing operators"); !ok)
        return ok.error();
    QList<OperatorRecord> out;
    while (q.next())
        out.append(read(q));
    return out;
}

Result<QList<OperatorRecord>> OperatorRepository::listVisible(const Scope &scope)
{
    auto all = list();
    if (!all || !scope.isRestricted())
        return all;
    QList<OperatorRecord> mine;
    for (const OperatorRecord &op : all.value()) {
        if (op.id == *scope.operatorId())
            mine.append(op);
    }
    return mine;
}

} // namespace simfleet::store
