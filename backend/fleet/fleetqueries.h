#pragma once

#include "core/result.h"
#include "store/devicerepository.h"
#include "store/fleetstatistics.h"
#include "store/profilerepository.h"
#include "store/custodyrepository.h"
#include "store/records.h"
#include "store/subscriptionledger.h"
#include "store/referencevaluerepository.h"

#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::fleet {

// What the people who look at the fleet read: devices, fleets, operators, customers, profiles,
// verdicts and figures, for the desktop and the command line alike. Every call names the reader,
// checks that they may view the fleet, and answers within their scope (DESIGN.md "Access"), so
// the layers above reach the store through here and nowhere else.
class FleetQueries
{
public:
    explicit FleetQueries(const store::Workspace &workspace) : m_workspace(workspace) { }

    // Things by name; the message says what to do when there is none. For an operator account
    // manager, a fleet, customer or operator out of their scope gets exactly that answer too.
    Result<store::FleetRecord> fleetNamed(const access::Session &by, const QString &name) const;
    Result<store::OperatorRecord> operatorNamed(const access::Session &by, const QString &name) const;
    Result<store::OperatorRecord> operatorWithId(const access::Session &by, qint64 id) const;
    Result<store::CustomerRecord> customerNamed(const access::Session &by, const QString &name) const;

    Result<QList<store::OperatorRecord>> operators(const access::Session &by) const;
    Result<QList<store::FleetRecord>> fleets(const access::Session &by) const;
    Result<QList<store::CustomerRecord>> customers(const access::Session &by) const;
    // Each operator's profile server certificate (name, valid until), by operator id.
    Result<QList<store::CertificateRecord>> profileServerCertificates(const access::Session &by) const;

    // (id, EID) of the devices named, in the reader's scope; fails naming the first EID not found
    // (or not in scope: the same words).
    Result<QList<std::pair<qint64, QString>>> devicesWithEids(const access::Session &by, const QStringList &eids) const;
    // Those of the ids given that exist and are in the reader's scope.
    Result<QList<std::pair<qint64, QString>>> devicesWithIds(const access::Session &by, const QList<qint64> &ids) const;
    // The fleet's devices in the reader's scope.
    Result<QList<std::pair<qint64, QString>>> devicesInFleet(const access::Session &by, qint64 fleetId) const;
    Result<void> forEachDevice(const access::Session &by, std::optional<qint64> fleetId,
                               const std::function<void(const store::DeviceOverview &)> &visit) const;
    Result<QList<store::DeviceOverview>> devicePage(const access::Session &by, const store::DeviceRepository::PageQuery &query,
                                                    qint64 offset, int limit) const;
    Result<qint64> deviceCount(const access::Session &by, const store::DeviceRepository::PageQuery &query) const;
    Result<QList<store::DeviceRepository::Position>> devicePositions(const access::Session &by,
                                                                      const store::DeviceRepository::PageQuery &query) const;

    Result<QList<store::ProfileOverview>> profiles(const access::Session &by, std::optional<QString> eid,
                                                   std::optional<qint64> fleetId) const;
    // The subscription ledger's periods overlapping the filter's dates (scoped: an account
    // manager's are their operator's).
    Result<QList<store::SubscriptionPeriod>> ledger(const access::Session &by, const store::LedgerFilter &filter) const;
    // The device alerts not acknowledged, newest first (scoped).
    Result<QList<store::DeviceAlert>> alerts(const access::Session &by, int limit) const;
    Result<store::FleetFigures> figures(const access::Session &by) const;
    Result<QList<store::VerdictReason>> verdictReasons(const access::Session &by) const;
    Result<QList<qint64>> devicesWithVerdict(const access::Session &by, const QString &verdict, const QString &reason) const;
    Result<QList<store::ReferenceValueRecord>> referenceValues(const access::Session &by) const;

private:
    Result<void> mayView(const access::Session &by) const;
    const store::Workspace &m_workspace;
};

} // namespace simfleet::fleet
