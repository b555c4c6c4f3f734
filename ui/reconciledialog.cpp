#include "reconciledialog.h"

#include "campaigns/reconciliation.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace simfleet::ui {

ReconcileDialog::ReconcileDialog(const campaigns::ReconcileReport &report, QWidget *parent)
    : QDialog(parent), m_summary(new QLabel(this)), m_table(new QTableWidget(this))
{
    setObjectName(QStringLiteral("reconcileDialog"));
    setWindowTitle(tr("Reconciled with the Devices"));
    m_summary->setObjectName(QStringLiteral("reconcileSummary"));
    m_summary->setWordWrap(true);
    QString text = tr("%n device(s) asked: %1 agree with the workspace, %2 did not answer.", nullptr, int(report.devices))
                       .arg(report.agreeing)
                       .arg(report.unanswered);
    if (report.differences.isEmpty())
        text += QLatin1Char(' ') + tr("No differences.");
    else
        text += QLatin1Char(' ') + tr("%1 difference(s) repaired, %2 not (the action says why).").arg(report.repaired).arg(report.unrepaired);
    m_summary->setText(text);

    m_table->setObjectName(QStringLiteral("reconcileDifferences"));
    m_table->setColumnCount(5);
    m_table->setHorizontalHeaderLabels({ tr("Device"), tr("Profile"), tr("Workspace says"), tr("Device says"), tr("Action taken") });
    m_table->setRowCount(int(report.differences.size()));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Differences between the workspace and the devices"));
    for (int row = 0; row < report.differences.size(); ++row) {
        const campaigns::ReconcileDifference &d = report.differences.at(row);
        const QStringList cells { d.eid, d.iccid, d.workspaceSays, d.deviceSays, d.action };
        for (int column = 0; column < cells.size(); ++column)
            m_table->setItem(row, column, new QTableWidgetItem(cells.at(column)));
    }
    m_table->resizeColumnsToContents();
    m_table->setVisible(!report.differences.isEmpty());

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(900, report.differences.isEmpty() ? 160 : 420);
}

} // namespace simfleet::ui
