#pragma once

#include "campaigns/campaign.h"
#include "devices/devicelink.h"

#include <QWidget>

#include <functional>

class QLabel;
class QPushButton;
class QTableView;

namespace simfleet::models {
class AccessController;
class CampaignRunner;
class CampaignTableModel;
struct CampaignChoices;
}

namespace simfleet::ui {

class CampaignMonitor;
class CampaignWizard;

// Campaigns (DESIGN.md "The GUI"): every campaign with its state and outcomes; a wizard for a
// new one, which then runs here with a live monitor (pause, cancel); resume or retry the
// failed devices of the one selected; its report as CSV or PDF.
class CampaignsPage : public QWidget
{
    Q_OBJECT
public:
    CampaignsPage(models::AccessController *access, devices::DeviceLinksOpener openDevices, QWidget *parent = nullptr);
    models::CampaignTableModel *model() const { return m_model; }
    models::CampaignRunner *runner() const { return m_runner; }
    CampaignMonitor *monitor() const { return m_monitor; }
    QTableView *table() const { return m_table; }
    QLabel *message() const { return m_message; }
    CampaignWizard *wizard() const { return m_wizard; }
    void reload();

    // A new campaign; with devices, a change of exactly those; with a filter, of those it matches.
    void newCampaign(const QList<qint64> &devices = {}, const QString &filter = {},
                     campaigns::CampaignKind kind = campaigns::CampaignKind::SubscriptionChange);
    void resumeSelected(bool retryFailed);
    void exportCsv(qint64 campaignId, const QString &path);
    void exportPdf(qint64 campaignId, const QString &path);

private:
    qint64 selectedCampaign() const;
    void say(const QString &text, bool problem);
    void updateButtons();
    void chooseFile(const QString &title, const QString &filter, const QString &suffix,
                    const std::function<void(qint64, const QString &)> &write);

    models::AccessController *m_access;
    models::CampaignTableModel *m_model;
    models::CampaignRunner *m_runner;
    CampaignMonitor *m_monitor;
    QTableView *m_table;
    QLabel *m_message;
    QPushButton *m_new;
    QPushButton *m_resume;
    QPushButton *m_retry;
    QPushButton *m_csv;
    QPushButton *m_pdf;
    CampaignWizard *m_wizard = nullptr;
};

} // namespace simfleet::ui
