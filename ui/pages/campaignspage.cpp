#include "campaignspage.h"
#include "pagewidgets.h"

#include "campaigntablemodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

CampaignsPage::CampaignsPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_model(new models::CampaignTableModel(access, this)), m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("campaignsPage"));
    auto *title = pageTitle(tr("Campaigns"), this);
    auto *summary = new QLabel(tr("Initial provisioning and subscription changes, with their outcomes. Start one with "
                                  "simfleet-cli provision or simfleet-cli change; hover a state for its note."),
                               this);
    summary->setWordWrap(true);
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setObjectName(QStringLiteral("refreshCampaigns"));
    auto *problem = new QLabel(this);
    problem->setObjectName(QStringLiteral("campaignsProblem"));
    problem->hide();

    m_table->setObjectName(QStringLiteral("campaignTable"));
    m_table->setModel(m_model);
    setUpRowTable(m_table, tr("Campaigns"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *top = new QHBoxLayout;
    top->addWidget(summary, 1);
    top->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(top);
    layout->addWidget(problem);
    layout->addWidget(m_table, 1);

    connect(refresh, &QPushButton::clicked, this, &CampaignsPage::reload);
    connect(m_model, &models::CampaignTableModel::loadFailed, this, [problem](const QString &message) {
        problem->setText(tr("The campaigns could not be read: %1").arg(message));
        problem->show();
    });
    connect(m_model, &models::CampaignTableModel::loaded, problem, &QWidget::hide);
}

void CampaignsPage::reload()
{
    m_model->reload();
}

} // namespace simfleet::ui
