#pragma once

#include "core/result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <utility>

namespace simfleet::store {
class Scope;
}

namespace simfleet::fleet {

// A file naming devices for a campaign: one EID per line, or a CSV with an "eid" column; blank
// lines and lines starting with # are skipped. Every EID must be an enrolled device in the
// reader's scope, else the message names the first that is not (out of scope and never enrolled
// alike).
class DeviceList
{
public:
    static Result<QList<std::pair<qint64, QString>>> read(const QString &path, QSqlDatabase db, const store::Scope &scope);
};

} // namespace simfleet::fleet
