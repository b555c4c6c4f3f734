#include "devicespage.h"
#include "pagewidgets.h"

#include "devicedetailpane.h"
#include "devicetablemodel.h"

#include "accesscontroller.h"

#include <QAction>
#include <QInputDialog>
#include <QMenu>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QSplitter>
#include <QToolButton>
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
      m_debounce(new QTimer(this)),
      m_detail(new DeviceDetailPane(this)),
      m_message(new QLabel(this)),
      m_attest(new QAction(tr("&Attest Now"), this)),
      m_change(new QAction(tr("&Change Operator…"), this)),
      m_provision(new QAction(tr("&Provision…"), this)),
      m_export(new QAction(tr("E&xport List as CSV…"), this)),
      m_reconcile(new QAction(tr("&Reconcile with Devices"), this)),
      m_report(new QAction(tr("Re&port"), this)),
      m_stolen(new QAction(tr("&Stolen…"), this)),
      m_lost(new QAction(tr("&Lost…"), this)),
      m_recovered(new QAction(tr("&Recovered"), this)),
      m_release(new QAction(tr("Release from &Quarantine"), this)),
      m_access(access)
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
                            "profile), model, verdict, reason, secure-element, eid (a prefix), custody (stolen, lost, recovered), "
                            "quarantined (yes), unseen-days (N), certificate-days (N: the device certificate ends within N days)."));
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

    m_message->setObjectName(QStringLiteral("devicesMessage"));
    m_message->setWordWrap(true);
    m_message->hide();
    m_attest->setObjectName(QStringLiteral("attestDevices"));
    m_attest->setToolTip(tr("Ask the selected devices for fresh evidence and verify it"));
    m_change->setObjectName(QStringLiteral("changeDevices"));
    m_change->setToolTip(tr("A subscription change of the selected devices, through the campaign wizard"));
    m_export->setObjectName(QStringLiteral("exportDevices"));
    m_export->setToolTip(tr("Every device the search and filter match, as CSV (no secrets)"));
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_provision->setObjectName(QStringLiteral("provisionDevices"));
    m_provision->setToolTip(tr("Give the selected devices their home operator's profile, through the campaign wizard"));
    m_reconcile->setObjectName(QStringLiteral("reconcileDevices"));
    m_reconcile->setToolTip(tr("Ask the selected devices (or, without a selection, those the filter matches) which profiles "
                               "they hold, show every difference from the workspace and repair what can be"));
    // Theft, loss and tampering: what Operations report, and what an Administrator releases.
    m_report->setObjectName(QStringLiteral("reportDevices"));
    m_report->setToolTip(tr("Report the selected devices stolen, lost or recovered, or release them from quarantine"));
    auto *reportMenu = new QMenu(this);
    reportMenu->addActions({ m_stolen, m_lost, m_recovered });
    reportMenu->addSeparator();
    reportMenu->addAction(m_release);
    m_report->setMenu(reportMenu);
    m_stolen->setObjectName(QStringLiteral("reportStolen"));
    m_stolen->setToolTip(tr("Their subscriptions are disabled at their next contact; they get none until recovered and attested"));
    m_lost->setObjectName(QStringLiteral("reportLost"));
    m_recovered->setObjectName(QStringLiteral("reportRecovered"));
    m_recovered->setToolTip(tr("Attested at their next contact; an affirming verdict gives them their subscriptions back"));
    m_release->setObjectName(QStringLiteral("releaseDevices"));
    m_release->setToolTip(tr("After an affirming verdict, the subscriptions of quarantined devices run again"));
    m_table->addActions({ m_attest, m_provision, m_change, m_reconcile, m_report, m_export });

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_search, 1);
    filters->addWidget(m_filter, 3);
    auto *actions = new QHBoxLayout;
    for (QAction *action : { m_attest, m_provision, m_change, m_reconcile, m_report, m_export }) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        if (action == m_report)
            button->setPopupMode(QToolButton::InstantPopup);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        // A tool button shows whatever its action's visibility: a role's hidden actions (and,
        // logged out, all but the export) would leave buttons that widen the window.
        button->setVisible(action->isVisible());
        connect(action, &QAction::visibleChanged, button, [button, action] { button->setVisible(action->isVisible()); });
        actions->addWidget(button);
    }
    actions->addStretch(1);
    actions->addWidget(m_count);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("devicesSplit"));
    split->addWidget(m_table);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(filters);
    layout->addWidget(m_problem);
    layout->addLayout(actions);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

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
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DevicesPage::showDetail);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DevicesPage::updateActions);
    connect(m_attest, &QAction::triggered, this, [this] {
        const QList<qint64> ids = selectedDevices();
        say(tr("Attesting %n device(s)…", nullptr, int(ids.size())));
        Q_EMIT attestRequested(ids);
    });
    connect(m_change, &QAction::triggered, this, [this] { Q_EMIT changeRequested(selectedDevices(), m_filter->text().trimmed()); });
    connect(m_filter, &QLineEdit::textChanged, this, &DevicesPage::updateActions);
    connect(m_provision, &QAction::triggered, this, [this] { Q_EMIT provisionRequested(selectedDevices()); });
    connect(m_reconcile, &QAction::triggered, this, [this] {
        const QList<qint64> ids = selectedDevices();
        say(ids.isEmpty() ? tr("Reconciling the devices the filter matches…")
                          : tr("Reconciling %n device(s)…", nullptr, int(ids.size())));
        Q_EMIT reconcileRequested(ids, m_filter->text().trimmed());
    });
    connect(m_stolen, &QAction::triggered, this, [this] { requestCustody(QStringLiteral("stolen")); });
    connect(m_lost, &QAction::triggered, this, [this] { requestCustody(QStringLiteral("lost")); });
    connect(m_recovered, &QAction::triggered, this, [this] { requestCustody(QStringLiteral("recovered")); });
    connect(m_release, &QAction::triggered, this, [this] { requestCustody(QStringLiteral("release")); });
    connect(m_export, &QAction::triggered, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Export the Device List"), QDir::home().filePath(QStringLiteral("devices.csv")),
                                       tr("CSV files (*.csv)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        dialog->setDefaultSuffix(QStringLiteral("csv"));
        connect(dialog, &QFileDialog::fileSelected, this, &DevicesPage::exportCsv);
        dialog->open();
    });
    connect(m_model, &models::DeviceTableModel::exported, this, [this](bool ok, const QString &message) { say(message, !ok); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { m_detail->showMessage(tr("Select a device to see it in full.")); });
    updateCount();
    updateActions();
}

QList<qint64> DevicesPage::selectedDevices() const
{
    QList<qint64> ids;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        ids.append(m_model->deviceIdAt(index.row()));
    return ids;
}

void DevicesPage::exportCsv(const QString &path)
{
    say(tr("Exporting…"));
    m_model->exportCsv(path);
}

void DevicesPage::say(const QString &message, bool problem)
{
    showMessage(m_message, message, problem);
}

void DevicesPage::updateActions()
{
    // The UI only hides what the role cannot do; the backend refuses it regardless.
    const access::Session *session = m_access->session();
    const bool any = m_table->selectionModel()->hasSelection();
    m_attest->setVisible(session && session->allows(access::Permission::Attest));
    m_change->setVisible(session && session->allows(access::Permission::ChangeSubscription));
    m_provision->setVisible(session && session->allows(access::Permission::Provision));
    m_provision->setEnabled(any);
    m_attest->setEnabled(any);
    m_change->setEnabled(any || !m_filter->text().trimmed().isEmpty());
    // Reconciling mends profile records, so it takes the right to provision.
    m_reconcile->setVisible(session && session->allows(access::Permission::Provision));
    m_reconcile->setEnabled(session && session->allows(access::Permission::Provision)
                            && (any || !m_filter->text().trimmed().isEmpty()));
    m_export->setEnabled(session != nullptr);
    const bool mayReport = session && session->allows(access::Permission::ReportCustody);
    const bool mayRelease = session && session->allows(access::Permission::ReleaseQuarantine);
    m_report->setVisible(mayReport || mayRelease);
    m_report->setEnabled(any);
    for (QAction *a : { m_stolen, m_lost, m_recovered })
        a->setVisible(mayReport);
    m_release->setVisible(mayRelease);
}

void DevicesPage::requestCustody(const QString &custody)
{
    const QList<qint64> ids = selectedDevices();
    if (ids.isEmpty())
        return;
    if (custody != u"stolen" && custody != u"lost") {
        say(custody == u"release" ? tr("Releasing %n device(s)…", nullptr, int(ids.size()))
                                  : tr("Reporting %n device(s) recovered…", nullptr, int(ids.size())));
        Q_EMIT custodyRequested(ids, custody, {});
        return;
    }
    // What happened, for the audit log and the alerts (a police reference, where it was last seen).
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(custody == u"stolen" ? tr("Report Stolen") : tr("Report Lost"));
    dialog->setLabelText(tr("%n device(s) will be reported %1. What happened?", nullptr, int(ids.size()))
                             .arg(custody == u"stolen" ? tr("stolen") : tr("lost")));
    connect(dialog, &QInputDialog::textValueSelected, this, [this, ids, custody](const QString &note) {
        say(tr("Reporting %n device(s)…", nullptr, int(ids.size())));
        Q_EMIT custodyRequested(ids, custody, note.trimmed());
    });
    dialog->open();
}

void DevicesPage::showDetail()
{
    const qint64 id = m_model->deviceIdAt(m_table->currentIndex().row());
    if (id == 0)
        return;
    const quint64 request = ++m_detailRequest;
    m_model->detailFor(id, this, [this, request](const Result<fleet::DeviceDetail> &d) {
        if (request != m_detailRequest)
            return; // the selection moved on
        if (d)
            m_detail->show(d.value());
        else
            m_detail->showMessage(d.errorMessage());
    });
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
    m_message->hide();
    updateActions();
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
    if (m_model->isLoading() && m_model->rowCount() == 0)
        m_count->setText(tr("Loading…"));
    else if (!m_model->isCounted())
        m_count->setText(tr("Counting the matches…; %L1 shown").arg(m_model->rowCount()));
    else
        m_count->setText(tr("%L1 devices match; %L2 shown").arg(m_model->totalCount()).arg(m_model->rowCount()));
}

} // namespace simfleet::ui
