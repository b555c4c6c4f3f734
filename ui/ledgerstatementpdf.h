#pragma once

#include "core/result.h"
#include "fleet/subscriptionledgerreport.h"
#include "store/subscriptionledger.h"

#include <QDate>
#include <QList>
#include <QString>

namespace simfleet::ui {

// What a statement covers: one calendar month, one customer and one operator (or all of
// either), and the ledger's rows for it.
struct LedgerStatement
{
    QString workspaceName;
    QString preparedBy;
    QDate month;         // its first day
    QString customer;    // "all customers" when not one
    QString operatorName;
    QList<fleet::LedgerMonth> totals;
    struct Line
    {
        store::SubscriptionPeriod period;
        qint64 milliseconds = 0; // inside the month
    };
    QList<Line> lines;
};

// The subscription statement as PDF (issue 23): the month's device-days per customer and
// operator, then every period that overlaps the month with its days in it, and lines for the
// two parties to sign. Exact to the millisecond underneath, shown to the hundredth of a day. No
// secrets. Written whole or not at all; text only, so it may run off the GUI thread.
Result<void> writeLedgerStatementPdf(const QString &path, const LedgerStatement &statement);

} // namespace simfleet::ui
