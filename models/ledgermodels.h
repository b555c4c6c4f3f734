#pragma once

#include "fleet/subscriptionledgerreport.h"
#include "store/subscriptionledger.h"
#include "tablemodel.h"

#include <QDate>
#include <QList>

#include <optional>

namespace simfleet::models {

// One calendar month of the subscription ledger (the Ledger page): the periods that overlap it,
// read on the store thread within the reader's scope, and device-days per customer and operator.
class LedgerPeriodModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Eid, Iccid, Operator, Customer, From, To, StartedBy, EndedBy, Days, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit LedgerPeriodModel(AccessController *access, QObject *parent = nullptr);
    // The month (any day of it), and optionally one customer's or one operator's periods.
    void setQuery(QDate month, std::optional<qint64> customerId, std::optional<qint64> operatorId);
    void reload();

    QDateTime from() const { return m_from; }
    QDateTime to() const { return m_to; }
    const QList<store::SubscriptionPeriod> &periods() const { return m_periods; }
    const QList<fleet::LedgerMonth> &months() const { return m_months; }
    // Milliseconds of a period inside the month, up to now for one still open.
    qint64 insideMonth(const store::SubscriptionPeriod &period) const;

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;

    QDateTime m_from, m_to, m_now;
    std::optional<qint64> m_customerId, m_operatorId;
    QList<store::SubscriptionPeriod> m_periods;
    QList<fleet::LedgerMonth> m_months;
};

// Device-days per customer and operator in the month the period model holds.
class LedgerMonthModel : public TableModel
{
    Q_OBJECT
public:
    enum Column { Customer, Operator, Devices, Periods, DeviceDays, ColumnCount };
    explicit LedgerMonthModel(QObject *parent = nullptr);
    void setMonths(const QList<fleet::LedgerMonth> &months);

private:
    int rows() const override;
    QVariant cell(int row, int column, int role) const override;
    QString columnTitle(int column) const override;
    QList<fleet::LedgerMonth> m_months;
};

} // namespace simfleet::models
