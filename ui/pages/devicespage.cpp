#include "devicespage.h"
#include "pagewidgets.h"

#include "devicetablemodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace simfleet::ui {

DevicesPage::DevicesPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent),
      m_model(new models::DeviceTableModel(access, this)),
      m_search(new QLineEdit(this)),
      m_filter(new QLineEdit(this)),
      m_count(new QLabel(this)),
      m_problem(new QLabel(this)),
      m_table(new QTableView(this)),
      m_debounce(new QTimer(this))
{
    setObjectName(QStringLiteral("devicesPage"));
    auto *title = pageTitle(tr("Devices"), this);

    m_search->setObjectName(QStringLiteral("deviceSearch"));
    m_search->setPlaceholderText(tr("Search EID, IMEI or label"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search devices"));
    m_filter->setObjectName(QStringLiteral("deviceFilter"));
    m_filter->setPlaceholderText(tr("Filter, e.g. fleet=Rheinau smart meters and operator=Nordlink Mobile and verdict=affirming"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter devices"));
    m_filter->setToolTip(tr("Terms joined by \"and\", each KEY=VALUE. Keys: customer, fleet, operator (\"none\" for no "
                            "profile), model, verdict, secure-element, eid (a prefix)."));
    m_count->setObjectName(QStringLiteral("deviceCount"));
    m_problem->setObjectName(QStringLiteral("filterProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: palette(highlight);"));
    m_problem->hide();

    m_table->setObjectName(QStringLiteral("deviceTable"));
    m_table->setModel(m_model);
    setUpRowTable(m_table, tr("Devices"));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(models::DeviceTableModel::Eid, Qt::AscendingOrder);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setColumnWidth(models::DeviceTableModel::Eid, 270);
    m_table->setColumnWidth(models::DeviceTableModel::Imei, 140);
    m_table->setColumnWidth(models::DeviceTableModel::Label, 130);
    m_table->setColumnWidth(models::DeviceTableModel::Iccid, 160);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_filter, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(filters);
    layout->addWidget(m_problem);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_count);

    // Typing is answered after a short pause, not on every key.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, &DevicesPage::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_model, &models::DeviceTableModel::loaded, this, &DevicesPage::updateCount);
    connect(m_model, &models::DeviceTableModel::loadFailed, this, [this](const QString &message) {
        m_problem->setText(tr("The device list could not be read: %1").arg(message));
        m_problem->show();
    });
    updateCount();
}

void DevicesPage::showFiltered(const QString &filter)
{
    m_search->clear();
    m_filter->setText(filter);
    m_debounce->stop();
    applyFilter();
}

void DevicesPage::reload()
{
    applyFilter();
}

void DevicesPage::applyFilter()
{
    const QString problem = m_model->setFilter(m_filter->text(), m_search->text());
    m_problem->setVisible(!problem.isEmpty());
    if (!problem.isEmpty())
        m_problem->setText(tr("The filter is not understood: %1").arg(problem));
}

void DevicesPage::updateCount()
{
    m_count->setText(m_model->isLoading() && m_model->rowCount() == 0
                         ? tr("Loading…")
                         : tr("%L1 devices match; %L2 shown").arg(m_model->totalCount()).arg(m_model->rowCount()));
}

} // namespace simfleet::ui
