#include "operatorbook.h"

#include "access/session.h"
#include "core/clock.h"
#include "store/auditlog.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QJsonObject>
#include <QSqlQuery>

namespace simfleet::fleet {

Result<void> OperatorBook::setPolicy(store::Workspace &workspace, const access::Session &by, qint64 operatorId,
                                     const OperatorPolicy &policy)
{
    if (auto ok = by.require(access::Permission::ManageOperators, workspace.clock()); !ok)
        return ok;
    constexpr int longest = 30 * 24 * 3600;
    if (policy.attestationMaxAgeSeconds < 0 || policy.attestationMaxAgeSeconds > longest)
        return fail(QStringLiteral("the attestation age must lie between 0 (attest right before every download) and 30 days"));
    auto op = store::OperatorRepository(workspace.database()).find(operatorId);
    if (!op)
        return op.error();
    if (!op.value())
        return fail(QStringLiteral("there is no operator %1").arg(operatorId));
    const store::OperatorRecord before = *op.value();
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE operator SET attestation_max_age_s = ?, fallback_allowed = ?, disable_allowed = ? WHERE id = ?"));
        q.addBindValue(policy.attestationMaxAgeSeconds);
        q.addBindValue(policy.fallbackAllowed ? 1 : 0);
        q.addBindValue(policy.disableAllowed ? 1 : 0);
        q.addBindValue(operatorId);
        if (!q.exec())
            return fail(QStringLiteral("saving the policy of %1 failed").arg(before.name));
        const auto json = [](int age, bool fallback, bool disable) {
            return QJsonObject { { QStringLiteral("attestation_max_age_s"), age },
                                 { QStringLiteral("fallback_allowed"), fallback },
                                 { QStringLiteral("disable_allowed"), disable } };
        };
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.policy"), QStringLiteral("operator:%1").arg(before.name),
                                       { { QStringLiteral("before"), json(before.attestationMaxAgeSeconds, before.fallbackAllowed,
                                                                          before.disableAllowed) },
                                         { QStringLiteral("after"), json(policy.attestationMaxAgeSeconds, policy.fallbackAllowed,
                                                                         policy.disableAllowed) } });
    });
}

Result<void> OperatorBook::setRangeEnds(store::Workspace &workspace, const access::Session &by, qint64 operatorId,
                                        qint64 msinLast, qint64 iccidLast)
{
    if (auto ok = by.require(access::Permission::ManageOperators, workspace.clock()); !ok)
        return ok;
    auto op = store::OperatorRepository(workspace.database()).find(operatorId);
    if (!op)
        return op.error();
    if (!op.value())
        return fail(QStringLiteral("there is no operator %1").arg(operatorId));
    store::OperatorRecord changed = *op.value();
    changed.msinLast = msinLast;
    changed.iccidLast = iccidLast;
    if (auto ok = store::checkNumbering(changed); !ok)
        return ok;
    const store::OperatorRecord before = *op.value();
    const QDateTime now = workspace.clock().now();
    const store::AuditAuthor author = by.author();
    return workspace.writer().run([=](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE operator SET msin_last = ?, iccid_last = ? WHERE id = ? AND msin_next <= ? + 1"
                                 " AND iccid_next <= ? + 1"));
        q.addBindValue(msinLast);
        q.addBindValue(iccidLast);
        q.addBindValue(operatorId);
        q.addBindValue(msinLast);
        q.addBindValue(iccidLast);
        if (!q.exec())
            return fail(QStringLiteral("saving the ranges of %1 failed").arg(before.name));
        if (q.numRowsAffected() != 1)
            return fail(QStringLiteral("%1 has already issued numbers beyond those ends; a range cannot end before the "
                                       "numbers it gave out")
                            .arg(before.name));
        return store::AuditLog::record(db, now, author, QStringLiteral("operator.ranges"), QStringLiteral("operator:%1").arg(before.name),
                                       { { QStringLiteral("msin_last"), QStringLiteral("%1 -> %2").arg(before.msinLast).arg(msinLast) },
                                         { QStringLiteral("iccid_last"),
                                           QStringLiteral("%1 -> %2").arg(before.iccidLast).arg(iccidLast) } });
    });
}

} // namespace simfleet::fleet
