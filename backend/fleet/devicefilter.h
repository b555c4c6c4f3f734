#pragma once

#include "core/result.h"

#include <QList>
#include <QString>
#include <QVariantList>

class QSqlDatabase;

namespace simfleet::store {
class Scope;
}

namespace simfleet::fleet {

// Which devices a campaign, a list or an export is about, written as the command line and the
// GUI's filter bar take it: terms joined by "and", each KEY=VALUE, e.g.
//   fleet=Rheinau meters and operator=Nordtel and verdict=affirming
// Keys: customer, fleet, operator (of the enabled profile; "none" for none), model,
// verdict (latest attestation: affirming, warning, contraindicated, none, or not-attested),
// secure-element, eid (a prefix). Matching is exact except eid.
struct DeviceFilter
{
    struct Term
    {
        QString key;
        QString value;
    };
    QList<Term> terms;

    static Result<DeviceFilter> parse(const QString &expression);
    // The WHERE clause (over device d, fleet f, customer c) and its bound values.
    QString whereClause(QVariantList *values) const;
    // The matching devices the scope shows.
    Result<QList<std::pair<qint64, QString>>> selectIds(QSqlDatabase db, const store::Scope &scope) const;
};

} // namespace simfleet::fleet
