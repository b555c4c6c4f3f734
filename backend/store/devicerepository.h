#pragma once

#include "core/result.h"
#include "records.h"
#include "scope.h"

#include <QHash>
#include <QSet>
#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>
#include <QStringList>

#include <functional>

namespace simfleet::store {

class DeviceRepository
{
public:
    explicit DeviceRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    // Inserts count devices, asking fill for each one in turn, so a million-row import never
    // needs a million records in memory at once. Runs inside the caller's transaction.
    Result<qint64> insertMany(qsizetype count, const std::function<void(qsizetype, DeviceRecord &)> &fill,
                              const QDateTime &at);

    // The enrolled devices among these EIDs and IMEIs, keyed by EID and by IMEI.
    struct Existing
    {
        QHash<QString, DeviceRecord> byEid;
        QHash<QString, DeviceRecord> byImei;
    };
    Result<Existing> findExisting(const QStringList &eids, const QStringList &imeis);

    Result<qint64> count();
    // Moves a device into the fleet of the same name that customerId owns, if there is one (a
    // subscription change that also changes the owner made it).
    Result<void> moveToCustomersFleet(qint64 deviceId, qint64 customerId);
    // (id, EID) of a fleet's devices, or of the devices with these EIDs, in EID order.
    Result<QList<std::pair<qint64, QString>>> idsInFleet(qint64 fleetId);
    Result<QList<std::pair<qint64, QString>>> idsForEids(const QStringList &eids);
    // Devices with their fleet, customer, enabled profile and latest verdict, in EID order;
    // fleetId restricts to one fleet.
    Result<void> forEachOverview(const Scope &scope, std::optional<qint64> fleetId, const std::function<void(const DeviceOverview &)> &visit);

    // One page of the device list, filtered and sorted in SQL (the GUI's table at a million
    // devices). where/values come from fleet::DeviceFilter; search matches EID, IMEI or label.
    enum class Sort { Eid, Imei, Label, Customer, Fleet, Operator, Iccid, Attestation, Model };
    struct PageQuery
    {
        QString where; // over device d, fleet f, customer c; empty for all
        QVariantList values;
        QString search;
        Sort sort = Sort::Eid;
        bool descending = false;
    };
    Result<QList<DeviceOverview>> overviewPage(const Scope &scope, const PageQuery &query, qint64 offset, int limit);
    Result<qint64> countMatching(const Scope &scope, const PageQuery &query);
    // Where the matching devices are (those with a position), for the Map page.
    struct Position
    {
        QString eid;
        QString label;
        QString fleet;
        double latitude = 0, longitude = 0;
        QString custody;
        bool quarantined = false;
    };
    Result<QList<Position>> positions(const Scope &scope, const PageQuery &query);
    // The ids among those given that the scope does not show (none for an unrestricted scope).
    Result<QList<qint64>> outsideScope(const Scope &scope, const QList<qint64> &ids);
    // (id, EID) of the devices given that exist, by id.
    Result<QList<std::pair<qint64, QString>>> withEids(const QList<qint64> &ids);
    // The home operators of the given devices' fleets; someWithout says whether a fleet has none.
    Result<QSet<qint64>> homeOperatorsOf(const QList<qint64> &ids, bool *someWithout);

private:
    // Runs sql (its "%1" replaced by one "?" per id) over the ids 500 at a time, then values.
    Result<void> forIdsInChunks(const QList<qint64> &ids, const QString &sql, const QVariantList &values, const char *doing,
                                const std::function<void(const QSqlQuery &)> &visit);

    QSqlDatabase m_db;
};

} // namespace simfleet::store
