#include "campaignservice.h"

#include "access/session.h"
#include "campaignslog.h"
#include "runlock.h"

#include "attestation/attestationservice.h"
#include "core/clock.h"
#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/milenage.h"
#include "crypto/random.h"
#include "devices/devicelink.h"
#include "profiles/credentialissuer.h"
#include "profiles/profileserver.h"
#include "store/auditlog.h"
#include "store/campaignrepository.h"
#include "store/certificaterepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QElapsedTimer>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>

#include <future>
#include <QThreadPool>
#include <QWaitCondition>

#include <deque>

namespace simfleet::campaigns {

namespace {

// One device's place in a campaign, as the runner and its workers see it.
struct Item
{
    qint64 deviceId = 0;
    QString eid;
    QString state;
    QString reason;
    int attempts = 0;
    std::optional<qint64> oldProfileId; // the profile enabled when the change began
    QString oldIccid;
    qint64 oldOperatorId = 0;
    bool oldDisableAllowed = true;
    std::optional<qint64> newProfileId;
    QString newIccid;
};

// What one step leaves in the store, written in one transaction.
struct Step
{
    using ProfileStates = QList<std::pair<qint64, QString>>;
    Step(QString state_, QString reason_ = {}, std::optional<qint64> oldProfile = {}, std::optional<qint64> newProfile = {},
         int attempts_ = 0, ProfileStates profiles = {}, bool move = false, QString action = {}, QJsonObject details = {})
        : state(std::move(state_)), reason(std::move(reason_)), oldProfileId(oldProfile), newProfileId(newProfile),
          attempts(attempts_), profileStates(std::move(profiles)), moveDevice(move), auditAction(std::move(action)),
          auditDetails(std::move(details))
    {
    }
    QString state;
    QString reason;
    std::optional<qint64> oldProfileId;
    std::optional<qint64> newProfileId;
    int attempts = 0;
    ProfileStates profileStates; // profile id -> state
    bool moveDevice = false;     // to the new customer (on success)
    QString auditAction;         // empty: no audit entry
    QJsonObject auditDetails;
};

QString reasonCode(const Error &error, const char *fallback)
{
    return error.code.isEmpty() ? QLatin1StringView(fallback) : error.code;
}

Result<void> exec(QSqlQuery &q, const QString &sql, const QVariantList &values)
{
    if (!q.prepare(sql))
        return fail(q.lastError().text());
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return fail(q.lastError().text());
    return {};
}

// Runs one statement, kept prepared by the writer between jobs.
Result<void> exec(QSqlDatabase &db, const QString &sql, const QVariantList &values)
{
    QSqlQuery own(db);
    QSqlQuery &q = store::preparedStatement(db, sql, own);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return fail(q.lastError().text());
    return {};
}

QVariant maybe(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType::fromType<qint64>());
}

} // namespace

struct CampaignService::Run
{
    CampaignService &service;
    qint64 id = 0;
    store::CampaignRecord record;
    CampaignSettings settings;
    store::OperatorRecord target;
    QString actor;
    std::unique_ptr<profiles::ProfileServer> server;
    const Clock &clock;
    QThreadPool pool;

    QMutex mutex;
    QWaitCondition changed;
    qint64 inFlight = 0;
    qint64 total = 0;
    qint64 doneBefore = 0; // items already final when this run began (a resumed or retried campaign)
    QMap<QString, qint64> byState;
    qint64 unresolved = 0; // resumed devices that did not answer: the campaign stays interrupted
    QStringList reconciled;
    QElapsedTimer elapsed;
    qint64 lastProgressMs = -1000000;

    Run(CampaignService &s, const Clock &c) : service(s), clock(c) { }

    std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(settings.answerTimeoutMs); }

    // Writes steps in one transaction and waits until they are on disk: the intent is stored
    // before the step is sent, and an outcome is stored before the next step starts.
    Result<void> persist(const QList<std::pair<Item, Step>> &steps)
    {
        const qint64 campaign = id;
        const QDateTime now = clock.now();
        const std::optional<qint64> newCustomer = record.newCustomerId;
        const QString who = actor;
        auto done = service.m_workspace.writer().submit([=](QSqlDatabase &db) -> Result<void> {
            for (const auto &[item, step] : steps) {
                for (const auto &[profileId, state] : step.profileStates) {
                    if (auto ok = exec(db, QStringLiteral("UPDATE profile SET state = ?, updated_at = ? WHERE id = ?"),
                                       { state, storedTime(now), profileId });
                        !ok)
                        return ok;
                }
                if (auto ok = exec(db,
                                   QStringLiteral("UPDATE campaign_item SET state = ?, reason = ?, updated_at = ?, attempts = ?,"
                                                  " old_profile_id = ?, new_profile_id = ? WHERE campaign_id = ? AND device_id = ?"),
                                   { step.state, step.reason.isNull() ? QStringLiteral("") : step.reason, storedTime(now), step.attempts, maybe(step.oldProfileId),
                                     maybe(step.newProfileId), campaign, item.deviceId });
                    !ok)
                    return ok;
                if (step.moveDevice && newCustomer) {
                    // The device joins the new owner's fleet of the same name (made with the campaign).
                    if (auto ok = exec(db,
                                       QStringLiteral("UPDATE device SET fleet_id = (SELECT f2.id FROM fleet f2 JOIN fleet f1"
                                                      " ON f1.name = f2.name WHERE f1.id = device.fleet_id AND f2.customer_id = ?)"
                                                      " WHERE id = ? AND EXISTS (SELECT 1 FROM fleet f2 JOIN fleet f1"
                                                      " ON f1.name = f2.name WHERE f1.id = device.fleet_id AND f2.customer_id = ?)"),
                                       { *newCustomer, item.deviceId, *newCustomer });
                        !ok)
                        return ok;
                }
                if (!step.auditAction.isEmpty()) {
                    QJsonObject details = step.auditDetails;
                    details.insert(QStringLiteral("campaign"), campaign);
                    if (auto ok = store::AuditLog::record(db, now, who, step.auditAction, QStringLiteral("device:") + item.eid, details);
                        !ok)
                        return ok;
                }
            }
            return {};
        });
        auto ok = done.get();
        if (ok) {
            for (const auto &[item, step] : steps)
                moved(item.state, step.state);
        }
        return ok;
    }

    // Applies steps to their items (and the store) together; false when the store refused,
    // which ends these devices' work for this run (they are taken up again on resume).
    bool advanceAll(QList<std::pair<Item *, Step>> steps)
    {
        QList<std::pair<Item, Step>> writes;
        for (auto &[item, step] : steps) {
            step.attempts = step.attempts ? step.attempts : item->attempts;
            if (!step.oldProfileId)
                step.oldProfileId = item->oldProfileId;
            if (!step.newProfileId)
                step.newProfileId = item->newProfileId;
            writes.append({ *item, step });
        }
        if (writes.isEmpty())
            return true;
        if (auto ok = persist(writes); !ok) {
            qCWarning(lcCampaigns) << "campaign" << id << "could not record" << writes.size() << "steps:" << ok.errorMessage();
            return false;
        }
        for (auto &[item, step] : steps) {
            item->state = step.state;
            item->reason = step.reason;
            item->attempts = step.attempts;
            item->oldProfileId = step.oldProfileId;
            item->newProfileId = step.newProfileId;
        }
        return true;
    }

    bool advance(Item &item, Step step) { return advanceAll({ { &item, std::move(step) } }); }

    Step failure(const Item &item, const QString &reason, const Step::ProfileStates &profiles = {}) const
    {
        return Step(QLatin1StringView(campaigns::item::failed), reason, {}, {}, 0, profiles, false, QStringLiteral("profile.change"),
                    change(item, QStringLiteral("failed"), reason));
    }

    // Counts a device's step. The feeder waiting in drainTo is woken only when a device leaves
    // the workers (process): waking it on every step cost a thread switch per step; progress
    // between those is reported on drainTo's timeout.
    void moved(const QString &from, const QString &to)
    {
        QMutexLocker lock(&mutex);
        if (from != to) {
            if (--byState[from] <= 0)
                byState.remove(from);
            ++byState[to];
        }
    }

    QJsonObject change(const Item &item, const QString &outcome, const QString &reason) const
    {
        return { { QStringLiteral("outcome"), outcome },
                 { QStringLiteral("from_iccid"), item.oldIccid },
                 { QStringLiteral("to_iccid"), item.newIccid },
                 { QStringLiteral("operator"), target.name },
                 { QStringLiteral("reason"), reason } };
    }

    // Asks a device, retrying with backoff while it does not answer.
    template<typename T, typename Call>
    Result<T> ask(const Item &item, Call call)
    {
        Result<T> answer = simfleet::fail({});
        for (int attempt = 0; attempt < settings.attempts; ++attempt) {
            if (attempt > 0)
                clock.wait(qint64(settings.backoffMs) << (attempt - 1));
            auto future = call();
            answer = devices::awaitAnswer(future, timeout(), item.eid);
            if (answer || answer.error().code != u"timeout")
                return answer;
        }
        return answer;
    }

    void fail(Item &item, const QString &reason, const Step::ProfileStates &profiles = {})
    {
        advance(item, failure(item, reason, profiles));
    }

    // The worker: takes one device from wherever it stands to a final state.
    void process(Item item, std::optional<protocol::ProfileContent> content, bool reconcile,
                 devices::DeviceLinkProvider &links)
    {
        std::unique_ptr<devices::DeviceLink> link = links.linkTo(item.eid);
        if (reconcile && !reconcileWithDevice(item, *link))
            return;
        while (!campaigns::item::isFinal(item.state)) {
            const QString state = item.state;
            if (state == u"downloading") {
                if (!download(item, *link, content))
                    return;
            } else if (state == u"enabling") {
                // The enable's intent covers confirming the attach that follows it: a crash in
                // between is found by reconciliation (the device reports the new profile enabled).
                if (!enable(item, *link) || !confirm(item, *link, content))
                    return;
            } else if (state == u"confirming") {
                if (!confirm(item, *link, content))
                    return;
            } else if (state == u"deleting-old") {
                if (!deleteOld(item, *link))
                    return;
            } else if (state == u"rolling-back") {
                if (!rollBack(item, *link))
                    return;
            } else {
                qCWarning(lcCampaigns) << "device" << item.eid << "in unexpected state" << state;
                return;
            }
        }
    }

    bool download(Item &item, devices::DeviceLink &link, const std::optional<protocol::ProfileContent> &content)
    {
        if (!content) {
            fail(item, QStringLiteral("credentials-unavailable"), { { *item.newProfileId, QStringLiteral("deleted") } });
            return false;
        }
        profiles::DownloadOrder order;
        order.eid = item.eid;
        order.profile = *content;
        order.metadata.serviceProviderName = target.name;
        order.metadata.plmn = target.mcc + target.mnc;
        order.metadata.fallbackAllowed = target.fallbackAllowed;
        Result<QString> installed = simfleet::fail({});
        int attempts = item.attempts;
        for (int attempt = 0; attempt < settings.attempts; ++attempt) {
            if (attempt > 0)
                clock.wait(qint64(settings.backoffMs) << (attempt - 1));
            ++attempts;
            installed = server->download(link, order, timeout(), clock.now());
            if (installed || installed.error().code == u"already-installed")
                break;
            const QString code = installed.error().code;
            if (code != u"timeout" && code != u"device-restarted")
                break;
        }
        if (!installed && installed.error().code != u"already-installed") {
            // A late answer may still have installed it: remove it, so the device keeps only
            // what the workspace records (a device that has nothing answers no-such-profile).
            if (installed.error().code == u"timeout")
                (void)ask<void>(item, [&] { return link.deleteProfile(item.newIccid); });
            // The numbers stay burnt: an issued IMSI or ICCID is never handed out again.
            fail(item, reasonCode(installed.error(), "download-failed"), { { *item.newProfileId, QStringLiteral("deleted") } });
            return false;
        }
        return advance(item, { QLatin1StringView(campaigns::item::enabling), {}, {}, {}, attempts,
                               { { *item.newProfileId, QStringLiteral("installed") } } });
    }

    bool enable(Item &item, devices::DeviceLink &link)
    {
        auto enabled = ask<void>(item, [&] { return link.enableProfile(item.newIccid); });
        if (!enabled) {
            const QString reason = reasonCode(enabled.error(), "enable-failed");
            // Nothing changed on the device: remove the new profile so it holds what it held.
            (void)ask<void>(item, [&] { return link.deleteProfile(item.newIccid); });
            fail(item, reason, { { *item.newProfileId, QStringLiteral("deleted") } });
            return false;
        }
        return true;
    }

    bool confirm(Item &item, devices::DeviceLink &link, const std::optional<protocol::ProfileContent> &content)
    {
        if (!content) {
            fail(item, QStringLiteral("credentials-unavailable"));
            return false;
        }
        // The new operator's network authenticates the device (3GPP TS 33.102 section 6.3):
        // RAND and AUTN from the profile's own Ki and OPc; only the right RES proves it attached.
        auto milenage = crypto::Milenage::withOpc(content->ki, content->opc);
        if (!milenage) {
            fail(item, QStringLiteral("credentials-unavailable"));
            return false;
        }
        const QByteArray rand = crypto::randomBytes(16);
        const QByteArray sqn = QByteArray::fromHex("000000000021");
        const QByteArray amf = QByteArray::fromHex("8000");
        auto vector = milenage->compute(rand, sqn, amf);
        if (!vector) {
            fail(item, QStringLiteral("credentials-unavailable"));
            return false;
        }
        auto report = ask<devices::AttachReport>(item, [&] { return link.attach(rand, vector->autn); });
        const bool initial = !item.oldProfileId;
        if (report && report->iccid == item.newIccid && !report->fellBack && report->res == vector->res) {
            QList<std::pair<qint64, QString>> profiles { { *item.newProfileId, QStringLiteral("enabled") } };
            if (initial)
                return advance(item, { QLatin1StringView(campaigns::item::succeeded), {}, {}, {}, 0, profiles,
                                       record.newCustomerId.has_value(), QStringLiteral("profile.provision"),
                                       change(item, QStringLiteral("succeeded"), {}) });
            profiles.append({ *item.oldProfileId, QStringLiteral("disabled") });
            return advance(item, { QLatin1StringView(campaigns::item::deletingOld), {}, {}, {}, 0, profiles });
        }
        if (initial) {
            // Nothing to fall back to: the profile stays enabled, the device is reported.
            const QString reason = report ? QStringLiteral("attach-failed") : reasonCode(report.error(), "attach-failed");
            fail(item, reason, { { *item.newProfileId, QStringLiteral("enabled") } });
            return false;
        }
        QString reason = QStringLiteral("attach-failed");
        if (report && report->fellBack)
            reason = QStringLiteral("no-coverage");
        else if (!report)
            reason = reasonCode(report.error(), "attach-failed");
        return advance(item, { QLatin1StringView(campaigns::item::rollingBack), reason });
    }

    bool deleteOld(Item &item, devices::DeviceLink &link)
    {
        auto deleted = ask<void>(item, [&] { return link.deleteProfile(item.oldIccid); });
        const bool gone = deleted || deleted.error().code == u"no-such-profile";
        // The change itself succeeded; an old profile the device would not delete stays disabled.
        const QString reason = gone ? QString() : QStringLiteral("old-profile-kept");
        return advance(item, { QLatin1StringView(campaigns::item::succeeded), reason, {}, {}, 0,
                               { { *item.oldProfileId, gone ? QStringLiteral("deleted") : QStringLiteral("disabled") } },
                               record.newCustomerId.has_value(), QStringLiteral("profile.change"),
                               change(item, QStringLiteral("succeeded"), reason) });
    }

    // Which of the item's two profiles the device reports holding; nothing when it does not
    // answer (the device stays where it stood, to be taken up on the next resume).
    struct Holdings
    {
        bool hasNew = false;
        bool newEnabled = false;
        bool hasOld = false;
        bool oldEnabled = false;
    };
    std::optional<Holdings> holdings(const Item &item, devices::DeviceLink &link)
    {
        auto listed = ask<QList<devices::InstalledProfile>>(item, [&] { return link.listProfiles(); });
        if (!listed) {
            QMutexLocker lock(&mutex);
            ++unresolved;
            return std::nullopt;
        }
        Holdings h;
        for (const auto &p : listed.value()) {
            const bool enabled = p.state == u"enabled";
            if (p.iccid == item.newIccid) {
                h.hasNew = true;
                h.newEnabled = enabled;
            }
            if (!item.oldIccid.isEmpty() && p.iccid == item.oldIccid) {
                h.hasOld = true;
                h.oldEnabled = enabled;
            }
        }
        return h;
    }

    bool rollBack(Item &item, devices::DeviceLink &link)
    {
        // Make sure the old profile runs, then remove the new one.
        const auto held = holdings(item, link);
        if (!held)
            return false;
        const bool hasNew = held->hasNew;
        if (!held->oldEnabled) {
            if (auto ok = ask<void>(item, [&] { return link.enableProfile(item.oldIccid); }); !ok) {
                QMutexLocker lock(&mutex);
                ++unresolved;
                return false;
            }
        }
        if (hasNew)
            (void)ask<void>(item, [&] { return link.deleteProfile(item.newIccid); });
        return advance(item, { QLatin1StringView(campaigns::item::rolledBack), item.reason, {}, {}, 0,
                               { { *item.newProfileId, QStringLiteral("deleted") }, { *item.oldProfileId, QStringLiteral("enabled") } },
                               false, QStringLiteral("profile.change"), change(item, QStringLiteral("rolled-back"), item.reason) });
    }

    // After a crash the store and the device may disagree: ask the device what it holds and
    // continue from there (DESIGN.md "Subscription change", recovery).
    bool reconcileWithDevice(Item &item, devices::DeviceLink &link)
    {
        const auto held = holdings(item, link);
        if (!held)
            return false;
        const bool hasNew = held->hasNew, newEnabled = held->newEnabled, hasOld = held->hasOld;
        QString next = item.state;
        QList<std::pair<qint64, QString>> profiles;
        const QString state = item.state;
        if (state == u"downloading") {
            if (hasNew) {
                next = QLatin1StringView(campaigns::item::enabling);
                profiles.append({ *item.newProfileId, QStringLiteral("installed") });
            }
        } else if (state == u"enabling" || state == u"confirming") {
            next = !hasNew ? QLatin1StringView(campaigns::item::downloading)
                           : (newEnabled ? QLatin1StringView(campaigns::item::confirming) : QLatin1StringView(campaigns::item::enabling));
        } else if (state == u"deleting-old") {
            if (!hasOld) {
                next = QLatin1StringView(campaigns::item::succeeded);
                profiles.append({ *item.oldProfileId, QStringLiteral("deleted") });
            }
        }
        const QString finding = QStringLiteral("%1: store at %2, device holds new profile %3%4, old profile %5; continues at %6")
                                    .arg(item.eid, state, hasNew ? QStringLiteral("yes") : QStringLiteral("no"),
                                         newEnabled ? QStringLiteral(" (enabled)") : QString(),
                                         item.oldIccid.isEmpty() ? QStringLiteral("none") : (hasOld ? QStringLiteral("yes") : QStringLiteral("no")),
                                         next);
        {
            QMutexLocker lock(&mutex);
            reconciled.append(finding);
        }
        if (next == state && profiles.isEmpty())
            return true;
        const bool done = next == u"succeeded";
        return advance(item, { next, item.reason, {}, {}, 0, profiles, done && record.newCustomerId.has_value(),
                               done ? QStringLiteral("profile.change") : QString(),
                               done ? change(item, QStringLiteral("succeeded"), {}) : QJsonObject() });
    }

    void reportProgress(bool force)
    {
        CampaignProgress p;
        {
            QMutexLocker lock(&mutex);
            const qint64 nowMs = elapsed.elapsed();
            if (!force && nowMs - lastProgressMs < service.m_progressIntervalMs)
                return;
            lastProgressMs = nowMs;
            p.campaignId = id;
            p.total = total;
            p.byState = byState;
            for (auto it = byState.cbegin(); it != byState.cend(); ++it) {
                if (campaigns::item::isFinal(it.key()))
                    p.done += it.value();
            }
            p.elapsedSeconds = double(nowMs) / 1000.0;
            // This run's pace: items a resumed or retried campaign had finished before do not count.
            p.devicesPerSecond = nowMs > 0 ? double(std::max<qint64>(0, p.done - doneBefore)) * 1000.0 / double(nowMs) : 0;
        }
        if (service.m_progressCallback)
            service.m_progressCallback(p);
        emit service.progressed(p);
    }

    // Waits until at most `limit` devices are in flight, reporting progress meanwhile.
    void drainTo(qint64 limit)
    {
        for (;;) {
            {
                QMutexLocker lock(&mutex);
                if (inFlight <= limit)
                    return;
                changed.wait(&mutex, 100);
            }
            reportProgress(false);
        }
    }
};

CampaignService::CampaignService(store::Workspace &workspace, devices::DeviceLinkProvider &links, QObject *parent)
    : QObject(parent), m_workspace(workspace), m_links(links)
{
    qRegisterMetaType<simfleet::campaigns::CampaignProgress>();
}

CampaignService::~CampaignService() = default;

Result<void> CampaignService::checkMayRun(const access::Session &by, const QString &kind) const
{
    const auto permission = kind == kindName(CampaignKind::InitialProvisioning) ? access::Permission::Provision
                                                                                : access::Permission::ChangeSubscription;
    return by.require(permission, m_workspace.clock());
}

Result<void> CampaignService::checkVisible(const access::Session &by, qint64 campaignId) const
{
    if (auto ok = by.require(access::Permission::ViewFleet, m_workspace.clock()); !ok)
        return ok;
    const store::Scope::Condition visible = by.scope().campaigns();
    QSqlQuery q(m_workspace.database());
    if (auto ok = exec(q, QStringLiteral("SELECT 1 FROM campaign c WHERE c.id = ? AND %1").arg(visible.sql),
                       QVariantList { campaignId } + visible.values);
        !ok)
        return ok;
    const bool found = q.next();
    q.finish();
    // Another operator's campaign is reported as absent, not as forbidden: its existence is theirs.
    if (!found)
        return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
    return {};
}

Result<qint64> CampaignService::create(const access::Session &by, const CampaignRequest &request)
{
    if (auto ok = checkMayRun(by, kindName(request.kind)); !ok)
        return ok.error();
    if (request.deviceIds.isEmpty())
        return fail(QStringLiteral("the campaign has no devices; choose a fleet, a file or a filter that matches some"));
    QSqlDatabase db = m_workspace.database();
    auto target = store::OperatorRepository(db).find(request.targetOperatorId);
    if (!target)
        return target.error();
    if (!target.value())
        return fail(QStringLiteral("there is no operator %1").arg(request.targetOperatorId));
    const QDateTime now = m_workspace.clock().now();
    store::CampaignRecord record;
    record.name = request.name.isEmpty()
        ? QStringLiteral("%1 to %2").arg(request.kind == CampaignKind::InitialProvisioning ? QStringLiteral("Provisioning")
                                                                                          : QStringLiteral("Change"),
                                         target.value()->name)
        : request.name;
    record.kind = kindName(request.kind);
    record.targetOperatorId = request.targetOperatorId;
    record.newCustomerId = request.newCustomerId;
    record.state = QStringLiteral("created");
    record.settings = QString::fromUtf8(QJsonDocument(request.settings.toJson()).toJson(QJsonDocument::Compact));
    record.createdBy = by.name();
    const QString actor = by.name();
    const QList<qint64> devices = request.deviceIds;
    const QString targetName = target.value()->name;
    qint64 campaignId = 0;
    auto ok = m_workspace.writer().run([&](QSqlDatabase &wdb) -> Result<void> {
        store::CampaignRepository campaigns(wdb);
        auto id = campaigns.create(record, now);
        if (!id)
            return id.error();
        campaignId = id.value();
        if (auto added = campaigns.addItems(campaignId, devices, QLatin1StringView(item::pending), now); !added)
            return added.error();
        QSqlQuery q(wdb);
        if (request.newCustomerId) {
            // The new owner gets a fleet of the same name for every fleet the devices come from.
            if (auto made = exec(q,
                                 QStringLiteral("INSERT OR IGNORE INTO fleet (customer_id, name, home_operator_id, created_at)"
                                                " SELECT DISTINCT ?, f.name, ?, ? FROM campaign_item ci JOIN device d ON d.id = ci.device_id"
                                                " JOIN fleet f ON f.id = d.fleet_id WHERE ci.campaign_id = ?"),
                                 { *request.newCustomerId, request.targetOperatorId, storedTime(now), campaignId });
                !made)
                return made;
        }
        return store::AuditLog::record(wdb, now, actor, QStringLiteral("campaign.create"),
                                       QStringLiteral("campaign:%1").arg(campaignId),
                                       { { QStringLiteral("kind"), record.kind },
                                         { QStringLiteral("operator"), targetName },
                                         { QStringLiteral("devices"), qint64(devices.size()) },
                                         { QStringLiteral("settings"), request.settings.toJson() } });
    });
    if (!ok)
        return ok.error();
    return campaignId;
}

Result<CampaignSummary> CampaignService::run(const access::Session &by, qint64 campaignId, CampaignControl *control)
{
    if (auto ok = by.require(access::Permission::ControlCampaign, m_workspace.clock()); !ok)
        return ok.error();
    QSqlDatabase db = m_workspace.database();
    if (!m_workspace.isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase to run a campaign"));
    auto found = store::CampaignRepository(db).find(campaignId);
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
    if (auto ok = checkMayRun(by, found.value()->kind); !ok)
        return ok.error();
    // One process runs a campaign at a time; a lock left by a killed process is recognised as
    // such (its process is gone) and taken over.
    RunLock runLock(lockPath(campaignId));
    if (!runLock.tryLock())
        return fail(QStringLiteral("campaign %1 is already running in another window or command; pause it there, or wait")
                        .arg(campaignId));
    Run run(*this, m_workspace.clock());
    run.id = campaignId;
    run.record = *found.value();
    run.actor = by.name(); // whoever runs it now answers for what it does
    run.settings = CampaignSettings::fromJson(QJsonDocument::fromJson(run.record.settings.toUtf8()).object());
    run.pool.setMaxThreadCount(run.settings.concurrency);
    auto target = store::OperatorRepository(db).find(run.record.targetOperatorId);
    if (!target || !target.value())
        return fail(QStringLiteral("the campaign's operator is gone"));
    run.target = *target.value();
    const bool initial = run.record.kind == kindName(CampaignKind::InitialProvisioning);

    // The target operator's profile server, trusting the certificate issuer for devices.
    auto certificates = store::CertificateRepository(db).list();
    if (!certificates)
        return certificates.error();
    crypto::ChainVerifier deviceTrust;
    std::optional<crypto::CertifiedKey> serverKey;
    QString serverName;
    for (const store::CertificateRecord &c : certificates.value()) {
        auto cert = crypto::Certificate::fromDer(c.der);
        if (!cert)
            continue;
        if (c.role == store::CertificateRoleName::CertificateIssuer)
            deviceTrust.addTrustAnchor(cert.value());
        if (c.role == store::CertificateRoleName::ProfileServer && c.operatorId == run.target.id && !c.privateKeySealed.isEmpty()) {
            auto pkcs8 = m_workspace.vault().open({ "certificate", c.id, "private_key_sealed" }, c.privateKeySealed);
            if (!pkcs8)
                return fail(QStringLiteral("%1's profile server key cannot be opened: %2").arg(run.target.name, pkcs8.errorMessage()));
            auto key = crypto::EcPrivateKey::fromPkcs8(pkcs8.value());
            if (!key)
                return key.error();
            serverKey = crypto::CertifiedKey { cert.value(), key.value() };
            serverName = cert->subject().commonName;
        }
    }
    if (!serverKey)
        return fail(QStringLiteral("%1 has no profile server with a key in this workspace; import its certificate and key first")
                        .arg(run.target.name));
    run.server = std::make_unique<profiles::ProfileServer>(serverName, *serverKey, deviceTrust);

    // Every device of the campaign with where it stands.
    std::deque<Item> pending;
    QList<Item> resumed;
    {
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (auto ok = exec(q,
                           QStringLiteral(
                               "SELECT ci.device_id, d.eid, ci.state, ci.reason, ci.attempts, ci.old_profile_id, ci.new_profile_id,"
                               " cur.id, cur.iccid, cur.operator_id, op.disable_allowed, old.iccid, old.operator_id, nw.iccid"
                               " FROM campaign_item ci JOIN device d ON d.id = ci.device_id"
                               " LEFT JOIN profile cur ON cur.device_id = ci.device_id AND cur.state = 'enabled'"
                               " LEFT JOIN operator op ON op.id = cur.operator_id"
                               " LEFT JOIN profile old ON old.id = ci.old_profile_id"
                               " LEFT JOIN profile nw ON nw.id = ci.new_profile_id"
                               " WHERE ci.campaign_id = ? ORDER BY ci.id"),
                           { campaignId });
            !ok)
            return ok.error();
        while (q.next()) {
            Item it;
            it.deviceId = q.value(0).toLongLong();
            it.eid = q.value(1).toString();
            it.state = q.value(2).toString();
            it.reason = q.value(3).toString();
            it.attempts = q.value(4).toInt();
            if (!q.value(5).isNull()) {
                it.oldProfileId = q.value(5).toLongLong();
                it.oldIccid = q.value(11).toString();
                it.oldOperatorId = q.value(12).toLongLong();
            } else if (!q.value(7).isNull() && it.state == u"pending") {
                it.oldProfileId = q.value(7).toLongLong();
                it.oldIccid = q.value(8).toString();
                it.oldOperatorId = q.value(9).toLongLong();
                it.oldDisableAllowed = q.value(10).toBool();
            }
            if (!q.value(6).isNull()) {
                it.newProfileId = q.value(6).toLongLong();
                it.newIccid = q.value(13).toString();
            }
            ++run.byState[it.state];
            ++run.total;
            if (it.state == u"pending" || it.state == u"attesting")
                pending.push_back(it);
            else if (!item::isFinal(it.state))
                resumed.append(it);
            else
                ++run.doneBefore;
        }
    }
    run.elapsed.start();
    const QDateTime startedAt = run.clock.now();
    const QString resumedNote = resumed.isEmpty() ? QString() : QStringLiteral("resumed %1 devices mid-change").arg(resumed.size());
    auto started = m_workspace.writer().run([&](QSqlDatabase &wdb) -> Result<void> {
        QSqlQuery q(wdb);
        return exec(q, QStringLiteral("UPDATE campaign SET state = 'running', started_at = coalesce(started_at, ?), finished_at = NULL,"
                                      " note = ? WHERE id = ?"),
                    { storedTime(startedAt), resumedNote.isNull() ? QStringLiteral("") : resumedNote, campaignId });
    });
    if (!started)
        return started.error();
    qCInfo(lcCampaigns) << "campaign" << campaignId << "runs with" << pending.size() << "devices to start and"
                        << resumed.size() << "to resume";

    const auto contentFor = [this](qint64 profileId) -> std::optional<protocol::ProfileContent> {
        QSqlDatabase rdb = m_workspace.database();
        auto content = profiles::CredentialIssuer::reopen(rdb, m_workspace.vault(), profileId);
        if (!content)
            return std::nullopt;
        return std::move(content).value();
    };
    const auto dispatch = [&run, this](Item item, std::optional<protocol::ProfileContent> content, bool reconcile) {
        {
            QMutexLocker lock(&run.mutex);
            ++run.inFlight;
        }
        run.pool.start([&run, this, item = std::move(item), content = std::move(content), reconcile]() mutable {
            run.process(std::move(item), std::move(content), reconcile, m_links);
            QMutexLocker lock(&run.mutex);
            --run.inFlight;
            run.changed.wakeAll();
        });
    };

    // Devices a crash left mid-change go first, reconciled with what they report.
    for (Item &item : resumed) {
        std::optional<protocol::ProfileContent> content;
        if (item.newProfileId && (item.state == u"downloading" || item.state == u"enabling" || item.state == u"confirming"))
            content = contentFor(*item.newProfileId);
        dispatch(item, std::move(content), true);
    }

    attestation::AttestationOptions attestOptions;
    attestOptions.answerTimeout = run.timeout();
    attestation::AttestationService attestation(m_workspace, m_links, attestOptions);
    const qint64 canarySize = run.settings.canaryPercent > 0 && !run.record.settings.contains(QStringLiteral("canary_passed"))
        ? std::max<qint64>(1, (qint64(pending.size()) * run.settings.canaryPercent + 99) / 100)
        : 0;
    qint64 started_ = 0;
    QString note = resumedNote;
    bool canaryHeld = false;
    bool exhausted = false;
    const QDateTime rateStart = run.clock.now();

    // Credentials for a batch's cleared devices, allocated and recorded with their steps at once,
    // then the devices handed to the workers. It runs beside the feeder, which meanwhile attests
    // the next batch: done in line, it left a core idle each batch while the writer issued (the
    // workers have often finished the batch before by then). A batch that finds the range
    // exhausted comes back unissued; the feeder refuses it with everything not started.
    struct Issued
    {
        Result<void> outcome; // failed only when the store failed: the run stops
        QString exhaustedNote;
        QList<Item> unissued;
    };
    const store::SecretVault &vault = m_workspace.vault();
    const auto issueAndDispatch = [&run, &vault, &dispatch, this, campaignId](QList<Item> cleared) -> Issued {
        QList<qint64> deviceIds;
        for (const Item &item : cleared)
            deviceIds.append(item.deviceId);
        QList<profiles::IssuedProfile> issued;
        const QDateTime now = run.clock.now();
        auto allocated = m_workspace.writer().run([&](QSqlDatabase &wdb) -> Result<void> {
            auto made = profiles::CredentialIssuer::issue(wdb, vault, run.target.id, deviceIds, now);
            if (!made)
                return made.error();
            issued = std::move(made).value();
            for (qsizetype i = 0; i < cleared.size(); ++i) {
                if (auto ok = exec(wdb,
                                   QStringLiteral("UPDATE campaign_item SET state = 'downloading', new_profile_id = ?,"
                                                  " old_profile_id = ?, updated_at = ? WHERE campaign_id = ? AND device_id = ?"),
                                   { issued.at(i).profileId, maybe(cleared.at(i).oldProfileId), storedTime(now), campaignId,
                                     cleared.at(i).deviceId });
                    !ok)
                    return ok;
            }
            return {};
        });
        if (!allocated) {
            if (allocated.error().code != u"range-exhausted")
                return { allocated.error(), {}, {} };
            return { {}, allocated.errorMessage(), std::move(cleared) };
        }
        for (qsizetype i = 0; i < cleared.size(); ++i) {
            Item item = cleared.at(i);
            run.moved(item.state, QLatin1StringView(item::downloading));
            item.state = QLatin1StringView(item::downloading);
            item.newProfileId = issued.at(i).profileId;
            item.newIccid = issued.at(i).content.iccid;
            dispatch(std::move(item), std::move(issued[i].content), false);
        }
        return {}; // progress is reported by the feeder (reportProgress is not for two threads)
    };
    std::future<Issued> issuing; // the batch before; its destructor waits for it on every way out
    // Waits for the batch before to be issued; false when the run cannot go on (error set, or the
    // range is exhausted: then that batch, `alsoRefuse` and every device not started are refused).
    std::optional<Error> issueError;
    const auto settleIssuing = [&](QList<Item> *alsoRefuse) -> bool {
        if (!issuing.valid())
            return true;
        Issued done = issuing.get();
        if (!done.outcome) {
            issueError = done.outcome.error();
            return false;
        }
        if (done.exhaustedNote.isEmpty())
            return true;
        QList<std::pair<Item *, Step>> refusedAll;
        const auto refuse = [&](auto &items) {
            for (Item &item : items)
                refusedAll.append({ &item, run.failure(item, QStringLiteral("range-exhausted")) });
        };
        refuse(done.unissued);
        if (alsoRefuse)
            refuse(*alsoRefuse);
        refuse(pending);
        const bool recorded = run.advanceAll(refusedAll); // before the items it points to go
        pending.clear();
        if (!recorded)
            issueError = Error { QStringLiteral("the workspace refused to record the campaign's progress") };
        note = done.exhaustedNote;
        exhausted = true;
        return false;
    };

    while (!pending.empty()) {
        if (control && control->stopRequested())
            break;
        qint64 take = std::min<qint64>(run.settings.batchSize, qint64(pending.size()));
        if (canarySize > 0 && started_ < canarySize)
            take = std::min(take, canarySize - started_);
        // Rate limit: devices started per second since the run began.
        if (run.settings.ratePerSecond > 0) {
            take = std::min<qint64>(take, std::max<qint64>(1, qint64(run.settings.ratePerSecond)));
            const double due = double(started_) / run.settings.ratePerSecond;
            const double spent = double(rateStart.msecsTo(run.clock.now())) / 1000.0;
            if (due > spent)
                run.clock.wait(qint64((due - spent) * 1000.0));
        }
        // Keep the workers fed without running far ahead of them.
        run.drainTo(qint64(run.settings.concurrency) + run.settings.batchSize);

        QList<Item> batch;
        for (qint64 i = 0; i < take; ++i) {
            batch.append(pending.front());
            pending.pop_front();
        }
        started_ += take;

        // Decide what each device needs before anything is sent to it.
        QList<Item> toAttest;
        QList<std::pair<Item *, Step>> decided;
        for (Item &item : batch) {
            QString skip, refuse;
            if (initial) {
                if (item.oldProfileId)
                    skip = item.oldOperatorId == run.target.id ? QStringLiteral("already-on-target") : QStringLiteral("already-provisioned");
            } else if (!item.oldProfileId) {
                refuse = QStringLiteral("not-provisioned");
            } else if (item.oldOperatorId == run.target.id) {
                skip = QStringLiteral("already-on-target");
            } else if (!item.oldDisableAllowed) {
                refuse = QStringLiteral("policy-disable-not-allowed");
            }
            if (!skip.isEmpty())
                decided.append({ &item, Step(QLatin1StringView(item::skipped), skip) });
            else if (!refuse.isEmpty())
                decided.append({ &item, run.failure(item, refuse) });
            else
                toAttest.append(item);
        }
        if (!run.advanceAll(decided))
            return fail(QStringLiteral("the workspace refused to record the campaign's progress"));
        if (toAttest.isEmpty())
            continue;

        // Attestation gates every download (TR 33.812: verify before provisioning): a fresh
        // enough Affirming verdict passes; otherwise the device is attested now.
        QHash<qint64, QDateTime> freshAffirming;
        {
            QStringList ids;
            for (const Item &item : toAttest)
                ids.append(QString::number(item.deviceId));
            QSqlQuery q(db);
            q.setForwardOnly(true);
            if (q.exec(QStringLiteral("SELECT device_id, verdict, max(verified_at) FROM attestation_result WHERE device_id IN (%1)"
                                      " GROUP BY device_id")
                           .arg(ids.join(u','))))
                while (q.next()) {
                    const QDateTime at = QDateTime::fromString(q.value(2).toString(), Qt::ISODateWithMs);
                    if (q.value(1).toString() == u"affirming" && at.secsTo(run.clock.now()) <= run.target.attestationMaxAgeSeconds)
                        freshAffirming.insert(q.value(0).toLongLong(), at);
                }
        }
        QList<std::pair<qint64, QString>> attestNow;
        QList<std::pair<Item *, Step>> intents;
        for (Item &item : toAttest) {
            if (!freshAffirming.contains(item.deviceId)) {
                intents.append({ &item, Step(QLatin1StringView(item::attesting)) });
                attestNow.append({ item.deviceId, item.eid });
            }
        }
        if (!run.advanceAll(intents))
            return fail(QStringLiteral("the workspace refused to record the campaign's progress"));
        QHash<qint64, attestation::AttestationVerdict> verdicts;
        if (!attestNow.isEmpty()) {
            auto attested = attestation.attest(by, attestNow);
            if (!attested)
                return attested.error();
            for (const auto &a : attested.value())
                verdicts.insert(a.deviceId, a.verdict);
        }
        QList<Item> cleared;
        QList<std::pair<Item *, Step>> refused;
        for (Item &item : toAttest) {
            if (verdicts.contains(item.deviceId) && verdicts.value(item.deviceId).tier != attestation::TrustTier::Affirming) {
                // Refused before any credential leaves the backend.
                refused.append({ &item, run.failure(item, QStringLiteral("attestation-") + verdicts.value(item.deviceId).reasonCode) });
                continue;
            }
            cleared.append(item);
        }
        if (!run.advanceAll(refused))
            return fail(QStringLiteral("the workspace refused to record the campaign's progress"));
        if (cleared.isEmpty())
            continue;

        if (!settleIssuing(&cleared))
            break;
        issuing = std::async(std::launch::async, issueAndDispatch, cleared);
        run.reportProgress(false);

        // Staged rollout: the canary share finishes first; the rest follows only if it went well.
        if (canarySize > 0 && started_ == canarySize) {
            if (!settleIssuing(nullptr))
                break;
            run.drainTo(0);
            auto counts = store::CampaignRepository(db).countByState(campaignId);
            const qint64 ok = counts ? counts->value(QLatin1StringView(item::succeeded)) + counts->value(QLatin1StringView(item::skipped)) : 0;
            const double rate = 100.0 * double(ok) / double(canarySize);
            if (rate < run.settings.minSuccessPercent) {
                note = QStringLiteral("canary: %1% of the first %2 devices succeeded, below the %3% required; the campaign is "
                                      "paused. Read the failures, then resume or cancel it.")
                           .arg(rate, 0, 'f', 1)
                           .arg(canarySize)
                           .arg(run.settings.minSuccessPercent);
                canaryHeld = true;
                break;
            }
            QJsonObject settings = QJsonDocument::fromJson(run.record.settings.toUtf8()).object();
            settings.insert(QStringLiteral("canary_passed"), true);
            const QString text = QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact));
            run.record.settings = text;
            (void)m_workspace.writer().run([&](QSqlDatabase &wdb) -> Result<void> {
                QSqlQuery q(wdb);
                return exec(q, QStringLiteral("UPDATE campaign SET settings = ? WHERE id = ?"), { text, campaignId });
            });
        }
    }
    settleIssuing(nullptr);
    if (issueError)
        return *issueError;
    run.drainTo(0);
    run.pool.waitForDone();
    run.reportProgress(true);

    // Where the campaign stands now.
    QString state = QStringLiteral("finished");
    if (control && control->cancelRequested()) {
        state = QStringLiteral("cancelled");
        const QDateTime now = run.clock.now();
        (void)m_workspace.writer().run([&](QSqlDatabase &wdb) -> Result<void> {
            QSqlQuery q(wdb);
            return exec(q,
                        QStringLiteral("UPDATE campaign_item SET state = 'cancelled', reason = 'cancelled', updated_at = ?"
                                       " WHERE campaign_id = ? AND state IN ('pending', 'attesting')"),
                        { storedTime(now), campaignId });
        });
    } else if (canaryHeld || (control && control->pauseRequested())) {
        state = QStringLiteral("paused");
    } else if (run.unresolved > 0) {
        state = QStringLiteral("interrupted");
        note = QStringLiteral("%1 devices did not answer while their change was reconciled; resume the campaign to finish them")
                   .arg(run.unresolved);
    }
    if (exhausted)
        state = QStringLiteral("finished");
    const QDateTime finishedAt = run.clock.now();
    const QStringList findings = run.reconciled;
    auto summaryNow = summaryOf(by, campaignId);
    QJsonObject details = summaryNow ? summaryNow->toJson() : QJsonObject();
    details.insert(QStringLiteral("state"), state);
    if (!findings.isEmpty()) {
        details.insert(QStringLiteral("reconciled"), qint64(findings.size()));
        details.insert(QStringLiteral("reconciled_first"), QJsonArray::fromStringList(findings.mid(0, 20)));
    }
    auto closed = m_workspace.writer().run([&](QSqlDatabase &wdb) -> Result<void> {
        QSqlQuery q(wdb);
        if (auto ok = exec(q, QStringLiteral("UPDATE campaign SET state = ?, finished_at = ?, note = ? WHERE id = ?"),
                           { state, storedTime(finishedAt), note.isNull() ? QStringLiteral("") : note, campaignId });
            !ok)
            return ok;
        return store::AuditLog::record(wdb, finishedAt, run.actor, QStringLiteral("campaign.run"),
                                       QStringLiteral("campaign:%1").arg(campaignId), details);
    });
    if (!closed)
        return closed.error();
    auto out = summaryOf(by, campaignId);
    if (out)
        out.value().seconds = double(run.elapsed.elapsed()) / 1000.0;
    return out;
}

QString CampaignService::lockPath(qint64 campaignId) const
{
    return m_workspace.info().path + QStringLiteral(".campaign-%1.lock").arg(campaignId);
}

Result<qint64> CampaignService::retryFailed(const access::Session &by, qint64 campaignId)
{
    if (auto ok = by.require(access::Permission::ControlCampaign, m_workspace.clock()); !ok)
        return ok.error();
    if (auto ok = checkVisible(by, campaignId); !ok)
        return ok.error();
    const QString actor = by.name();
    const QDateTime now = m_workspace.clock().now();
    qint64 count = 0;
    auto ok = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        if (auto done = exec(q,
                             QStringLiteral("UPDATE campaign_item SET state = 'pending', reason = '', old_profile_id = NULL,"
                                            " new_profile_id = NULL, attempts = 0, updated_at = ?"
                                            " WHERE campaign_id = ? AND state IN ('failed', 'rolled-back', 'cancelled')"),
                             { storedTime(now), campaignId });
            !done)
            return done;
        count = q.numRowsAffected();
        if (auto done = exec(q, QStringLiteral("UPDATE campaign SET state = 'paused' WHERE id = ? AND ? > 0"), { campaignId, count });
            !done)
            return done;
        return store::AuditLog::record(db, now, actor, QStringLiteral("campaign.retry"), QStringLiteral("campaign:%1").arg(campaignId),
                                       { { QStringLiteral("devices"), count } });
    });
    if (!ok)
        return ok.error();
    return count;
}

Result<CampaignSummary> CampaignService::summary(const access::Session &by, qint64 campaignId) const
{
    if (auto ok = checkVisible(by, campaignId); !ok)
        return ok.error();
    return summaryOf(by, campaignId);
}

Result<CampaignSummary> CampaignService::summaryOf(const access::Session &by, qint64 campaignId) const
{
    QSqlDatabase db = m_workspace.database();
    QSqlQuery q(db);
    if (auto ok = exec(q,
                       QStringLiteral("SELECT name, kind, state, note, started_at, finished_at FROM campaign WHERE id = ?"),
                       { campaignId });
        !ok)
        return ok.error();
    if (!q.next())
        return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
    CampaignSummary s;
    s.campaignId = campaignId;
    s.name = q.value(0).toString();
    s.kind = q.value(1).toString();
    s.state = q.value(2).toString();
    if (s.state == u"running") {
        // Recorded as running but nobody holds its lock: its process was killed.
        if (!RunLock::isHeld(lockPath(campaignId)))
            s.state = QStringLiteral("interrupted");
    }
    s.note = q.value(3).toString();
    const QDateTime started = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
    const QDateTime finished = QDateTime::fromString(q.value(5).toString(), Qt::ISODateWithMs);
    if (started.isValid())
        s.seconds = double(started.msecsTo(finished.isValid() ? finished : m_workspace.clock().now())) / 1000.0;
    const store::Scope::Condition items = by.scope().campaignItems();
    if (auto ok = exec(q,
                       QStringLiteral("SELECT ci.state, ci.reason, count(*) FROM campaign_item ci WHERE ci.campaign_id = ? AND %1"
                                      " GROUP BY ci.state, ci.reason")
                           .arg(items.sql),
                       QVariantList { campaignId } + items.values);
        !ok)
        return ok.error();
    while (q.next()) {
        const QString state = q.value(0).toString();
        const QString reason = q.value(1).toString();
        const qint64 n = q.value(2).toLongLong();
        s.total += n;
        if (state == u"succeeded")
            s.succeeded += n;
        else if (state == u"failed")
            s.failed += n;
        else if (state == u"rolled-back")
            s.rolledBack += n;
        else if (state == u"skipped")
            s.skipped += n;
        else if (state == u"cancelled")
            s.cancelled += n;
        else
            s.unfinished += n;
        if (!reason.isEmpty())
            s.byReason[reason] += n;
    }
    return s;
}

Result<QList<CampaignSummary>> CampaignService::list(const access::Session &by) const
{
    if (auto ok = by.require(access::Permission::ViewFleet, m_workspace.clock()); !ok)
        return ok.error();
    QSqlDatabase db = m_workspace.database();
    QSqlQuery q(db);
    const store::Scope::Condition visible = by.scope().campaigns();
    if (auto ok = exec(q, QStringLiteral("SELECT c.id FROM campaign c WHERE %1 ORDER BY c.id").arg(visible.sql), visible.values);
        !ok)
        return ok.error();
    QList<qint64> ids;
    while (q.next())
        ids.append(q.value(0).toLongLong());
    QList<CampaignSummary> out;
    for (qint64 id : ids) {
        auto s = summaryOf(by, id);
        if (!s)
            return s.error();
        out.append(s.value());
    }
    return out;
}

Result<void> CampaignService::writeReport(const access::Session &by, qint64 campaignId, QIODevice &out) const
{
    if (auto ok = by.require(access::Permission::ExportFleet, m_workspace.clock()); !ok)
        return ok;
    if (auto ok = checkVisible(by, campaignId); !ok)
        return ok;
    const store::Scope::Condition items = by.scope().campaignItems();
    QSqlDatabase db = m_workspace.database();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (auto ok = exec(q,
                       QStringLiteral("SELECT d.eid, ci.state, ci.reason, ci.attempts, old.iccid, nw.iccid, nw.imsi, ci.updated_at"
                                      " FROM campaign_item ci JOIN device d ON d.id = ci.device_id"
                                      " LEFT JOIN profile old ON old.id = ci.old_profile_id"
                                      " LEFT JOIN profile nw ON nw.id = ci.new_profile_id"
                                      " WHERE ci.campaign_id = ? AND %1 ORDER BY ci.id")
                           .arg(items.sql),
                       QVariantList { campaignId } + items.values);
        !ok)
        return ok.error();
    QByteArray text = "eid,outcome,reason,attempts,old_iccid,new_iccid,new_imsi,updated_at\n";
    while (q.next()) {
        for (int c = 0; c < 8; ++c) {
            if (c)
                text += ',';
            text += q.value(c).toString().toUtf8();
        }
        text += '\n';
        if (text.size() > (1 << 20)) {
            if (out.write(text) != text.size())
                return fail(QStringLiteral("writing the report failed: %1").arg(out.errorString()));
            text.clear();
        }
    }
    if (out.write(text) != text.size())
        return fail(QStringLiteral("writing the report failed: %1").arg(out.errorString()));
    return {};
}

} // namespace simfleet::campaigns
