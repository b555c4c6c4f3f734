#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QVariantList>

#include <optional>

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
// secure-element, eid (a prefix), custody, quarantined (yes or no), unseen-days (not seen for
// that many days), certificate-days (certificate ends within that many days, or ended), reason
// (the latest verdict's reason code). Matching is exact except eid.
struct DeviceFilter
{
    struct Term
    {
        QString key;
        QString value;
    };
    QList<Term> terms;
    // What the day-counting keys (unseen-days, certificate-days) count from; invalid: the wall
    // clock. A step that runs under the workspace's clock sets it.
    QDateTime now;

    static Result<DeviceFilter> parse(const QString &expression);
    // The WHERE clause (over device d, fleet f, customer c) and its bound values.
    QString whereClause(QVariantList *values) const;
    // The same as the scope's reader sees it: for an operator account manager "operator" looks
    // at their own operator's enabled profile only, so operator=ANOTHER matches nothing and a
    // device running another operator's profile counts as operator=none, as their list shows it.
    QString whereClause(QVariantList *values, const store::Scope &scope) const;
    // The matching devices the scope shows.
    Result<QList<std::pair<qint64, QString>>> selectIds(QSqlDatabase db, const store::Scope &scope) const;

private:
    QString whereFor(QVariantList *values, std::optional<qint64> onlyOperator) const;
};

} // namespace simfleet::fleet
