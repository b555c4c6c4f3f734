#pragma once

#include "chartpanel.h"
#include "campaigns/campaign.h"

#include <QPointF>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace simfleet::ui::charts {

// A running campaign over time: devices done, optionally those failed or rolled back, and the
// rate, devices per second since the previous point (the Campaigns monitor and the Dashboard).
class ProgressChart : public ChartPanel
{
    Q_OBJECT
public:
    explicit ProgressChart(bool withProblems, QWidget *parent = nullptr);
    void restart();
    void add(const campaigns::CampaignProgress &progress);
    bool isEmpty() const;

private:
    QLineSeries *m_done;
    QLineSeries *m_problems = nullptr;
    QLineSeries *m_rate;
    QValueAxis *m_time;
    QValueAxis *m_devices;
    QValueAxis *m_perSecond;
    QPointF m_rateFrom; // where the rate drawn last was measured from
    double m_fastest = 1;
};

} // namespace simfleet::ui::charts
