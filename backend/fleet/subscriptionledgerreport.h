#pragma once

#include "store/subscriptionledger.h"

#include <QByteArray>
#include <QDate>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace simfleet::fleet {

// Device-days one customer owes for one operator's subscriptions in one calendar month (UTC):
// the time each period of the ledger overlaps the month, and the dates asked for, summed to the
// millisecond. A period still open counts until the reading's "now".
struct LedgerMonth
{
    QDate month; // its first day
    QString customer;
    QString operatorName;
    qint64 devices = 0; // distinct devices with time in it
    qint64 periods = 0;
    qint64 milliseconds = 0;

    double deviceDays() const { return double(milliseconds) / 86'400'000.0; }
};

// How long a period lies within [from, to); one still open counts until now.
qint64 millisecondsWithin(const store::SubscriptionPeriod &period, const QDateTime &from, const QDateTime &to,
                          const QDateTime &now);

// The ledger read for accounting: periods clipped to [from, to) and split at month boundaries,
// by month, customer and operator, in that order.
QList<LedgerMonth> monthlyDeviceDays(const QList<store::SubscriptionPeriod> &periods, const QDateTime &from,
                                     const QDateTime &to, const QDateTime &now);

// The ledger as `ledger` prints it and the Ledger page exports it: one form for both.
namespace ledgerFormat {
QJsonObject period(const store::SubscriptionPeriod &period);
QJsonObject month(const LedgerMonth &month);
QByteArray periodCsvHeader();
QByteArray periodCsvRow(const store::SubscriptionPeriod &period);
QByteArray monthCsvHeader();
QByteArray monthCsvRow(const LedgerMonth &month);
// "campaign 12" or the event's name: who began or ended a period, for people.
QString cause(const std::optional<qint64> &campaign, const QString &event);
} // namespace ledgerFormat

} // namespace simfleet::fleet
