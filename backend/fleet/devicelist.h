#pragma once

#include "core/result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <utility>

namespace simfleet::fleet {

// A file naming devices for a campaign: one EID per line, or a CSV with an "eid" column; blank
// lines and lines starting with # are skipped. Every EID must be an enrolled device, else the
// message names the first that is not.
class DeviceList
{
public:
    static Result<QList<std::pair<qint64, QString>>> read(const QString &path, QSqlDatabase db);
};

} // namespace simfleet::fleet
