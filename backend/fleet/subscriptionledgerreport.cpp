#include "subscriptionledgerreport.h"
#include "csvreader.h"

#include "core/clock.h"

#include <QHash>
#include <QJsonValue>
#include <QSet>
#include <QStringList>

#include <algorithm>
#include <map>
#include <tuple>

namespace simfleet::fleet {

namespace {

QDateTime monthStart(QDate day)
{
    return QDateTime(QDate(day.year(), day.month(), 1), QTime(0, 0), Qt::UTC);
}

struct Key
{
    QDate month;
    QString customer;
    QString operatorName;
    bool operator<(const Key &o) const
    {
        return std::tie(month, customer, operatorName) < std::tie(o.month, o.customer, o.operatorName);
    }
};

QJsonValue causeJson(const std::optional<qint64> &campaign, const QString &event)
{
    if (!campaign && event.isEmpty())
        return QJsonValue::Null;
    QJsonObject out { { QStringLiteral("event"), event } };
    if (campaign)
        out.insert(QStringLiteral("campaign"), *campaign);
    return out;
}

QString days(qint64 milliseconds)
{
    return QString::number(double(milliseconds) / 86'400'000.0, 'f', 3);
}

} // namespace

qint64 millisecondsWithin(const store::SubscriptionPeriod &p, const QDateTime &from, const QDateTime &to, const QDateTime &now)
{
    const QDateTime start = std::max(p.from, from);
    const QDateTime end = std::min(p.to.isValid() ? p.to : now, to);
    return start < end ? start.msecsTo(end) : 0;
}

QList<LedgerMonth> monthlyDeviceDays(const QList<store::SubscriptionPeriod> &periods, const QDateTime &from,
                                     const QDateTime &to, const QDateTime &now)
{
    struct Sum
    {
        QSet<QString> devices;
        qint64 periods = 0;
        qint64 ms = 0;
    };
    std::map<Key, Sum> sums;
    for (const store::SubscriptionPeriod &p : periods) {
        const QDateTime start = std::max(p.from, from);
        const QDateTime end = std::min(p.to.isValid() ? p.to : now, to);
        // Each month the period touches gets the part inside it.
        for (QDateTime m = monthStart(start.toUTC().date()); m < end; m = m.addMonths(1)) {
            const qint64 inside = millisecondsWithin(p, std::max(from, m), std::min(to, m.addMonths(1)), now);
            if (inside <= 0)
                continue;
            Sum &s = sums[Key { m.date(), p.customerName, p.operatorName }];
            s.devices.insert(p.eid);
            ++s.periods;
            s.ms += inside;
        }
    }
    QList<LedgerMonth> out;
    out.reserve(qsizetype(sums.size()));
    for (const auto &[key, sum] : sums)
        out.append({ key.month, key.customer, key.operatorName, qint64(sum.devices.size()), sum.periods, sum.ms });
    return out;
}

namespace ledgerFormat {

QString cause(const std::optional<qint64> &campaign, const QString &event)
{
    if (campaign)
        return QStringLiteral("campaign %1").arg(*campaign);
    return event;
}

QJsonObject period(const store::SubscriptionPeriod &p)
{
    return { { QStringLiteral("eid"), p.eid },
             { QStringLiteral("iccid"), p.iccid },
             { QStringLiteral("operator"), p.operatorName },
             { QStringLiteral("customer"), p.customerName },
             { QStringLiteral("from"), storedTime(p.from) },
             { QStringLiteral("to"), p.to.isValid() ? QJsonValue(storedTime(p.to)) : QJsonValue(QJsonValue::Null) },
             { QStringLiteral("started_by"), causeJson(p.startedByCampaign, p.startedByEvent) },
             { QStringLiteral("ended_by"), causeJson(p.endedByCampaign, p.endedByEvent) } };
}

QJsonObject month(const LedgerMonth &m)
{
    return { { QStringLiteral("month"), m.month.toString(QStringLiteral("yyyy-MM")) },
             { QStringLiteral("customer"), m.customer },
             { QStringLiteral("operator"), m.operatorName },
             { QStringLiteral("devices"), m.devices },
             { QStringLiteral("periods"), m.periods },
             { QStringLiteral("device_days"), days(m.milliseconds).toDouble() },
             { QStringLiteral("device_seconds"), m.milliseconds / 1000 } };
}

QByteArray periodCsvHeader()
{
    return "eid,iccid,operator,customer,from,to,started_by,ended_by\n";
}

QByteArray periodCsvRow(const store::SubscriptionPeriod &p)
{
    const QStringList fields { csvQuoted(p.eid),
                               csvQuoted(p.iccid),
                               csvQuoted(p.operatorName),
                               csvQuoted(p.customerName),
                               storedTime(p.from),
                               p.to.isValid() ? storedTime(p.to) : QString(),
                               csvQuoted(cause(p.startedByCampaign, p.startedByEvent)),
                               csvQuoted(cause(p.endedByCampaign, p.endedByEvent)) };
    return fields.join(u',').toUtf8() + '\n';
}

QByteArray monthCsvHeader()
{
    return "month,customer,operator,devices,periods,device_days\n";
}

QByteArray monthCsvRow(const LedgerMonth &m)
{
    const QStringList fields { m.month.toString(QStringLiteral("yyyy-MM")),
                               csvQuoted(m.customer),
                               csvQuoted(m.operatorName),
                               QString::number(m.devices),
                               QString::number(m.periods),
                               days(m.milliseconds) };
    return fields.join(u',').toUtf8() + '\n';
}

} // namespace ledgerFormat

} // namespace simfleet::fleet
