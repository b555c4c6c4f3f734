#pragma once

#include <QWidget>

class QLabel;

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

namespace simfleet::models {
class AccessController;
class CampaignRunner;
class DashboardData;
}
namespace simfleet::campaigns {
struct CampaignProgress;
}

namespace simfleet::ui {

class CampaignProgressChart;

// The dashboard (DESIGN.md "The GUI"): devices per operator, attestation verdicts, provisioning
// per fleet, the running campaign live, and alerts (contraindicated devices, failed changes,
// expiring certificates). Every chart and alert clicks through to the device list, filtered.
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    DashboardPage(models::AccessController *access, QWidget *parent = nullptr);
    models::DashboardData *data() const { return m_data; }
    QChart *operatorChart() const { return m_operators; }
    QChart *verdictChart() const { return m_verdicts; }
    QChart *fleetChart() const { return m_fleets; }
    QLabel *alerts() const { return m_alerts; }
    // Follows the campaigns this window runs.
    void follow(models::CampaignRunner *runner);
    void reload();

Q_SIGNALS:
    // A click on a chart or an alert: the device list with this filter.
    void showDevices(const QString &filter);

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();
    void progress(const campaigns::CampaignProgress &p);

    models::DashboardData *m_data;
    QLabel *m_headline;
    QLabel *m_alerts;
    QChart *m_operators;
    QChart *m_verdicts;
    QChart *m_fleets;
    CampaignProgressChart *m_campaign;
    QLabel *m_campaignTitle;
    qint64 m_campaignId = 0;
};

} // namespace simfleet::ui
