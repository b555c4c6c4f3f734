#include "campaignservice.h"
#include "campaignplanner.h"
#include "campaignqueries.h"
#include "campaignrun.h"

#include "access/session.h"
#include "core/clock.h"
#include "store/auditlog.h"
#include "store/campaignrepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace simfleet::campaigns {

namespace {

// A campaign for devices on the network waits for them until its deadline: renewed (as long
// again from now) always, or only when it has passed. True when the campaign is one for devices
// on the network.
Result<bool> renewDeadline(store::CampaignRepository &campaigns, qint64 campaignId, const QDateTime &now, bool always)
{
    auto found = campaigns.find(campaignId);
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
    QJsonObject json = QJsonDocument::fromJson(found.value()->settings.toUtf8()).object();
    const CampaignSettings settings = CampaignSettings::fromJson(json);
    if (!settings.network)
        return false;
    if (!always && settings.deadline.isValid() && settings.deadline > now)
        return true;
    json.insert(QStringLiteral("deadline"), now.addSecs(settings.deadlineSeconds).toUTC().toString(Qt::ISODateWithMs));
    if (auto ok = campaigns.setSettings(campaignId, QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact))); !ok)
        return ok.error();
    return true;
}

} // namespace

CampaignService::CampaignService(store::Workspace &workspace, devices::DeviceLinkProvider &links, QObject *parent)
    : QObject(parent), m_workspace(workspace), m_links(links)
{
    qRegisterMetaType<simfleet::campaigns::CampaignProgress>();
}

CampaignService::~CampaignService() = default;

Result<qint64> CampaignService::create(const access::Session &by, const CampaignRequest &request)
{
    const auto permission = request.kind == CampaignKind::InitialProvisioning ? access::Permission::Provision
                                                                              : access::Permission::ChangeSubscription;
    if (auto ok = by.require(permission, m_workspace.clock()); !ok)
        return ok.error();
    if (request.deviceIds.isEmpty())
        return fail(QStringLiteral("the campaign has no devices; choose a fleet, a file or a filter that matches some"));
    if (auto ok = CampaignPlanner(m_workspace).checkVisible(by, request.deviceIds); !ok)
        return ok.error();
    auto target = store::OperatorRepository(m_workspace.database()).find(request.targetOperatorId);
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
    record.state = campaignStateName(CampaignState::Created);
    CampaignSettings settings = request.settings;
    if (settings.network && !settings.deadline.isValid())
        settings.deadline = now.addSecs(settings.deadlineSeconds);
    record.settings = QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
    record.createdBy = by.name();
    const QJsonObject details { { QStringLiteral("kind"), record.kind },
                                { QStringLiteral("operator"), target.value()->name },
                                { QStringLiteral("devices"), qint64(request.deviceIds.size()) },
                                { QStringLiteral("settings"), settings.toJson() } };
    qint64 campaignId = 0;
    auto ok = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::CampaignRepository campaigns(db);
        auto id = campaigns.create(record, now);
        if (!id)
            return id.error();
        campaignId = id.value();
        if (auto added = campaigns.addItems(campaignId, request.deviceIds, itemStateName(ItemState::Pending), now); !added)
            return added.error();
        // The new owner gets a fleet of the same name for every fleet the devices come from.
        if (request.newCustomerId) {
            if (auto made = store::FleetRepository(db).addFleetsForNewOwner(campaignId, *request.newCustomerId,
                                                                             request.targetOperatorId, now);
                !made)
                return made;
        }
        return store::AuditLog::record(db, now, by.author(), QStringLiteral("campaign.create"),
                                       QStringLiteral("campaign:%1").arg(campaignId), details);
    });
    if (!ok)
        return ok.error();
    return campaignId;
}

Result<CampaignSummary> CampaignService::run(const access::Session &by, qint64 campaignId, CampaignControl *control)
{
    if (auto ok = by.require(access::Permission::ControlCampaign, m_workspace.clock()); !ok)
        return ok.error();
    if (!m_workspace.isUnlocked())
        return fail(QStringLiteral("the workspace is locked; unlock it with its passphrase to run a campaign"));
    const auto report = [this](const CampaignProgress &p) {
        if (m_progressCallback)
            m_progressCallback(p);
        Q_EMIT progressed(p);
    };
    return CampaignRun(m_workspace, m_links, by, control, report, m_progressIntervalMs).execute(campaignId);
}

Result<void> CampaignService::traceTo(const access::Session &by, qint64 campaignId, const QString &directory)
{
    if (auto ok = by.require(access::Permission::ControlCampaign, m_workspace.clock()); !ok)
        return ok;
    if (auto ok = CampaignQueries(m_workspace).checkVisible(by, campaignId); !ok)
        return ok;
    return m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::CampaignRepository campaigns(db);
        auto found = campaigns.find(campaignId);
        if (!found)
            return found.error();
        if (!found.value())
            return fail(QStringLiteral("there is no campaign %1").arg(campaignId));
        QJsonObject settings = QJsonDocument::fromJson(found.value()->settings.toUtf8()).object();
        settings.insert(QStringLiteral("trace_directory"), directory);
        return campaigns.setSettings(campaignId, QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact)));
    });
}

Result<qint64> CampaignService::retryFailed(const access::Session &by, qint64 campaignId)
{
    if (auto ok = by.require(access::Permission::ControlCampaign, m_workspace.clock()); !ok)
        return ok.error();
    if (auto ok = CampaignQueries(m_workspace).checkVisible(by, campaignId); !ok)
        return ok.error();
    const store::AuditAuthor author = by.author();
    const QDateTime now = m_workspace.clock().now();
    qint64 count = 0;
    auto ok = m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::CampaignRepository campaigns(db);
        auto reset = campaigns.resetForRetry(campaignId, now);
        if (!reset)
            return reset.error();
        count = reset.value();
        if (count > 0) {
            if (auto paused = campaigns.setState(campaignId, campaignStateName(CampaignState::Paused)); !paused)
                return paused;
            // Devices on the network get as long again to check in as the campaign gave them.
            if (auto renewed = renewDeadline(campaigns, campaignId, now, true); !renewed)
                return renewed.error();
        }
        return store::AuditLog::record(db, now, author, QStringLiteral("campaign.retry"), QStringLiteral("campaign:%1").arg(campaignId),
                                       { { QStringLiteral("devices"), count } });
    });
    if (!ok)
        return ok.error();
    return count;
}

Result<void> CampaignService::resumeOnNetwork(const access::Session &by, qint64 campaignId)
{
    if (auto ok = by.require(access::Permission::ControlCampaign, m_workspace.clock()); !ok)
        return ok;
    if (auto ok = CampaignQueries(m_workspace).checkVisible(by, campaignId); !ok)
        return ok;
    const store::AuditAuthor author = by.author();
    const QDateTime now = m_workspace.clock().now();
    return m_workspace.writer().run([&](QSqlDatabase &db) -> Result<void> {
        store::CampaignRepository campaigns(db);
        auto found = campaigns.find(campaignId);
        if (!found)
            return found.error();
        const auto state = found.value() ? campaignStateFromName(found.value()->state) : std::nullopt;
        // Running or created: serve takes it up (again) by itself; ended: nothing to resume.
        if (!state || (*state != CampaignState::Paused && *state != CampaignState::Interrupted))
            return {};
        auto network = renewDeadline(campaigns, campaignId, now, false);
        if (!network)
            return network.error();
        if (!network.value())
            return fail(QStringLiteral("campaign %1 is for the simulated field's devices, not devices on the network").arg(campaignId));
        if (auto ok = campaigns.setState(campaignId, campaignStateName(CampaignState::Running)); !ok)
            return ok;
        return store::AuditLog::record(db, now, author, QStringLiteral("campaign.resume"), QStringLiteral("campaign:%1").arg(campaignId),
                                       { { QStringLiteral("devices"), QStringLiteral("network") } });
    });
}

} // namespace simfleet::campaigns
