#include "campaignprogresschart.h"

#include <QCoreApplication>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

namespace simfleet::ui {

namespace {
QString label(const char *text)
{
    return QCoreApplication::translate("simfleet::ui::CampaignProgressChart", text);
}
} // namespace

CampaignProgressChart::CampaignProgressChart(bool withProblems)
    : m_done(new QLineSeries(this)), m_rate(new QLineSeries(this)), m_time(new QValueAxis(this)),
      m_devices(new QValueAxis(this)), m_perSecond(new QValueAxis(this))
{
    m_done->setName(label("done"));
    m_done->setPen(QPen(QColor(0x1e, 0x7e, 0x34), 2));
    m_rate->setName(label("devices per second"));
    m_rate->setPen(QPen(QColor(0x3a, 0x78, 0xb5), 1.5, Qt::DashLine));
    addSeries(m_done);
    if (withProblems) {
        m_problems = new QLineSeries(this);
        m_problems->setName(label("failed or rolled back"));
        m_problems->setPen(QPen(QColor(0xc0, 0x39, 0x2b), 2));
        addSeries(m_problems);
    }
    addSeries(m_rate);
    m_time->setTitleText(label("seconds"));
    m_devices->setTitleText(label("devices"));
    m_perSecond->setTitleText(label("per second"));
    for (QValueAxis *axis : { m_time, m_devices, m_perSecond })
        axis->setLabelFormat(QStringLiteral("%d"));
    addAxis(m_time, Qt::AlignBottom);
    addAxis(m_devices, Qt::AlignLeft);
    addAxis(m_perSecond, Qt::AlignRight);
    for (QLineSeries *s : { m_done, m_problems, m_rate }) {
        if (!s)
            continue;
        s->attachAxis(m_time);
        s->attachAxis(s == m_rate ? m_perSecond : m_devices);
    }
    legend()->setAlignment(Qt::AlignBottom);
    restart();
}

void CampaignProgressChart::restart()
{
    for (QLineSeries *s : { m_done, m_problems, m_rate }) {
        if (s)
            s->clear();
    }
    m_fastest = 1;
    for (QValueAxis *axis : { m_time, m_devices, m_perSecond })
        axis->setRange(0, 10);
}

bool CampaignProgressChart::isEmpty() const
{
    return m_done->count() == 0;
}

void CampaignProgressChart::add(const campaigns::CampaignProgress &p)
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
        m_problems->append(p.elapsedSeconds, double(p.byState.value(QLatin1StringView(campaigns::item::failed))
                                                    + p.byState.value(QLatin1StringView(campaigns::item::rolledBack))));
    m_rate->append(p.elapsedSeconds, rate);
    m_fastest = std::max(m_fastest, rate);
    m_time->setRange(0, std::max(1.0, p.elapsedSeconds));
    // Whole seconds once there are some; before, "0 0 0 0 1" told nothing.
    m_time->setLabelFormat(p.elapsedSeconds < 5 ? QStringLiteral("%.1f") : QStringLiteral("%d"));
    m_devices->setRange(0, std::max<double>(1, double(p.total)));
    m_perSecond->setRange(0, m_fastest * 1.15);
}

} // namespace simfleet::ui
