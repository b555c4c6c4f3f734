#include "progresschart.h"

#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

namespace simfleet::ui::charts {

ProgressChart::ProgressChart(bool withProblems, QWidget *parent)
    : ChartPanel(parent), m_done(new QLineSeries(this)), m_rate(new QLineSeries(this)), m_time(new QValueAxis(this)),
      m_devices(new QValueAxis(this)), m_perSecond(new QValueAxis(this))
{
    QChart *c = chart();
    m_done->setName(tr("done"));
    m_done->setPen(QPen(QColor(0x1e, 0x7e, 0x34), 2));
    m_rate->setName(tr("devices per second"));
    m_rate->setPen(QPen(QColor(0x3a, 0x78, 0xb5), 1.5, Qt::DashLine));
    c->addSeries(m_done);
    if (withProblems) {
        m_problems = new QLineSeries(this);
        m_problems->setName(tr("failed or rolled back"));
        m_problems->setPen(QPen(QColor(0xc0, 0x39, 0x2b), 2));
        c->addSeries(m_problems);
    }
    c->addSeries(m_rate);
    m_time->setTitleText(tr("seconds"));
    m_devices->setTitleText(tr("devices"));
    m_perSecond->setTitleText(tr("per second"));
    c->addAxis(m_time, Qt::AlignBottom);
    c->addAxis(m_devices, Qt::AlignLeft);
    c->addAxis(m_perSecond, Qt::AlignRight);
    for (QLineSeries *s : { m_done, m_problems, m_rate }) {
        if (!s)
            continue;
        s->attachAxis(m_time);
        s->attachAxis(s == m_rate ? m_perSecond : m_devices);
    }
    c->legend()->setAlignment(Qt::AlignBottom);
    restart();
    restyle();
}

void ProgressChart::restart()
{
    for (QLineSeries *s : { m_done, m_problems, m_rate }) {
        if (s)
            s->clear();
    }
    m_fastest = 1;
    scaleAxis(m_time, 10, false);
    scaleAxis(m_devices, 10, true);
    scaleAxis(m_perSecond, 10, false);
}

bool ProgressChart::isEmpty() const
{
    return m_done->count() == 0;
}

void ProgressChart::add(const campaigns::CampaignProgress &p)
{
    // The rate drawn is the one since the previous point (the average so far is in the text),
    // over at least a fifth of a second: points a few milliseconds apart (a retry whose devices
    // fail at once) would draw rates of hundreds of thousands per second.
    constexpr double shortestSpan = 0.2;
    double rate = p.devicesPerSecond;
    if (m_done->count() > 0) {
        const double span = p.elapsedSeconds - m_rateFrom.x();
        if (span >= shortestSpan) {
            rate = (double(p.done) - m_rateFrom.y()) / span;
            m_rateFrom = QPointF(p.elapsedSeconds, double(p.done));
        } else {
            rate = m_rate->at(m_rate->count() - 1).y();
        }
    } else {
        m_rateFrom = QPointF(p.elapsedSeconds, double(p.done));
    }
    rate = std::max(0.0, rate);
    m_done->append(p.elapsedSeconds, double(p.done));
    if (m_problems)
        m_problems->append(p.elapsedSeconds, double(p.byState.value(campaigns::ItemState::Failed)
                                                    + p.byState.value(campaigns::ItemState::RolledBack)));
    m_rate->append(p.elapsedSeconds, rate);
    m_fastest = std::max(m_fastest, rate);
    scaleAxis(m_time, std::max(1.0, p.elapsedSeconds), false);
    scaleAxis(m_devices, std::max<double>(1, double(p.total)), true);
    scaleAxis(m_perSecond, m_fastest * 1.05, false);
}

} // namespace simfleet::ui::charts
