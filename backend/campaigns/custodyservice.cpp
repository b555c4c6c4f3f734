#include "custodyservice.h"
#include "campaignslog.h"

#include "access/session.h"
#include "attestation/attestationservice.h"
#include "core/clock.h"
#include "devices/devicelink.h"
#include "devices/euiccprofiles.h"
#include "devices/notificationcollector.h"
#include "fleet/fleetqueries.h"
#include "profiles/profileserver.h"
#include "store/auditlog.h"
#include "store/profilerepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QJsonObject>

namespace simfleet::campaigns {

namespace {

QList<qint64> idsOf(const QList<std::pair<qint64, QString>> &devices)
{
    QList<qint64> ids;
    for (const auto &d : devices)
        ids.append(d.first);
    return ids;
}

QString contactName(CustodyService::Contact how)
{
    switch (how) {
    case CustodyService::Contact::CheckIn: return QStringLiteral("checked in");
    case CustodyService::Contact::AfterAttestation: return QStringLiteral("answered an attestation");
    case CustodyService::Contact::Reached: return QStringLiteral("answered simfleet");
    }
    return {};
}

} // namespace

CustodyService::CustodyService(store::Workspace &workspace, devices::DeviceLinkProvider &links,
                               std::chrono::milliseconds answerTimeout)
    : m_workspace(workspace), m_links(links), m_timeout(answerTimeout)
{
}

Result<QList<store::CustodyState>> CustodyService::report(const access::Session &by, const QStringList &eids,
                                                          store::Custody custody, const QString &note)
{
    if (auto ok = by.require(access::Permission::ReportCustody, m_workspace.clock()); !ok)
        return ok.error();
    if (custody == store::Custody::InService)
        return fail(QStringLiteral("a device returns to service by an affirming attestation after it is reported recovered"));
    if (eids.isEmpty())
        return fail(QStringLiteral("name the devices to report by their EIDs"));
    auto devices = fleet::FleetQueries(m_workspace).devicesWithEids(by, eids);
    if (!devices)
        return devices.error();
    store::CustodyRepository custodies(m_workspace.database());
    auto before = custodies.states(idsOf(devices.value()));
    if (!before)
        return before.error();
    if (custody == store::Custody::Recovered) {
        for (const store::CustodyState &s : before.value()) {
            if (!s.reported())
                return fail(QStringLiteral("device %1 was not reported stolen or lost, so it cannot be recovered").arg(s.eid));
        }
    }
    const QDateTime now = m_workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const QList<store::CustodyState> &states = before.value();
    auto written = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::CustodyRepository writes(db);
        for (qsizetype i = 0; i < states.size(); ++i) {
            const store::CustodyState &s = states.at(i);
            if (auto ok = writes.setCustody(s.deviceId, custody, note, now); !ok)
                return ok;
            const QJsonObject details { { QStringLiteral("custody"), store::custodyName(custody) },
                                        { QStringLiteral("was"), store::custodyName(s.custody) },
                                        { QStringLiteral("note"), note } };
            if (auto ok = store::AuditLog::record(db, now, author, QStringLiteral("device.report"), QStringLiteral("device:") + s.eid,
                                                  details,
                                                  i + 1 == states.size() ? store::AuditSigning::Now
                                                                         : store::AuditSigning::ByNextEntry);
                !ok)
                return ok;
        }
        return {};
    });
    if (!written)
        return written.error();
    qCInfo(lcCampaigns) << by.name() << "reported" << states.size() << "devices" << store::custodyName(custody);
    return store::CustodyRepository(m_workspace.database()).states(idsOf(devices.value()));
}

Result<QList<store::CustodyState>> CustodyService::release(const access::Session &by, const QStringList &eids)
{
    if (auto ok = by.require(access::Permission::ReleaseQuarantine, m_workspace.clock()); !ok)
        return ok.error();
    auto devices = fleet::FleetQueries(m_workspace).devicesWithEids(by, eids);
    if (!devices)
        return devices.error();
    auto states = store::CustodyRepository(m_workspace.database()).states(idsOf(devices.value()));
    if (!states)
        return states.error();
    // The verdict that releases must be newer than the quarantine and affirming: re-read from the
    // store, whose verdicts that let credentials go out are authenticated (DESIGN.md "The store").
    attestation::AttestationService attestation(m_workspace, m_links);
    for (const store::CustodyState &s : states.value()) {
        if (!s.quarantined())
            return fail(QStringLiteral("device %1 is not quarantined").arg(s.eid));
        const qint64 age = std::max<qint64>(1, s.quarantinedAt.secsTo(m_workspace.clock().now()));
        auto affirming = attestation.stillAffirming(by, { s.deviceId }, age);
        if (!affirming)
            return affirming.error();
        if (!affirming->contains(s.deviceId))
            return fail(QStringLiteral("device %1 has no affirming attestation since its quarantine on %2; attest it again "
                                       "before releasing it")
                            .arg(s.eid, s.quarantinedAt.toString(Qt::ISODate)));
    }
    const QDateTime now = m_workspace.clock().now();
    const store::AuditAuthor author = by.author();
    const QList<store::CustodyState> &list = states.value();
    auto written = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::CustodyRepository writes(db);
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (auto ok = writes.release(list.at(i).deviceId); !ok)
                return ok;
            if (auto ok = store::AuditLog::record(db, now, author, QStringLiteral("device.release"),
                                                  QStringLiteral("device:") + list.at(i).eid,
                                                  QJsonObject { { QStringLiteral("quarantined_at"),
                                                                  storedTime(list.at(i).quarantinedAt) } },
                                                  i + 1 == list.size() ? store::AuditSigning::Now : store::AuditSigning::ByNextEntry);
                !ok)
                return ok;
        }
        return {};
    });
    if (!written)
        return written.error();
    return store::CustodyRepository(m_workspace.database()).states(idsOf(devices.value()));
}

Result<QList<ContactOutcome>> CustodyService::contact(const access::Session &by, const QList<std::pair<qint64, QString>> &devices,
                                                      Contact how)
{
    if (auto ok = by.require(access::Permission::ReportCustody, m_workspace.clock()); !ok)
        return ok.error();
    auto states = store::CustodyRepository(m_workspace.database()).states(idsOf(devices));
    if (!states)
        return states.error();
    QList<ContactOutcome> out;
    for (store::CustodyState &s : states.value())
        out.append(contactOne(by, std::move(s), how));
    return out;
}

ContactOutcome CustodyService::contactOne(const access::Session &by, store::CustodyState s, Contact how)
{
    ContactOutcome outcome { s.eid, {}, {} };
    const store::AuditAuthor author = by.author();
    const auto record = [&](const std::function<Result<void>(QSqlDatabase &, const QDateTime &)> &write) {
        const QDateTime now = m_workspace.clock().now();
        return m_workspace.writer().run([&write, now](QSqlDatabase &db) { return write(db, now); });
    };
    // A stolen or lost device showed itself: when, and where it last said it was. (An
    // attestation's sighting is recorded with its verdict.)
    if (s.reported() && how == Contact::CheckIn) {
        auto ok = record([&](QSqlDatabase &db, const QDateTime &now) {
            return store::CustodyRepository(db).recordSighting(s, contactName(how), now, author);
        });
        if (!ok) {
            outcome.failure = ok.errorMessage();
            return outcome;
        }
        outcome.done << QStringLiteral("sighted");
    }
    if (!s.owesDisable() && s.custody != store::Custody::Recovered && !s.owesRestore())
        return outcome;

    auto link = m_links.linkTo(s.eid);
    if (!link) {
        outcome.failure = QStringLiteral("no link to device %1").arg(s.eid);
        return outcome;
    }
    auto trust = profiles::deviceTrustOf(m_workspace);
    if (!trust) {
        outcome.failure = trust.errorMessage();
        return outcome;
    }
    devices::NotificationCollector notifications(*link, trust.value(), m_timeout);
    const auto collect = [&] {
        if (auto collected = notifications.collect(m_workspace.clock().now()); !collected)
            qCInfo(lcCampaigns) << "device" << s.eid << "keeps its notifications for now:" << collected.errorMessage();
    };

    if (s.owesDisable()) {
        // The profile disabled on the device first: only what the device did is recorded.
        auto disabled = devices::awaitAnswer(devices::disableProfile(*link, s.enabledIccid), m_timeout, s.eid);
        if (!disabled) {
            outcome.failure = disabled.errorMessage();
            return outcome;
        }
        collect();
        const QString event = s.disableEvent();
        auto ok = record([&](QSqlDatabase &db, const QDateTime &now) -> Result<void> {
            if (auto set = store::ProfileRepository(db).setState(*s.enabledProfileId, QStringLiteral("disabled"), now,
                                                                 store::LedgerCause::ofEvent(event));
                !set)
                return set;
            if (auto raised = store::CustodyRepository(db).raise(s.deviceId, QStringLiteral("subscription-disabled"), now,
                                                                 QStringLiteral("profile %1 disabled: %2").arg(s.enabledIccid, event),
                                                                 s.latitude, s.longitude);
                !raised)
                return raised;
            return store::AuditLog::record(db, now, author, QStringLiteral("profile.disable"), QStringLiteral("device:") + s.eid,
                                           QJsonObject { { QStringLiteral("iccid"), s.enabledIccid },
                                                         { QStringLiteral("reason"), event } });
        });
        if (!ok) {
            outcome.failure = ok.errorMessage();
            return outcome;
        }
        outcome.done << QStringLiteral("subscription-disabled");
        s.restorableProfileId = s.enabledProfileId;
        s.restorableIccid = s.enabledIccid;
        s.enabledProfileId.reset();
        s.enabledIccid.clear();
    }

    if (s.custody == store::Custody::Recovered) {
        // Back from a thief: its secure environment is verified before anything runs on it
        // again. An affirming verdict returns it to service (AttestationService records that).
        attestation::AttestationOptions options;
        options.answerTimeout = m_timeout;
        attestation::AttestationService attestation(m_workspace, m_links, options);
        auto verdicts = attestation.attest(by, { { s.deviceId, s.eid } });
        if (!verdicts) {
            outcome.failure = verdicts.errorMessage();
            return outcome;
        }
        const auto &v = verdicts->first().verdict;
        outcome.done << QStringLiteral("attested-") + attestation::tierName(v.tier);
        auto again = store::CustodyRepository(m_workspace.database()).states({ s.deviceId });
        if (!again || again->isEmpty()) {
            outcome.failure = again ? QStringLiteral("device %1 is gone").arg(s.eid) : again.errorMessage();
            return outcome;
        }
        s = again->first();
    }

    if (s.owesRestore()) {
        auto enabled = devices::awaitAnswer(devices::enableProfile(*link, s.restorableIccid), m_timeout, s.eid);
        if (!enabled) {
            outcome.failure = enabled.errorMessage();
            return outcome;
        }
        collect();
        auto ok = record([&](QSqlDatabase &db, const QDateTime &now) -> Result<void> {
            if (auto set = store::ProfileRepository(db).setState(*s.restorableProfileId, QStringLiteral("enabled"), now,
                                                                 store::LedgerCause::ofEvent(QStringLiteral("restored")));
                !set)
                return set;
            if (auto raised = store::CustodyRepository(db).raise(s.deviceId, QStringLiteral("subscription-restored"), now,
                                                                 QStringLiteral("profile %1 enabled again").arg(s.restorableIccid));
                !raised)
                return raised;
            return store::AuditLog::record(db, now, author, QStringLiteral("profile.restore"), QStringLiteral("device:") + s.eid,
                                           QJsonObject { { QStringLiteral("iccid"), s.restorableIccid } });
        });
        if (!ok) {
            outcome.failure = ok.errorMessage();
            return outcome;
        }
        outcome.done << QStringLiteral("subscription-restored");
    }
    return outcome;
}

} // namespace simfleet::campaigns
