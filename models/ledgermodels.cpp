#include "ledgermodels.h"

#include "access/session.h"
#include "core/clock.h"
#include "fleet/fleetqueries.h"
#include "store/workspace.h"

#include <QLocale>

namespace simfleet::models {

namespace {
QString days(qint64 ms)
{
    return QLocale().toString(double(ms) / 86'400'000.0, 'f', 2);
}
} // namespace

LedgerPeriodModel::LedgerPeriodModel(AccessController *access, QObject *parent) : TableModel(access, ColumnCount, parent) { }

void LedgerPeriodModel::setQuery(QDate month, std::optional<qint64> customerId, std::optional<qint64> operatorId)
{
    m_from = QDateTime(QDate(month.year(), month.month(), 1), QTime(0, 0), Qt::UTC);
    m_to = m_from.addMonths(1);
    m_customerId = customerId;
    m_operatorId = operatorId;
    reload();
}

void LedgerPeriodModel::reload()
{
    if (!m_from.isValid())
        return;
    struct Read
    {
        QList<store::SubscriptionPeriod> periods;
        QDateTime now;
    };
    const store::LedgerFilter filter { m_from, m_to, m_customerId, m_operatorId, std::nullopt };
    load<Read>(
        [filter](store::Workspace &ws, const access::Session &by) -> Result<Read> {
            auto periods = fleet::FleetQueries(ws).ledger(by, filter);
            if (!periods)
                return periods.error();
            return Read { std::move(periods).value(), ws.clock().now() };
        },
        [this](Read &&read) {
            m_periods = std::move(read.periods);
            m_now = read.now;
            m_months = fleet::monthlyDeviceDays(m_periods, m_from, m_to, m_now);
        });
}

qint64 LedgerPeriodModel::insideMonth(const store::SubscriptionPeriod &p) const
{
    return fleet::millisecondsWithin(p, m_from, m_to, m_now);
}

int LedgerPeriodModel::rows() const
{
    return int(m_periods.size());
}

QVariant LedgerPeriodModel::cell(int row, int column, int role) const
{
    const store::SubscriptionPeriod &p = m_periods.at(row);
    if (role == SortRole) {
        switch (column) {
        case From: return p.from;
        case To: return p.to.isValid() ? p.to : QDateTime(QDate(9999, 12, 31), QTime(0, 0), Qt::UTC);
        case Days: return insideMonth(p);
        default: break;
        }
        role = Qt::DisplayRole;
    }
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (column) {
    case Eid: return p.eid;
    case Iccid: return p.iccid;
    case Operator: return p.operatorName;
    case Customer: return p.customerName;
    case From: return locale.toString(p.from.toLocalTime(), QLocale::ShortFormat);
    case To: return p.to.isValid() ? locale.toString(p.to.toLocalTime(), QLocale::ShortFormat) : tr("open");
    case StartedBy: return fleet::ledgerFormat::cause(p.startedByCampaign, p.startedByEvent);
    case EndedBy: return fleet::ledgerFormat::cause(p.endedByCampaign, p.endedByEvent);
    case Days: return days(insideMonth(p));
    default: return {};
    }
}

QString LedgerPeriodModel::columnTitle(int column) const
{
    switch (column) {
    case Eid: return tr("EID");
    case Iccid: return tr("ICCID");
    case Operator: return tr("Operator");
    case Customer: return tr("Customer");
    case From: return tr("From");
    case To: return tr("To");
    case StartedBy: return tr("Started by");
    case EndedBy: return tr("Ended by");
    case Days: return tr("Days in month");
    default: return {};
    }
}

LedgerMonthModel::LedgerMonthModel(QObject *parent) : TableModel(nullptr, ColumnCount, parent) { }

void LedgerMonthModel::setMonths(const QList<fleet::LedgerMonth> &months)
{
    beginResetModel();
    m_months = months;
    endResetModel();
}

int LedgerMonthModel::rows() const
{
    return int(m_months.size());
}

QVariant LedgerMonthModel::cell(int row, int column, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    const fleet::LedgerMonth &m = m_months.at(row);
    const QLocale locale;
    switch (column) {
    case Customer: return m.customer;
    case Operator: return m.operatorName;
    case Devices: return locale.toString(m.devices);
    case Periods: return locale.toString(m.periods);
    case DeviceDays: return days(m.milliseconds);
    default: return {};
    }
}

QString LedgerMonthModel::columnTitle(int column) const
{
    switch (column) {
    case Customer: return tr("Customer");
    case Operator: return tr("Operator");
    case Devices: return tr("Devices");
    case Periods: return tr("Periods");
    case DeviceDays: return tr("Device-days");
    default: return {};
    }
}

} // namespace simfleet::models
