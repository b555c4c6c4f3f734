#include "fleetqueries.h"

#include "access/session.h"
#include "core/clock.h"
#include "store/certificaterepository.h"
#include "store/customerrepository.h"
#include "store/fleetrepository.h"
#include "store/operatorrepository.h"
#include "store/workspace.h"

#include <QSet>

namespace simfleet::fleet {

namespace {
// Drops the devices out of by's scope from the list.
Result<void> withoutHidden(store::DeviceRepository &devices, const access::Session &by, QList<std::pair<qint64, QString>> &list)
{
    if (!by.scope().isRestricted() || list.isEmpty())
        return {};
    QList<qint64> ids;
    ids.reserve(list.size());
    for (const auto &d : list)
        ids.append(d.first);
    auto hidden = devices.outsideScope(by.scope(), ids);
    if (!hidden)
        return hidden.error();
    const QSet<qint64> outside(hidden->cbegin(), hidden->cend());
    list.removeIf([&outside](const auto &d) { return outside.contains(d.first); });
    return {};
}
} // namespace

Result<void> FleetQueries::mayView(const access::Session &by) const
{
    return by.require(access::Permission::ViewFleet, m_workspace.clock());
}

Result<store::FleetRecord> FleetQueries::fleetNamed(const access::Session &by, const QString &name) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::FleetRepository(m_workspace.database()).findUnique(name, by.scope());
}

Result<store::OperatorRecord> FleetQueries::operatorNamed(const access::Session &by, const QString &name) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    auto found = store::OperatorRepository(m_workspace.database()).findByName(name);
    if (!found)
        return found.error();
    // Another operator is out of an account manager's scope, and so answered as absent.
    const auto scoped = by.scope().operatorId();
    if (!found.value() || (scoped && found.value()->id != *scoped))
        return fail(QStringLiteral("there is no operator %1; simfleet-cli operators lists them").arg(name));
    return *found.value();
}

Result<store::OperatorRecord> FleetQueries::operatorWithId(const access::Session &by, qint64 id) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    auto found = store::OperatorRepository(m_workspace.database()).find(id);
    if (!found)
        return found.error();
    const auto scoped = by.scope().operatorId();
    if (!found.value() || (scoped && found.value()->id != *scoped))
        return fail(QStringLiteral("there is no operator %1").arg(id));
    return *found.value();
}

Result<store::CustomerRecord> FleetQueries::customerNamed(const access::Session &by, const QString &name) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    auto found = store::CustomerRepository(m_workspace.database()).findByName(name, by.scope());
    if (!found)
        return found.error();
    if (!found.value())
        return fail(QStringLiteral("there is no customer %1").arg(name));
    return *found.value();
}

Result<QList<store::OperatorRecord>> FleetQueries::operators(const access::Session &by) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::OperatorRepository(m_workspace.database()).listVisible(by.scope());
}

Result<QList<store::FleetRecord>> FleetQueries::fleets(const access::Session &by) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::FleetRepository(m_workspace.database()).list(by.scope());
}

Result<QList<store::CustomerRecord>> FleetQueries::customers(const access::Session &by) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::CustomerRepository(m_workspace.database()).list(by.scope());
}

Result<QList<store::CertificateRecord>> FleetQueries::profileServerCertificates(const access::Session &by) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    auto all = store::CertificateRepository(m_workspace.database()).list(store::CertificateRoleName::ProfileServer);
    if (!all)
        return all.error();
    QList<store::CertificateRecord> out;
    for (store::CertificateRecord &c : all.value()) {
        c.privateKeySealed.clear(); // never leaves the backend, sealed or not
        out.append(std::move(c));
    }
    return out;
}

Result<QList<std::pair<qint64, QString>>> FleetQueries::devicesWithEids(const access::Session &by, const QStringList &eids) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    store::DeviceRepository devices(m_workspace.database());
    auto found = devices.idsForEids(eids);
    if (!found)
        return found.error();
    // A device out of the reader's scope is answered exactly as one never enrolled.
    if (auto hidden = withoutHidden(devices, by, found.value()); !hidden)
        return hidden.error();
    for (const QString &eid : eids) {
        if (std::none_of(found->cbegin(), found->cend(), [&](const auto &d) { return d.second == eid; }))
            return fail(QStringLiteral("no device with EID %1 is enrolled").arg(eid));
    }
    return found;
}

Result<QList<std::pair<qint64, QString>>> FleetQueries::devicesWithIds(const access::Session &by, const QList<qint64> &ids) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    store::DeviceRepository devices(m_workspace.database());
    auto found = devices.withEids(ids);
    if (!found)
        return found.error();
    if (auto hidden = withoutHidden(devices, by, found.value()); !hidden)
        return hidden.error();
    return found;
}

Result<QList<std::pair<qint64, QString>>> FleetQueries::devicesInFleet(const access::Session &by, qint64 fleetId) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    // A fleet partly in scope stands for the devices of it the reader may see, as a campaign
    // over a fleet does (CampaignPlanner): refusing instead would tell that others exist.
    store::DeviceRepository devices(m_workspace.database());
    auto found = devices.idsInFleet(fleetId);
    if (!found)
        return found.error();
    if (auto hidden = withoutHidden(devices, by, found.value()); !hidden)
        return hidden.error();
    return found;
}

Result<void> FleetQueries::forEachDevice(const access::Session &by, std::optional<qint64> fleetId,
                                         const std::function<void(const store::DeviceOverview &)> &visit) const
{
    if (auto ok = mayView(by); !ok)
        return ok;
    return store::DeviceRepository(m_workspace.database()).forEachOverview(by.scope(), fleetId, visit);
}

Result<QList<store::DeviceOverview>> FleetQueries::devicePage(const access::Session &by, const store::DeviceRepository::PageQuery &query,
                                                              qint64 offset, int limit) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::DeviceRepository(m_workspace.database()).overviewPage(by.scope(), query, offset, limit);
}

Result<qint64> FleetQueries::deviceCount(const access::Session &by, const store::DeviceRepository::PageQuery &query) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::DeviceRepository(m_workspace.database()).countMatching(by.scope(), query);
}

Result<QList<store::DeviceRepository::Position>> FleetQueries::devicePositions(const access::Session &by,
                                                                              const store::DeviceRepository::PageQuery &query) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::DeviceRepository(m_workspace.database()).positions(by.scope(), query);
}

Result<QList<store::ProfileOverview>> FleetQueries::profiles(const access::Session &by, std::optional<QString> eid,
                                                             std::optional<qint64> fleetId) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::ProfileRepository(m_workspace.database()).overview(by.scope(), std::move(eid), fleetId);
}

Result<QList<store::SubscriptionPeriod>> FleetQueries::ledger(const access::Session &by, const store::LedgerFilter &filter) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    if (!filter.from.isValid() || !filter.to.isValid() || !(filter.from < filter.to))
        return fail(QStringLiteral("the ledger is read between two dates, the first before the second"));
    return store::SubscriptionLedger(m_workspace.database()).periods(by.scope(), filter);
}

Result<QList<store::DeviceAlert>> FleetQueries::alerts(const access::Session &by, int limit) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::CustodyRepository(m_workspace.database()).openAlerts(by.scope(), limit);
}

Result<store::FleetFigures> FleetQueries::figures(const access::Session &by) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::FleetStatistics(m_workspace.database()).figures(by.scope(), m_workspace.clock().now());
}

Result<QList<store::VerdictReason>> FleetQueries::verdictReasons(const access::Session &by) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::FleetStatistics(m_workspace.database()).verdictReasons(by.scope());
}

Result<QList<qint64>> FleetQueries::devicesWithVerdict(const access::Session &by, const QString &verdict, const QString &reason) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::FleetStatistics(m_workspace.database()).devicesWith(by.scope(), verdict, reason);
}

Result<QList<store::ReferenceValueRecord>> FleetQueries::referenceValues(const access::Session &by) const
{
    if (auto ok = mayView(by); !ok)
        return ok.error();
    return store::ReferenceValueRepository(m_workspace.database()).list();
}

} // namespace simfleet::fleet
