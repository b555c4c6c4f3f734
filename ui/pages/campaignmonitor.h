#pragma once

#include "campaigns/campaign.h"

#include <QGroupBox>
#include <QImage>

class QLabel;
class QProgressBar;
class QPushButton;

namespace simfleet::models {
class CampaignRunner;
}

namespace simfleet::ui {

namespace charts {
class ProgressChart;
}

// The running campaign: a progress bar, counts per outcome, the rate, and a live chart of
// devices done, devices that failed or were rolled back, and devices per second over time.
// Pause lets every device in flight finish its step; cancel does the same and stops for good.
class CampaignMonitor : public QGroupBox
{
    Q_OBJECT
public:
    CampaignMonitor(models::CampaignRunner *runner, QWidget *parent = nullptr);

    qint64 campaignId() const { return m_campaignId; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *countsLabel() const { return m_counts; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *cancelButton() const { return m_cancel; }
    // The chart as a picture, for the PDF report; null before a campaign ran here.
    QImage chartImage(const QSize &size) const;

private:
    void begin(qint64 campaignId, const QString &name);
    void show(const campaigns::CampaignProgress &p);
    void finish(const campaigns::CampaignSummary &s);

    models::CampaignRunner *m_runner;
    QLabel *m_title;
    QProgressBar *m_progress;
    QLabel *m_counts;
    QPushButton *m_pause;
    QPushButton *m_cancel;
    charts::ProgressChart *m_chart;
    qint64 m_campaignId = 0;
};

} // namespace simfleet::ui
