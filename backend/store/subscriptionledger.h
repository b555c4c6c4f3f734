#pragma once

#include "core/result.h"
#include "scope.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace simfleet::store {

// Who began or ended a subscription period: a campaign (with its kind as the event), or an event
// outside campaigns ("reported-stolen", "quarantined", "reconciliation", ...).
struct LedgerCause
{
    std::optional<qint64> campaignId;
    QString event;
    // The customer a period it opens is accounted to; unset: the device's owner now. A change
    // that moves devices to a new owner opens their new periods on the new owner at once.
    std::optional<qint64> customerId;

    static LedgerCause ofEvent(const QString &event) { return { std::nullopt, event, std::nullopt }; }
};

// One period a device held a subscription, as the ledger lists it.
struct SubscriptionPeriod
{
    qint64 id = 0;
    QString eid;
    QString iccid;
    QString operatorName;
    QString customerName;
    QDateTime from;
    QDateTime to; // invalid while the period is open
    std::optional<qint64> startedByCampaign;
    QString startedByEvent;
    std::optional<qint64> endedByCampaign;
    QString endedByEvent;
};

// Which periods a listing wants: those overlapping [from, to), of a customer, operator or the
// devices now in a fleet.
struct LedgerFilter
{
    QDateTime from;
    QDateTime to;
    std::optional<qint64> customerId;
    std::optional<qint64> operatorId;
    std::optional<qint64> fleetId;
};

// The subscription ledger (table subscription_period): for every device each period it held a
// subscription. Written only by ProfileRepository::setState, in the statement's own transaction,
// so a period is open exactly while its profile is enabled.
class SubscriptionLedger
{
public:
    explicit SubscriptionLedger(QSqlDatabase db) : m_db(std::move(db)) { }

    // Opens a period for the profile unless one is open; closes the open one, if any.
    Result<void> open(qint64 profileId, const QDateTime &at, const LedgerCause &cause);
    Result<void> close(qint64 profileId, const QDateTime &at, const LedgerCause &cause);

    // The periods overlapping the filter's dates, in device then time order. An operator account
    // manager sees only the periods on their operator.
    Result<QList<SubscriptionPeriod>> periods(const Scope &scope, const LedgerFilter &filter);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
