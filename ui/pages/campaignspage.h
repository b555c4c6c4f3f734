#pragma once

#include <QWidget>

class QTableView;

namespace simfleet::models {
class AccessController;
}
namespace simfleet::models {
class CampaignTableModel;
}

namespace simfleet::ui {

// The campaigns of the workspace with their state and outcomes. Campaigns are started from the
// command line in this version (simfleet-cli provision / change); the page lists what they did.
class CampaignsPage : public QWidget
{
    Q_OBJECT
public:
    CampaignsPage(models::AccessController *access, QWidget *parent = nullptr);
    models::CampaignTableModel *model() const { return m_model; }
    void reload();

private:
    models::CampaignTableModel *m_model;
    QTableView *m_table;
};

} // namespace simfleet::ui
