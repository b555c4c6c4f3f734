#include "operatorspage.h"
#include "pagewidgets.h"

#include "operatortablemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

OperatorsPage::OperatorsPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_model(new models::OperatorTableModel(access, this)), m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("operatorsPage"));
    auto *title = pageTitle(tr("Operators"), this);
    auto *summary = new QLabel(tr("The mobile operators whose profiles this workspace issues: their numbering, how much "
                                  "of it is used, and the policy their downloads follow."),
                               this);
    summary->setWordWrap(true);
    auto *problem = new QLabel(this);
    problem->setObjectName(QStringLiteral("operatorsProblem"));
    problem->hide();

    m_table->setObjectName(QStringLiteral("operatorTable"));
    m_table->setModel(m_model);
    setUpRowTable(m_table, tr("Operators"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addWidget(problem);
    layout->addWidget(m_table, 1);

    connect(m_model, &models::OperatorTableModel::loadFailed, this, [problem](const QString &message) {
        problem->setText(tr("The operators could not be read: %1").arg(message));
        problem->show();
    });
    connect(m_model, &models::OperatorTableModel::loaded, problem, &QWidget::hide);
}

void OperatorsPage::reload()
{
    m_model->reload();
}

} // namespace simfleet::ui
