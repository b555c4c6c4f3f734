#pragma once

#include "core/result.h"
#include "records.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
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
    // (id, EID) of a fleet's devices, or of the devices with these EIDs, in EID order.
    Result<QList<std::pair<qint64, QString>>> idsInFleet(qint64 fleetId);
    Result<QList<std::pair<qint64, QString>>> idsForEids(const QStringList &eids);
    // Devices with their fleet, customer, enabled profile and latest verdict, in EID order;
    // fleetId restricts to one fleet.
    Result<void> forEachOverview(std::optional<qint64> fleetId, const std::function<void(const DeviceOverview &)> &visit);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
