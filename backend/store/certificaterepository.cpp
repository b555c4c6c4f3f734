#include "certificaterepository.h"
#include "core/clock.h"
#include "sqlhelpers.h"

#include <QStringList>

namespace simfleet::store {

namespace {
QString roleName(CertificateRoleName role)
{
    switch (role) {
    case CertificateRoleName::CertificateIssuer:
        return QStringLiteral("certificate-issuer");
    case CertificateRoleName::Manufacturer:
        return QStringLiteral("manufacturer");
    case CertificateRoleName::ProfileServer:
        return QStringLiteral("profile-server");
    }
    return {};
}

CertificateRoleName roleFrom(const QString &name)
{
    if (name == u"manufacturer")
        return CertificateRoleName::Manufacturer;
    if (name == u"profile-server")
        return CertificateRoleName::ProfileServer;
    return CertificateRoleName::CertificateIssuer;
}
} // namespace

Result<qint64> CertificateRepository::insert(const CertificateRecord &r)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO certificate (role, name, der, private_key_sealed, operator_id,"
                                         " eid_prefix, not_after) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                          { roleName(r.role), r.name, r.der,
                            r.privateKeySealed.isEmpty() ? QVariant() : QVariant(r.privateKeySealed),
                            optionalValue(r.operatorId), r.eidPrefix.isEmpty() ? QVariant() : QVariant(r.eidPrefix),
                            storedTime(r.notAfter) },
                          "storing a certificate");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<void> CertificateRepository::setPrivateKeySealed(qint64 id, const QByteArray &sealed)
{
    QSqlQuery q(m_db);
    return execute(q, QStringLiteral("UPDATE certificate SET private_key_sealed = ? WHERE id = ?"), { sealed, id },
                   "storing a private key");
}

Result<bool> CertificateRepository::retire(qint64 id, const QDateTime &at)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q, QStringLiteral("UPDATE certificate SET retired_at = ? WHERE id = ? AND retired_at IS NULL"),
                          { storedTime(at), id }, "retiring a certificate");
        !ok)
        return ok.error();
    return q.numRowsAffected() == 1;
}

Result<QList<CertificateRecord>> CertificateRepository::list(std::optional<CertificateRoleName> role, bool withRetired)
{
    QSqlQuery q(m_db);
    QStringList conditions;
    if (role)
        conditions.append(QStringLiteral("role = ?"));
    if (!withRetired)
        conditions.append(QStringLiteral("retired_at IS NULL"));
    const QString sql = QStringLiteral("SELECT id, role, name, der, private_key_sealed, operator_id, eid_prefix,"
                                       " not_after, retired_at FROM certificate")
        + (conditions.isEmpty() ? QString() : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND ")))
        + QStringLiteral(" ORDER BY id");
    if (auto ok = role ? execute(q, sql, { roleName(*role) }, "listing certificates")
                       : execute(q, sql, {}, "listing certificates");
        !ok)
        return ok.error();
    QList<CertificateRecord> out;
    while (q.next()) {
        CertificateRecord r;
        r.id = q.value(0).toLongLong();
        r.role = roleFrom(q.value(1).toString());
        r.name = q.value(2).toString();
        r.der = q.value(3).toByteArray();
        r.privateKeySealed = q.value(4).toByteArray();
        r.operatorId = optionalFrom<qint64>(q.value(5));
        r.eidPrefix = q.value(6).toString();
        r.notAfter = QDateTime::fromString(q.value(7).toString(), Qt::ISODateWithMs);
        if (!q.value(8).isNull())
            r.retiredAt = QDateTime::fromString(q.value(8).toString(), Qt::ISODateWithMs);
        out.append(r);
    }
    return out;
}

} // namespace simfleet::store
