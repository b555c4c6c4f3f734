#include "devicedetail.h"

#include "access/session.h"
#include "protocol/entityattestationtoken.h"
#include "core/clock.h"
#include "crypto/certificate.h"
#include "store/devicerepository.h"
#include "store/sqlhelpers.h"
#include "store/workspace.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace simfleet::fleet {

namespace {

QDateTime storedInstant(const QVariant &v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

QString debugText(protocol::DebugStatus status)
{
    switch (status) {
    case protocol::DebugStatus::Enabled: return QStringLiteral("enabled");
    case protocol::DebugStatus::Disabled: return QStringLiteral("disabled");
    case protocol::DebugStatus::DisabledSinceBoot: return QStringLiteral("disabled since boot");
    case protocol::DebugStatus::DisabledPermanently: return QStringLiteral("disabled permanently");
    case protocol::DebugStatus::DisabledFullyAndPermanently: return QStringLiteral("disabled fully and permanently");
    }
    return {};
}

// The token's claims and chain for people (RFC 9711 names); a token that does not parse says so.
void describeEvidence(const QByteArray &token, DeviceDetail &detail)
{
    auto sign1 = protocol::parseCoseSign1(token);
    if (!sign1) {
        detail.evidence << QStringLiteral("the stored evidence does not parse: %1").arg(sign1.errorMessage());
        return;
    }
    auto claims = protocol::decodeClaims(sign1->payload);
    if (!claims) {
        detail.evidence << QStringLiteral("the claims do not decode: %1").arg(claims.errorMessage());
    } else {
        const protocol::EatClaims &c = claims.value();
        detail.evidence << QStringLiteral("issued at (iat): %1").arg(c.issuedAt.toUTC().toString(Qt::ISODate))
                        << QStringLiteral("nonce: %1").arg(QString::fromLatin1(c.nonce.toHex()))
                        << QStringLiteral("ueid: %1").arg(QString::fromLatin1(c.ueid.toHex()))
                        << QStringLiteral("hardware: %1 %2 (oemid %3)").arg(c.hwmodel, c.hwversion).arg(c.oemid)
                        << QStringLiteral("software: %1 %2").arg(c.swname, c.swversion)
                        << QStringLiteral("debug (dbgstat): %1").arg(debugText(c.debug))
                        << QStringLiteral("secure boot (oemboot): %1").arg(c.secureBoot ? QStringLiteral("yes") : QStringLiteral("no"))
                        << QStringLiteral("tamper sensor: %1").arg(c.tampered ? QStringLiteral("TRIGGERED") : QStringLiteral("quiet"));
        for (const protocol::Measurement &m : c.measurements)
            detail.evidence << QStringLiteral("measurement %1: sha-256 %2").arg(m.component, QString::fromLatin1(m.digest.toHex()));
    }
    for (const QByteArray &der : sign1->x5chain) {
        auto cert = crypto::Certificate::fromDer(der);
        if (!cert) {
            detail.chain << QStringLiteral("(a certificate that does not parse)");
            continue;
        }
        detail.chain << QStringLiteral("%1\n  issued by %2\n  valid %3 to %4")
                            .arg(cert->subjectText(), cert->issuerText(), cert->notBefore().toUTC().toString(Qt::ISODate),
                                 cert->notAfter().toUTC().toString(Qt::ISODate));
    }
}

} // namespace

Result<DeviceDetail> DeviceDetail::load(store::Workspace &workspace, const access::Session &by, qint64 deviceId)
{
    if (auto ok = by.require(access::Permission::ViewFleet, workspace.clock()); !ok)
        return ok.error();
    QSqlDatabase db = workspace.database();
    store::DeviceRepository devices(db);
    store::DeviceRepository::PageQuery query;
    query.where = QStringLiteral("d.id = ?");
    query.values = { deviceId };
    auto page = devices.overviewPage(by.scope(), query, 0, 1);
    if (!page)
        return page.error();
    if (page->isEmpty())
        return fail(QStringLiteral("there is no device %1").arg(deviceId));
    DeviceDetail d;
    d.overview = page->first();

    QSqlQuery q(db);
    q.setForwardOnly(true);
    // Profiles: an account manager sees their operator's only.
    QString profiles = QStringLiteral("SELECT p.iccid, p.imsi, o.name, p.state FROM profile p JOIN operator o ON o.id = p.operator_id"
                                      " WHERE p.device_id = ?");
    QVariantList values { deviceId };
    if (by.scope().isRestricted()) {
        profiles += QStringLiteral(" AND p.operator_id = ?");
        values << *by.scope().operatorId();
    }
    if (auto ok = store::execute(q, profiles + QStringLiteral(" ORDER BY p.id DESC"), values, "reading the device"); !ok)
        return ok.error();
    while (q.next())
        d.profiles.append({ q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString() });
    q.finish();

    if (auto ok = store::execute(q,
                       QStringLiteral("SELECT verdict, reason, verified_at, evidence FROM attestation_result WHERE device_id = ?"
                                      " ORDER BY verified_at DESC, id DESC LIMIT 50"),
                       { deviceId }, "reading the device");
        !ok)
        return ok.error();
    bool first = true;
    while (q.next()) {
        d.attestations.append({ q.value(0).toString(), q.value(1).toString(), storedInstant(q.value(2)) });
        if (first && !q.value(3).isNull())
            describeEvidence(q.value(3).toByteArray(), d);
        first = false;
    }
    q.finish();

    const store::Scope::Condition items = by.scope().campaignItems();
    if (auto ok = store::execute(q,
                       QStringLiteral("SELECT c.id, c.name, ci.state, ci.reason, ci.updated_at FROM campaign_item ci"
                                      " JOIN campaign c ON c.id = ci.campaign_id WHERE ci.device_id = ? AND %1"
                                      " ORDER BY c.id DESC")
                           .arg(items.sql),
                       QVariantList { deviceId } + items.values, "reading the device");
        !ok)
        return ok.error();
    while (q.next())
        d.campaigns.append({ q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                             storedInstant(q.value(4)) });
    q.finish();

    if (by.allows(access::Permission::ViewAudit)) {
        d.auditShown = true;
        if (auto ok = store::execute(q,
                           QStringLiteral("SELECT seq, at, actor, action, subject, details FROM audit_entry WHERE subject = ?"
                                          " ORDER BY seq DESC LIMIT 100"),
                           QVariantList { QString(QStringLiteral("device:") + d.overview.device.eid) }, "reading the device");
            !ok)
            return ok.error();
        while (q.next()) {
            store::AuditEntry e;
            e.seq = q.value(0).toLongLong();
            e.at = storedInstant(q.value(1));
            e.actor = q.value(2).toString();
            e.action = q.value(3).toString();
            e.subject = q.value(4).toString();
            e.details = q.value(5).toString();
            d.audit.append(e);
        }
        q.finish();
    }
    return d;
}

} // namespace simfleet::fleet
