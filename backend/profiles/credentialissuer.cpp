#include "credentialissuer.h"

#include "crypto/milenage.h"
#include "crypto/random.h"
#include "identity/iccid.h"
#include "store/dialect.h"
#include "store/operatorrepository.h"
#include "store/profilerepository.h"
#include "store/secretvault.h"

#include <QSqlError>
#include <QSqlQuery>

namespace simfleet::profiles {

namespace {

QString imsiFor(const store::OperatorRecord &op, qint64 msin)
{
    const int msinDigits = 15 - int(op.mcc.size() + op.mnc.size());
    return op.mcc + op.mnc + QStringLiteral("%1").arg(msin, msinDigits, 10, QLatin1Char('0'));
}

Result<QString> iccidFor(const store::OperatorRecord &op, qint64 serial)
{
    const int serialDigits = op.iccidDigits - 1 - int(op.iccidPrefix.size());
    const QString payload = op.iccidPrefix + QStringLiteral("%1").arg(serial, serialDigits, 10, QLatin1Char('0'));
    auto iccid = identity::Iccid::fromPayload(payload);
    if (!iccid)
        return iccid.error();
    return iccid->toString();
}

} // namespace

namespace {

// Moves the operator's cursors by count and makes that many profiles' credentials, in the
// caller's transaction: if anything after fails, the transaction takes the numbers back.
Result<QList<protocol::ProfileContent>> allocateNumbers(QSqlDatabase &db, const store::SecretVault &vault, qint64 operatorId,
                                                        qint64 count)
{
    if (!vault.isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase to issue credentials"));
    // On a shared workspace another desktop's campaign may issue from the same ranges at this
    // moment: lock the operator's row before reading its cursors, so the second waits for the
    // first to commit and reads where it left off (SQLite's writer already holds the file's lock).
    if (store::dialectOf(db) == store::Dialect::Postgres) {
        QSqlQuery lock(db);
        lock.prepare(QStringLiteral("SELECT id FROM operator WHERE id = ? FOR UPDATE"));
        lock.addBindValue(operatorId);
        if (!lock.exec())
            return fail(QStringLiteral("reserving the operator's numbers failed: %1").arg(lock.lastError().text()));
        lock.finish();
    }
    store::OperatorRepository operators(db);
    auto found = operators.find(operatorId);
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no operator %1").arg(operatorId));
    const store::OperatorRecord op = *found.value();
    if (op.retiredAt)
        return fail(QStringLiteral("%1 is retired and takes no new profiles; pick another operator").arg(op.name));
    const qint64 imsisLeft = op.msinLast + 1 - op.msinNext;
    const qint64 iccidsLeft = op.iccidLast + 1 - op.iccidNext;
    if (count > imsisLeft || count > iccidsLeft)
        return failWith(ErrorCode::RangeExhausted,
                        QStringLiteral("%1's numbering is exhausted: %2 profiles needed, %3 IMSIs and %4 ICCIDs left. "
                                       "Extend the operator's ranges, then retry.")
                            .arg(op.name)
                            .arg(count)
                            .arg(imsisLeft)
                            .arg(iccidsLeft));
    auto sealedOp = operators.sealedOp(operatorId);
    if (!sealedOp)
        return sealedOp.error();
    auto opValue = vault.open({ "operator", operatorId, "op_sealed" }, sealedOp.value());
    if (!opValue)
        return fail(QStringLiteral("%1's OP cannot be opened: %2").arg(op.name, opValue.errorMessage()));

    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE operator SET msin_next = msin_next + ?, iccid_next = iccid_next + ? WHERE id = ?"
                             " AND msin_next = ? AND iccid_next = ?"));
    q.addBindValue(count);
    q.addBindValue(count);
    q.addBindValue(operatorId);
    q.addBindValue(op.msinNext);
    q.addBindValue(op.iccidNext);
    if (!q.exec() || q.numRowsAffected() != 1)
        return fail(QStringLiteral("allocating numbers from %1 failed: %2").arg(op.name, q.lastError().text()));

    QList<protocol::ProfileContent> out;
    out.reserve(count);
    for (qint64 i = 0; i < count; ++i) {
        protocol::ProfileContent content;
        content.imsi = imsiFor(op, op.msinNext + i);
        auto iccid = iccidFor(op, op.iccidNext + i);
        if (!iccid)
            return iccid.error();
        content.iccid = iccid.value();
        content.serviceProviderName = op.spn.isEmpty() ? op.name : op.spn;
        content.disableNotAllowed = !op.disableAllowed;
        content.mncDigits = int(op.mnc.size());
        content.ki = crypto::randomSecret(16); // 128 random bits (DESIGN.md "Credentials")
        auto opc = crypto::Milenage::computeOpc(content.ki, opValue.value());
        if (!opc)
            return opc.error();
        content.opc = std::move(opc).value();
        out.append(std::move(content));
    }
    return out;
}

} // namespace

Result<QList<IssuedProfile>> CredentialIssuer::issue(QSqlDatabase &db, const store::SecretVault &vault, qint64 operatorId,
                                                     const QList<qint64> &deviceIds, const QDateTime &now)
{
    // Move the cursors first: if anything below fails, the transaction takes it all back.
    auto allocated = allocateNumbers(db, vault, operatorId, deviceIds.size());
    if (!allocated)
        return allocated.error();
    store::ProfileRepository profiles(db);
    QList<IssuedProfile> out;
    out.reserve(deviceIds.size());
    for (qsizetype i = 0; i < deviceIds.size(); ++i) {
        IssuedProfile issued;
        issued.deviceId = deviceIds.at(i);
        issued.content = std::move(allocated.value()[i]);
        auto id = profiles.insert({ 0, issued.deviceId, operatorId, issued.content.iccid, issued.content.imsi,
                                    QStringLiteral("allocated") },
                                  now);
        if (!id)
            return id.error();
        issued.profileId = id.value();
        auto ki = vault.seal({ "profile", issued.profileId, "ki_sealed" }, issued.content.ki);
        auto opcSealed = vault.seal({ "profile", issued.profileId, "opc_sealed" }, issued.content.opc);
        if (!ki || !opcSealed)
            return fail(QStringLiteral("sealing credentials failed"));
        if (auto ok = profiles.setSealedCredentials(issued.profileId, ki.value(), opcSealed.value()); !ok)
            return ok.error();
        out.append(std::move(issued));
    }
    return out;
}

Result<QList<protocol::ProfileContent>> CredentialIssuer::allocate(QSqlDatabase &db, const store::SecretVault &vault, qint64 operatorId,
                                                                   qint64 count)
{
    return allocateNumbers(db, vault, operatorId, count);
}

Result<protocol::ProfileContent> CredentialIssuer::example(const store::OperatorRecord &op)
{
    protocol::ProfileContent c;
    c.imsi = imsiFor(op, op.msinNext);
    auto iccid = iccidFor(op, op.iccidNext);
    if (!iccid)
        return iccid.error();
    c.iccid = iccid.value();
    c.serviceProviderName = op.spn.isEmpty() ? op.name : op.spn;
    c.disableNotAllowed = !op.disableAllowed;
    c.mncDigits = int(op.mnc.size());
    c.ki = crypto::SecretBytes(QByteArray(16, 0));
    c.opc = crypto::SecretBytes(QByteArray(16, 0));
    return c;
}

Result<protocol::ProfileContent> CredentialIssuer::reopen(QSqlDatabase &db, const store::SecretVault &vault, qint64 profileId)
{
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT p.iccid, p.imsi, p.ki_sealed, p.opc_sealed, CASE o.spn WHEN '' THEN o.name ELSE o.spn END,"
                             " o.disable_allowed, o.mnc"
                             " FROM profile p JOIN operator o ON o.id = p.operator_id WHERE p.id = ?"));
    q.addBindValue(profileId);
    if (!q.exec() || !q.next())
        return fail(QStringLiteral("there is no profile %1").arg(profileId));
    protocol::ProfileContent c;
    c.iccid = q.value(0).toString();
    c.imsi = q.value(1).toString();
    auto ki = vault.open({ "profile", profileId, "ki_sealed" }, q.value(2).toByteArray());
    auto opc = vault.open({ "profile", profileId, "opc_sealed" }, q.value(3).toByteArray());
    if (!ki || !opc)
        return fail(QStringLiteral("the credentials of profile %1 cannot be opened").arg(c.iccid));
    c.ki = std::move(ki).value();
    c.opc = std::move(opc).value();
    c.serviceProviderName = q.value(4).toString();
    c.disableNotAllowed = !q.value(5).toBool();
    c.mncDigits = int(q.value(6).toString().size());
    return c;
}

} // namespace simfleet::profiles
