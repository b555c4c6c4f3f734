#include "campaignplanner.h"
#include "core/clock.h"

#include "access/session.h"
#include "fleet/devicefilter.h"
#include "fleet/devicelist.h"
#include "store/devicerepository.h"
#include "store/fleetrepository.h"
#include "store/workspace.h"

#include <QSet>

namespace simfleet::campaigns {

namespace {

QList<qint64> idsOf(const QList<std::pair<qint64, QString>> &devices)
{
    QList<qint64> ids;
    ids.reserve(devices.size());
    for (const auto &d : devices)
        ids.append(d.first);
    return ids;
}

} // namespace

Result<void> CampaignPlanner::checkVisible(const access::Session &by, const QList<qint64> &devices) const
{
    auto hidden = store::DeviceRepository(m_workspace.database()).outsideScope(by.scope(), devices);
    if (!hidden)
        return hidden.error();
    if (!hidden->isEmpty())
        return fail(QStringLiteral("%1 of the devices chosen do not exist or cannot be seen by %2")
                        .arg(hidden->size())
                        .arg(by.describe()));
    return {};
}

Result<QList<qint64>> CampaignPlanner::devices(const access::Session &by, const DeviceSelection &selection) const
{
    const int given = int(!selection.fleet.isEmpty()) + int(!selection.devicesFile.isEmpty()) + int(!selection.filter.isEmpty())
        + int(!selection.deviceIds.isEmpty());
    if (given != 1)
        return fail(QStringLiteral("say which devices with exactly one of a fleet, a file of EIDs, a filter or a selection"));
    const QSqlDatabase db = m_workspace.database();
    if (!selection.deviceIds.isEmpty()) {
        if (auto ok = checkVisible(by, selection.deviceIds); !ok)
            return ok.error();
        return selection.deviceIds;
    }
    if (!selection.devicesFile.isEmpty()) {
        auto listed = fleet::DeviceList::read(selection.devicesFile, db, by.scope());
        if (!listed)
            return listed.error();
        return idsOf(listed.value());
    }
    if (!selection.filter.isEmpty()) {
        auto filter = fleet::DeviceFilter::parse(selection.filter);
        if (!filter)
            return fail(QStringLiteral("the filter is not understood: %1").arg(filter.errorMessage()));
        filter.value().now = m_workspace.clock().now();
        auto found = filter->selectIds(db, by.scope());
        if (!found)
            return found.error();
        return idsOf(found.value());
    }
    auto fleet = store::FleetRepository(db).findUnique(selection.fleet, by.scope());
    if (!fleet)
        return fleet.error();
    store::DeviceRepository devices(db);
    auto all = devices.idsInFleet(fleet->id);
    if (!all)
        return all.error();
    QList<qint64> ids = idsOf(all.value());
    auto hidden = devices.outsideScope(by.scope(), ids);
    if (!hidden)
        return hidden.error();
    const QSet<qint64> outside(hidden->cbegin(), hidden->cend());
    ids.removeIf([&outside](qint64 id) { return outside.contains(id); });
    return ids;
}

Result<qint64> CampaignPlanner::targetOperator(CampaignKind kind, qint64 chosen, const QList<qint64> &devices) const
{
    if (chosen != 0)
        return chosen;
    if (kind != CampaignKind::InitialProvisioning)
        return fail(QStringLiteral("choose the operator the devices move to"));
    bool missing = false;
    auto homes = store::DeviceRepository(m_workspace.database()).homeOperatorsOf(devices, &missing);
    if (!homes)
        return homes.error();
    if (missing)
        return fail(QStringLiteral("some of the devices belong to a fleet without a home operator; choose the operator to "
                                   "provision them with"));
    if (homes->size() != 1)
        return fail(QStringLiteral("the devices belong to fleets with different home operators; provision them fleet by fleet"));
    return *homes->cbegin();
}

} // namespace simfleet::campaigns
