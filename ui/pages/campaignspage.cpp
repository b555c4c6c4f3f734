#include "campaignspage.h"
#include "campaignmonitor.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "campaignreportpdf.h"
#include "campaignrunner.h"
#include "campaigntablemodel.h"
#include "campaignwizard.h"

#include <QDateTime>
#include <QApplication>
#include <QDir>
#include <QPointer>
#include <QThreadPool>
#include <QLocale>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

CampaignsPage::CampaignsPage(models::AccessController *access, devices::DeviceLinksOpener openDevices, QWidget *parent)
    : QWidget(parent), m_access(access), m_model(new models::CampaignTableModel(access, this)),
      m_runner(new models::CampaignRunner(access, std::move(openDevices), this)), m_monitor(new CampaignMonitor(m_runner, this)),
      m_table(new QTableView(this)), m_message(new QLabel(this)), m_new(new QPushButton(tr("&New Campaign…"), this)),
      m_resume(new QPushButton(tr("Res&ume"), this)), m_retry(new QPushButton(tr("Retry &Failed"), this)),
      m_csv(new QPushButton(tr("Report as &CSV…"), this)), m_pdf(new QPushButton(tr("Report as P&DF…"), this))
{
    setObjectName(QStringLiteral("campaignsPage"));
    auto *title = pageTitle(tr("Campaigns"), this);
    auto *summary = new QLabel(tr("Initial provisioning and make-before-break subscription changes, with their outcomes. "
                                  "Select one to resume it, retry its failed devices or export its report; hover a state "
                                  "for its note."),
                               this);
    summary->setWordWrap(true);
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setObjectName(QStringLiteral("refreshCampaigns"));
    m_new->setObjectName(QStringLiteral("newCampaign"));
    m_resume->setObjectName(QStringLiteral("resumeCampaign"));
    m_retry->setObjectName(QStringLiteral("retryFailed"));
    m_csv->setObjectName(QStringLiteral("exportCsv"));
    m_pdf->setObjectName(QStringLiteral("exportPdf"));
    m_message->setObjectName(QStringLiteral("campaignsProblem"));
    m_message->setWordWrap(true);
    m_message->hide();

    m_table->setObjectName(QStringLiteral("campaignTable"));
    m_table->setModel(m_model);
    setUpRowTable(m_table, tr("Campaigns"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : { m_new, m_resume, m_retry, m_csv, m_pdf })
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(refresh);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_monitor);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

    connect(refresh, &QPushButton::clicked, this, &CampaignsPage::reload);
    connect(m_new, &QPushButton::clicked, this, [this] { newCampaign(); });
    connect(m_resume, &QPushButton::clicked, this, [this] { resumeSelected(false); });
    connect(m_retry, &QPushButton::clicked, this, [this] { resumeSelected(true); });
    connect(m_csv, &QPushButton::clicked, this, [this] {
        chooseFile(tr("Save the Report as CSV"), tr("CSV files (*.csv)"), QStringLiteral("csv"),
                   [this](qint64 id, const QString &path) { exportCsv(id, path); });
    });
    connect(m_pdf, &QPushButton::clicked, this, [this] {
        chooseFile(tr("Save the Report as PDF"), tr("PDF files (*.pdf)"), QStringLiteral("pdf"),
                   [this](qint64 id, const QString &path) { exportPdf(id, path); });
    });
    connect(m_model, &models::CampaignTableModel::loadFailed, this,
            [this](const QString &message) { say(tr("The campaigns could not be read: %1").arg(message), true); });
    connect(m_model, &models::CampaignTableModel::loaded, this, &CampaignsPage::updateButtons);
    connect(m_model, &models::CampaignTableModel::reportWritten, this, [this](bool ok, const QString &m) { say(m, !ok); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &CampaignsPage::updateButtons);
    connect(m_runner, &models::CampaignRunner::started, this, [this] {
        m_message->hide();
        m_model->reload();
        updateButtons();
    });
    // The running campaign's row follows its counts.
    connect(m_runner, &models::CampaignRunner::progressed, m_model, &models::CampaignTableModel::updateProgress);
    connect(m_runner, &models::CampaignRunner::idle, this, &CampaignsPage::updateButtons);
    connect(m_runner, &models::CampaignRunner::scheduled, this, [this](qint64 id, const QString &name, const QDateTime &at) {
        say(tr("Campaign %1 (%2) is created and starts at %3, if this window is open then; resume it to start it earlier.")
                .arg(id)
                .arg(name, QLocale().toString(at.toLocalTime(), QLocale::ShortFormat)),
            false);
        m_model->reload();
    });
    connect(m_runner, &models::CampaignRunner::finished, this, [this] {
        m_model->reload();
        updateButtons();
    });
    connect(m_runner, &models::CampaignRunner::failed, this, [this](const QString &message) {
        say(message, true);
        m_model->reload();
        updateButtons();
    });
    updateButtons();
}

void CampaignsPage::reload()
{
    m_model->reload();
    updateButtons();
}

void CampaignsPage::say(const QString &text, bool problem)
{
    showMessage(m_message, text, problem);
}

qint64 CampaignsPage::selectedCampaign() const
{
    const QModelIndex current = m_table->currentIndex();
    const campaigns::CampaignSummary *c = current.isValid() ? m_model->campaignAt(current.row()) : nullptr;
    return c ? c->campaignId : 0;
}

void CampaignsPage::updateButtons()
{
    // The UI only hides what the role cannot do; the backend checks every call.
    const access::Session *session = m_access->session();
    const bool runs = session
        && (session->allows(access::Permission::ChangeSubscription) || session->allows(access::Permission::Provision));
    const bool busy = m_runner->isRunning();
    const QModelIndex current = m_table->currentIndex();
    const campaigns::CampaignSummary *c = current.isValid() ? m_model->campaignAt(current.row()) : nullptr;
    m_new->setVisible(runs);
    m_resume->setVisible(runs);
    m_retry->setVisible(runs);
    m_new->setEnabled(!busy);
    using campaigns::CampaignState;
    const bool resumable = c && (c->state == CampaignState::Paused || c->state == CampaignState::Interrupted || c->state == CampaignState::Created);
    m_resume->setEnabled(!busy && resumable);
    m_retry->setEnabled(!busy && c && c->state != CampaignState::Running && (c->failed > 0 || c->rolledBack > 0 || c->cancelled > 0));
    m_csv->setEnabled(c != nullptr);
    m_pdf->setEnabled(c != nullptr);
}

void CampaignsPage::newCampaign(const QList<qint64> &devices, const QString &filter, campaigns::CampaignKind kind)
{
    if (m_wizard)
        return;
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_runner, &models::CampaignRunner::choicesLoaded, this,
                          [this, connection, devices, filter, kind](const models::CampaignChoices &choices) {
                              disconnect(*connection);
                              m_wizard = new CampaignWizard(m_runner, choices, this);
                              if (!devices.isEmpty())
                                  m_wizard->presetDevices(devices, kind);
                              else if (!filter.isEmpty())
                                  m_wizard->presetFilter(filter);
                              m_wizard->setAttribute(Qt::WA_DeleteOnClose);
                              connect(m_wizard, &QObject::destroyed, this, [this] { m_wizard = nullptr; });
                              connect(m_wizard, &QDialog::accepted, this, [this] { m_runner->start(m_wizard->plan()); });
                              m_wizard->open();
                          });
    m_runner->loadChoices();
}

void CampaignsPage::resumeSelected(bool retryFailed)
{
    const qint64 id = selectedCampaign();
    if (id == 0) {
        say(tr("Select the campaign to resume."), true);
        return;
    }
    m_runner->resume(id, retryFailed);
}

void CampaignsPage::chooseFile(const QString &title, const QString &filter, const QString &suffix,
                               const std::function<void(qint64, const QString &)> &write)
{
    const qint64 id = selectedCampaign();
    if (id == 0) {
        say(tr("Select the campaign whose report to save."), true);
        return;
    }
    auto *dialog = new QFileDialog(this, title, QDir::home().filePath(QStringLiteral("campaign-%1.%2").arg(id).arg(suffix)), filter);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(suffix);
    connect(dialog, &QFileDialog::fileSelected, this, [write, id](const QString &path) { write(id, path); });
    dialog->open();
}

void CampaignsPage::exportCsv(qint64 campaignId, const QString &path)
{
    m_model->writeCsvReport(campaignId, path);
}

void CampaignsPage::exportPdf(qint64 campaignId, const QString &path)
{
    // The summary is read on the store thread; the charts are pictures made here (Qt Charts
    // belongs to the GUI thread); the PDF is written to its file on a pool thread.
    m_model->summaryFor(
        campaignId, this, [this, campaignId, path](const Result<campaigns::CampaignSummary> &s) {
            if (!s) {
                say(s.errorMessage(), true);
                return;
            }
            const QImage outcomes = campaignOutcomeChart(s.value());
            const QImage timeline = m_monitor->campaignId() == campaignId ? m_monitor->chartImage(QSize(1200, 500)) : QImage();
            const access::Session *session = m_access->session();
            const QString workspace = m_access->workspaces()->current().name;
            const QString user = session ? session->describe() : QString();
            QPointer<CampaignsPage> self(this);
            QThreadPool::globalInstance()->start([self, path, summary = s.value(), workspace, user, outcomes, timeline] {
                const Result<void> written = writeCampaignReportPdf(path, summary, workspace, user, outcomes, timeline);
                QMetaObject::invokeMethod(
                    qApp,
                    [self, path, written] {
                        if (self)
                            self->say(written ? tr("The report is in %1.").arg(QDir::toNativeSeparators(path))
                                              : written.errorMessage(),
                                      !written);
                    },
                    Qt::QueuedConnection);
            });
        });
}

} // namespace simfleet::ui
