#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;

namespace simfleet::models {
class AccessController;
class CampaignRunner;
class DashboardData;
}
namespace simfleet::campaigns {
struct CampaignProgress;
}

namespace simfleet::ui {

namespace charts {
class BarChart;
class PieChart;
class ProgressChart;
}

// The dashboard (DESIGN.md "The GUI"): devices per operator, attestation verdicts, provisioning
// per fleet, the running campaign live, and alerts (contraindicated devices, failed changes,
// expiring certificates). Every chart and alert clicks through to the device list, filtered.
class DashboardPage : public QWidget
{
    Q_OBJECT
public:
    DashboardPage(models::AccessController *access, QWidget *parent = nullptr);
    models::DashboardData *data() const { return m_data; }
    charts::BarChart *operatorChart() const { return m_operators; }
    charts::PieChart *verdictChart() const { return m_verdicts; }
    charts::BarChart *fleetChart() const { return m_fleets; }
    QLabel *alerts() const { return m_alerts; }
    // Follows the campaigns this window runs.
    void follow(models::CampaignRunner *runner);
    void reload();

Q_SIGNALS:
    // A click on a chart or an alert: the device list with this filter.
    void showDevices(const QString &filter);

private:
    void rebuild();
    void progress(const campaigns::CampaignProgress &p);

    models::DashboardData *m_data;
    QLabel *m_headline;
    QLabel *m_alerts;
    charts::BarChart *m_operators;
    charts::PieChart *m_verdicts;
    charts::BarChart *m_fleets;
    charts::ProgressChart *m_campaign;
    QStringList m_operatorFilters; // what a click on each operator's bar shows
    QStringList m_verdictFilters;
    QStringList m_fleetNames;
    QStringList m_fleetFilters; // what a fleet bar opens
    QLabel *m_campaignTitle;
    qint64 m_campaignId = 0;
};

} // namespace simfleet::ui
