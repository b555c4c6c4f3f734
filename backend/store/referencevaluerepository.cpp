#include "referencevaluerepository.h"
#include "crypto/certificate.h"
#include "core/clock.h"
#include "sqlhelpers.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace simfleet::store {

namespace {
QString measurementsJson(const QList<std::pair<QString, QByteArray>> &measurements)
{
    QJsonObject o;
    for (const auto &[component, digest] : measurements)
        o.insert(component, QString::fromLatin1(digest.toHex()));
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QList<std::pair<QString, QByteArray>> measurementsFrom(const QString &json)
{
    QList<std::pair<QString, QByteArray>> out;
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.append({ it.key(), QByteArray::fromHex(it.value().toString().toLatin1()) });
    return out;
}
} // namespace

Result<qint64> ReferenceValueRepository::add(const ReferenceValueRecord &v)
{
    if (v.manufacturer.isEmpty() || v.hwmodel.isEmpty() || v.swversion.isEmpty() || v.measurements.isEmpty())
        return fail(QStringLiteral("a reference value needs a manufacturer, a hardware model, a software version and "
                                   "measurements"));
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO reference_value (manufacturer, hwmodel, swname, swversion,"
                                         " measurements, added_at, oemid) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                          { v.manufacturer, v.hwmodel, text(v.swname), v.swversion, measurementsJson(v.measurements),
                            storedTime(v.addedAt), optionalValue(v.oemid) },
                          "adding reference values");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<void> ReferenceValueRepository::retire(const QString &hwmodel, const QString &swversion, const QDateTime &at)
{
    QSqlQuery q(m_db);
    // Several manufacturers may publish the same model name and version; retiring one of them
    // by name alone would retire the others' too.
    if (auto ok = execute(q,
                          QStringLiteral("SELECT count(DISTINCT manufacturer) FROM reference_value WHERE hwmodel = ?"
                                         " AND swversion = ? AND retired_at IS NULL"),
                          { hwmodel, swversion }, "retiring reference values");
        !ok)
        return ok;
    if (q.next() && q.value(0).toLongLong() > 1)
        return fail(QStringLiteral("several manufacturers publish reference values for %1 %2; simfleet cannot tell which "
                                   "to retire")
                        .arg(hwmodel, swversion));
    q.finish();
    if (auto ok = execute(q,
                          QStringLiteral("UPDATE reference_value SET retired_at = ? WHERE hwmodel = ? AND swversion = ?"
                                         " AND retired_at IS NULL"),
                          { storedTime(at), hwmodel, swversion }, "retiring reference values");
        !ok)
        return ok;
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("there are no current reference values for %1 %2").arg(hwmodel, swversion));
    return {};
}

Result<QList<ReferenceValueRecord>> ReferenceValueRepository::list()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT id, manufacturer, hwmodel, swname, swversion, measurements, added_at,"
                                         " retired_at, oemid FROM reference_value ORDER BY hwmodel, swversion, manufacturer"),
                          {}, "listing reference values");
        !ok)
        return ok.error();
    QList<ReferenceValueRecord> out;
    while (q.next()) {
        ReferenceValueRecord r;
        r.id = q.value(0).toLongLong();
        r.manufacturer = q.value(1).toString();
        r.hwmodel = q.value(2).toString();
        r.swname = q.value(3).toString();
        r.swversion = q.value(4).toString();
        r.measurements = measurementsFrom(q.value(5).toString());
        r.addedAt = QDateTime::fromString(q.value(6).toString(), Qt::ISODateWithMs);
        if (!q.value(7).isNull())
            r.retiredAt = QDateTime::fromString(q.value(7).toString(), Qt::ISODateWithMs);
        r.oemid = optionalFrom<qint64>(q.value(8));
        out.append(r);
    }
    return out;
}

Result<qint64> RevocationListRepository::add(const RevocationListRecord &r, const QDateTime &importedAt)
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("INSERT INTO revocation_list (issuer, der, this_update, next_update, imported_at)"
                                         " VALUES (?, ?, ?, ?, ?) RETURNING id"),
                          { r.issuer, r.der, storedTime(r.thisUpdate), storedTime(r.nextUpdate), storedTime(importedAt) },
                          "importing a revocation list");
        !ok)
        return ok.error();
    return insertedId(q);
}

Result<QList<RevocationListRecord>> RevocationListRepository::list()
{
    QSqlQuery q(m_db);
    if (auto ok = execute(q,
                          QStringLiteral("SELECT id, issuer, der, this_update, next_update FROM revocation_list"
                                         " ORDER BY id"),
                          {}, "listing revocation lists");
        !ok)
        return ok.error();
    QList<RevocationListRecord> out;
    while (q.next())
        out.append({ q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toByteArray(),
                     QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs),
                     QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs) });
    return out;
}

Result<QHash<QString, crypto::RevocationList>> RevocationListRepository::newestByIssuer()
{
    auto stored = list();
    if (!stored)
        return stored.error();
    QHash<QString, crypto::RevocationList> out;
    for (const RevocationListRecord &r : stored.value()) {
        auto crl = crypto::RevocationList::fromDer(r.der);
        if (!crl)
            continue;
        const auto known = out.constFind(r.issuer);
        if (known == out.cend() || known->thisUpdate() < crl->thisUpdate())
            out.insert(r.issuer, crl.value());
    }
    return out;
}

Result<std::optional<crypto::RevocationList>> RevocationListRepository::listNaming(const crypto::Certificate &certificate)
{
    auto lists = newestByIssuer();
    if (!lists)
        return lists.error();
    const auto crl = lists->constFind(certificate.issuerText());
    if (crl == lists->cend() || !crl->lists(certificate))
        return std::optional<crypto::RevocationList>();
    return std::optional<crypto::RevocationList>(crl.value());
}

} // namespace simfleet::store
