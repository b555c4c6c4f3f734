#include "activationcodebook.h"

#include "core/clock.h"
#include "store/profilerepository.h"
#include "store/secretvault.h"

#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::profiles {

namespace {

Result<QString> openMatchingId(const store::SecretVault &vault, qint64 codeId, const QVariant &sealed)
{
    auto opened = vault.open({ "activation_code", codeId, "matching_id_sealed" }, sealed.toByteArray());
    if (!opened)
        return fail(QStringLiteral("activation code %1 does not open: %2").arg(codeId).arg(opened.errorMessage()));
    return QString::fromUtf8(opened->view());
}

Error storeFailed(const QSqlQuery &q)
{
    return Error { QStringLiteral("reading activation codes failed: %1").arg(q.lastError().text()) };
}

} // namespace

Result<QList<std::optional<ClaimedCode>>> ActivationCodeBook::claim(QSqlDatabase &db, const store::SecretVault &vault,
                                                                    qint64 operatorId,
                                                                    const QList<std::pair<qint64, QString>> &devices,
                                                                    const QDateTime &now)
{
    QSqlQuery kept(db), forEid(db), pooled(db), take(db);
    kept.prepare(QStringLiteral("SELECT ac.id, ac.iccid, ac.smdp_address, ac.matching_id_sealed, p.id FROM activation_code ac"
                                " JOIN profile p ON p.id = ac.profile_id"
                                " WHERE ac.operator_id = ? AND p.device_id = ? AND p.state = 'allocated' LIMIT 1"));
    forEid.prepare(QStringLiteral("SELECT id, iccid, smdp_address, matching_id_sealed FROM activation_code"
                                  " WHERE operator_id = ? AND eid = ? AND profile_id IS NULL LIMIT 1"));
    pooled.prepare(QStringLiteral("SELECT id, iccid, smdp_address, matching_id_sealed FROM activation_code"
                                  " WHERE operator_id = ? AND eid IS NULL AND profile_id IS NULL ORDER BY id LIMIT 1"));
    take.prepare(QStringLiteral("UPDATE activation_code SET profile_id = ? WHERE id = ?"));
    store::ProfileRepository profiles(db);

    QList<std::optional<ClaimedCode>> out;
    for (const auto &[deviceId, eid] : devices) {
        kept.addBindValue(operatorId);
        kept.addBindValue(deviceId);
        if (!kept.exec())
            return storeFailed(kept);
        if (kept.next()) {
            auto matching = openMatchingId(vault, kept.value(0).toLongLong(), kept.value(3));
            if (!matching)
                return matching.error();
            out.append(ClaimedCode { kept.value(4).toLongLong(), kept.value(1).toString(), kept.value(2).toString(),
                                     matching.value() });
            continue;
        }
        QSqlQuery *found = nullptr;
        forEid.addBindValue(operatorId);
        forEid.addBindValue(eid);
        if (!forEid.exec())
            return storeFailed(forEid);
        if (forEid.next()) {
            found = &forEid;
        } else {
            pooled.addBindValue(operatorId);
            if (!pooled.exec())
                return storeFailed(pooled);
            if (pooled.next())
                found = &pooled;
        }
        if (!found) {
            out.append(std::nullopt);
            continue;
        }
        const qint64 codeId = found->value(0).toLongLong();
        ClaimedCode claimed { 0, found->value(1).toString(), found->value(2).toString(), {} };
        auto matching = openMatchingId(vault, codeId, found->value(3));
        if (!matching)
            return matching.error();
        claimed.matchingId = matching.value();
        found->finish();
        auto profileId = profiles.insert({ 0, deviceId, operatorId, claimed.iccid, {}, QStringLiteral("allocated") }, now);
        if (!profileId)
            return profileId.error();
        claimed.profileId = profileId.value();
        take.addBindValue(claimed.profileId);
        take.addBindValue(codeId);
        if (!take.exec())
            return storeFailed(take);
        out.append(std::move(claimed));
    }
    return out;
}

Result<std::optional<ClaimedCode>> ActivationCodeBook::forProfile(QSqlDatabase &db, const store::SecretVault &vault,
                                                                  qint64 profileId)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT id, iccid, smdp_address, matching_id_sealed FROM activation_code WHERE profile_id = ?"));
    q.addBindValue(profileId);
    if (!q.exec())
        return storeFailed(q);
    if (!q.next())
        return std::optional<ClaimedCode>();
    auto matching = openMatchingId(vault, q.value(0).toLongLong(), q.value(3));
    if (!matching)
        return matching.error();
    return std::optional<ClaimedCode>(ClaimedCode { profileId, q.value(1).toString(), q.value(2).toString(), matching.value() });
}

} // namespace simfleet::profiles
