#pragma once

#include "core/result.h"
#include "records.h"
#include "scope.h"

#include <QList>
#include <QSqlDatabase>

namespace simfleet::store {

class FleetRepository
{
public:
    explicit FleetRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<qint64> insert(const FleetRecord &fleet, const QDateTime &at);
    Result<std::optional<FleetRecord>> find(qint64 customerId, const QString &name);
    // Fleet names are unique per customer; this finds a name across customers.
    Result<QList<FleetRecord>> findByName(const QString &name);
    // The one fleet with this name, or an error that says there is none or several.
    Result<FleetRecord> findUnique(const QString &name);
    // The same among the fleets the scope shows: a fleet out of scope is answered exactly as
    // one that does not exist, and does not make a name ambiguous.
    Result<FleetRecord> findUnique(const QString &name, const Scope &scope);
    Result<QList<FleetRecord>> list();
    Result<QList<FleetRecord>> list(const Scope &scope);
    // Gives customerId a fleet of the same name (homed on operatorId) for every fleet the
    // campaign's devices come from, keeping the fleets it has already.
    Result<void> addFleetsForNewOwner(qint64 campaignId, qint64 customerId, qint64 operatorId, const QDateTime &at);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
