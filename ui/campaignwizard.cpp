#include "campaignwizard.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRadioButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace simfleet::ui {

// Complete once the backend has counted at least one device for the selection.
class CampaignWizard::DevicesPage : public QWizardPage
{
public:
    explicit DevicesPage(CampaignWizard *wizard) : QWizardPage(wizard), m_wizard(wizard) { }
    bool isComplete() const override { return !m_wizard->m_counting && m_wizard->m_count > 0; }
    void changed() { Q_EMIT completeChanged(); }

private:
    CampaignWizard *m_wizard;
};

namespace {
QSpinBox *spin(QWidget *parent, const char *name, int low, int high, int value, const QString &accessible)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(QLatin1StringView(name));
    box->setRange(low, high);
    box->setValue(value);
    box->setAccessibleName(accessible);
    return box;
}
} // namespace

CampaignWizard::CampaignWizard(models::CampaignRunner *runner, const models::CampaignChoices &choices, QWidget *parent)
    : QWizard(parent), m_runner(runner), m_recount(new QTimer(this))
{
    setObjectName(QStringLiteral("campaignWizard"));
    resize(900, 600);
    setWindowTitle(tr("New Campaign"));
    setOption(QWizard::NoBackButtonOnStartPage);

    // 1. Devices
    auto *devices = new DevicesPage(this);
    devices->setTitle(tr("Devices"));
    devices->setSubTitle(tr("What the campaign does, and to which devices."));
    m_provision = new QRadioButton(tr("&Provision: download their home operator's profile (devices without one)"), devices);
    m_change = new QRadioButton(tr("&Change subscription: move them to another operator, make-before-break"), devices);
    m_byFleet = new QRadioButton(tr("A &fleet:"), devices);
    m_byFilter = new QRadioButton(tr("Devices &matching:"), devices);
    m_byFile = new QRadioButton(tr("Devices listed in a f&ile:"), devices);
    m_file = new QLineEdit(devices);
    m_file->setObjectName(QStringLiteral("devicesFile"));
    m_file->setAccessibleName(tr("File listing the devices"));
    m_file->setPlaceholderText(tr("one EID per line, or a CSV with an eid column"));
    auto *browse = new QPushButton(tr("Browse…"), devices);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Devices for the Campaign"), QDir::homePath(), tr("Text or CSV (*.txt *.csv);;All files (*)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
            m_file->setText(path);
            m_byFile->setChecked(true);
            m_recount->start();
        });
        dialog->open();
    });
    m_fleet = new QComboBox(devices);
    m_fleet->setObjectName(QStringLiteral("fleet"));
    m_fleet->setAccessibleName(tr("Fleet"));
    m_fleet->addItems(choices.fleets);
    m_filter = new QLineEdit(devices);
    m_filter->setObjectName(QStringLiteral("filter"));
    m_filter->setAccessibleName(tr("Device filter"));
    m_filter->setPlaceholderText(tr("e.g. fleet=Rheinau smart meters and operator=Rheinfunk and verdict=affirming"));
    m_countLabel = new QLabel(devices);
    m_countLabel->setObjectName(QStringLiteral("deviceCount"));
    m_countLabel->setWordWrap(true);
    auto *kinds = new QButtonGroup(devices);
    kinds->addButton(m_provision);
    kinds->addButton(m_change);
    auto *selection = new QButtonGroup(devices);
    selection->addButton(m_byFleet);
    selection->addButton(m_byFilter);
    selection->addButton(m_byFile);
    // Checked once grouped: siblings are exclusive among themselves until then.
    m_change->setChecked(true);
    m_byFleet->setChecked(true);
    auto *devicesLayout = new QFormLayout(devices);
    devicesLayout->addRow(m_provision);
    devicesLayout->addRow(m_change);
    devicesLayout->addRow(m_byFleet, m_fleet);
    devicesLayout->addRow(m_byFilter, m_filter);
    devicesLayout->addRow(m_byFile, fileRow);
    devicesLayout->addRow(new QLabel(tr("Filter keys: customer, fleet, operator (\"none\" for devices without a profile), "
                                        "model, verdict, secure-element, eid; joined with \"and\"."),
                                     devices));
    devicesLayout->addRow(m_countLabel);
    setPage(DevicesPageId, devices);

    // 2. Target
    auto *target = new QWizardPage(this);
    target->setTitle(tr("Operator"));
    target->setSubTitle(tr("Where the devices go. A change of owner moves them to the new customer's fleets too, as when a "
                           "utility customer changes power supplier."));
    m_operator = new QComboBox(target);
    m_operator->setObjectName(QStringLiteral("targetOperator"));
    m_operator->setAccessibleName(tr("Target operator"));
    for (const auto &[id, name] : choices.operators)
        m_operator->addItem(name, id);
    m_customer = new QComboBox(target);
    m_customer->setObjectName(QStringLiteral("newCustomer"));
    m_customer->setAccessibleName(tr("New owning customer"));
    m_customer->addItem(tr("(keep the current owner)"), QVariant());
    for (const auto &[id, name] : choices.customers)
        m_customer->addItem(name, id);
    m_name = new QLineEdit(target);
    m_name->setObjectName(QStringLiteral("campaignName"));
    m_name->setAccessibleName(tr("Campaign name"));
    m_name->setPlaceholderText(tr("optional; e.g. \"Meters to Albion, spring\""));
    auto *targetLayout = new QFormLayout(target);
    targetLayout->addRow(tr("&Operator:"), m_operator);
    targetLayout->addRow(tr("New &owner:"), m_customer);
    targetLayout->addRow(tr("&Name:"), m_name);
    setPage(TargetPageId, target);

    // 3. Rollout
    auto *rollout = new QWizardPage(this);
    rollout->setTitle(tr("Rollout"));
    rollout->setSubTitle(tr("How fast, and whether a canary share goes first. Every device is attested per the target "
                            "operator's policy before any credential is sent."));
    m_batch = spin(rollout, "batchSize", 1, 10000, 512, tr("Devices per batch"));
    m_concurrency = spin(rollout, "concurrency", 1, 256, 32, tr("Devices in flight"));
    m_rate = spin(rollout, "rate", 0, 100000, 0, tr("Devices started per second"));
    m_rate->setSpecialValueText(tr("as fast as they answer"));
    m_rate->setSuffix(tr(" /s"));
    m_canary = spin(rollout, "canaryPercent", 0, 100, 0, tr("Canary share"));
    m_canary->setSpecialValueText(tr("none"));
    m_canary->setSuffix(QStringLiteral(" %"));
    m_minSuccess = spin(rollout, "minSuccessPercent", 0, 100, 90, tr("Least success of the canary"));
    m_minSuccess->setSuffix(QStringLiteral(" %"));
    m_timeout = spin(rollout, "answerTimeout", 1, 600, 5, tr("Answer timeout"));
    m_timeout->setSuffix(tr(" s"));
    auto *rolloutLayout = new QFormLayout(rollout);
    rolloutLayout->addRow(tr("&Batch size:"), m_batch);
    rolloutLayout->addRow(tr("In &flight at once:"), m_concurrency);
    rolloutLayout->addRow(tr("&Rate limit:"), m_rate);
    rolloutLayout->addRow(tr("&Canary first:"), m_canary);
    rolloutLayout->addRow(tr("...continue if at least:"), m_minSuccess);
    rolloutLayout->addRow(tr("Device answer &timeout:"), m_timeout);
    m_later = new QCheckBox(tr("Start &later, at:"), rollout);
    m_later->setObjectName(QStringLiteral("startLater"));
    m_later->setToolTip(tr("The campaign is created now and started at that time by this window, which must stay open; "
                           "it can be resumed earlier from the list."));
    m_startAt = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), rollout);
    m_startAt->setObjectName(QStringLiteral("startAt"));
    m_startAt->setAccessibleName(tr("Start time"));
    m_startAt->setCalendarPopup(true);
    m_startAt->setMinimumDateTime(QDateTime::currentDateTime());
    m_startAt->setEnabled(false);
    connect(m_later, &QCheckBox::toggled, m_startAt, &QWidget::setEnabled);
    rolloutLayout->addRow(m_later, m_startAt);
    // A support engineer's record of the conversation with each device (issue 19).
    m_trace = new QCheckBox(tr("Keep a protocol &trace in:"), rollout);
    m_trace->setObjectName(QStringLiteral("keepTrace"));
    m_trace->setToolTip(tr("Every message to and from each device, as the DER bytes sent, one folder per device with an "
                           "index naming each message's ASN.1 type. Profiles appear only encrypted, as sent."));
    m_traceDirectory = new QLineEdit(QDir(QDir::homePath()).filePath(QStringLiteral("simfleet-traces/%1")
                                                                         .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))),
                                     rollout);
    m_traceDirectory->setObjectName(QStringLiteral("traceDirectory"));
    m_traceDirectory->setAccessibleName(tr("Protocol trace folder"));
    m_traceDirectory->setEnabled(false);
    auto *traceBrowse = new QPushButton(tr("Bro&wse..."), rollout);
    traceBrowse->setEnabled(false);
    connect(m_trace, &QCheckBox::toggled, m_traceDirectory, &QWidget::setEnabled);
    connect(m_trace, &QCheckBox::toggled, traceBrowse, &QWidget::setEnabled);
    connect(traceBrowse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getExistingDirectory(this, tr("Protocol trace folder"), m_traceDirectory->text());
        if (!chosen.isEmpty())
            m_traceDirectory->setText(chosen);
    });
    auto *traceRow = new QHBoxLayout;
    traceRow->addWidget(m_traceDirectory, 1);
    traceRow->addWidget(traceBrowse);
    rolloutLayout->addRow(m_trace, traceRow);
    // Devices on the network poll simfleet's eIM (SGP.32): the eIM runs the campaign (simfleet-cli
    // serve) as they check in, and this window follows it.
    m_reach = new QComboBox(rollout);
    m_reach->setObjectName(QStringLiteral("reach"));
    m_reach->setAccessibleName(tr("Where the devices are"));
    m_reach->addItem(tr("In the simulated field beside the workspace"), false);
    m_reach->addItem(tr("On the network, polling simfleet's eIM (simfleet-cli serve runs it)"), true);
    m_reach->setToolTip(tr("Devices on the network are changed as each checks in with simfleet's eIM; the campaign waits "
                           "for them until its deadline. simfleet-cli serve must be running for the workspace."));
    m_deadline = new QComboBox(rollout);
    m_deadline->setObjectName(QStringLiteral("deadline"));
    m_deadline->setAccessibleName(tr("Deadline for the devices to check in"));
    for (const auto &[text, seconds] : { std::pair { tr("1 hour"), qint64(3600) }, std::pair { tr("1 day"), qint64(24 * 3600) },
                                         std::pair { tr("7 days"), qint64(7 * 24 * 3600) },
                                         std::pair { tr("30 days"), qint64(30 * 24 * 3600) } })
        m_deadline->addItem(text, seconds);
    m_deadline->setCurrentIndex(2);
    m_deadline->setEnabled(false);
    connect(m_reach, &QComboBox::currentIndexChanged, this, [this] {
        const bool network = m_reach->currentData().toBool();
        m_deadline->setEnabled(network);
        // The eIM runs it, not this window: it cannot start it later, nor trace it.
        m_later->setEnabled(!network);
        m_trace->setEnabled(!network);
        if (network) {
            m_later->setChecked(false);
            m_trace->setChecked(false);
        }
    });
    rolloutLayout->addRow(tr("The &devices are:"), m_reach);
    rolloutLayout->addRow(tr("Wait for their check-in &up to:"), m_deadline);
    setPage(RolloutPageId, rollout);

    // 4. Confirm
    auto *confirm = new QWizardPage(this);
    confirm->setTitle(tr("Start"));
    confirm->setFinalPage(true);
    m_summary = new QLabel(confirm);
    m_summary->setObjectName(QStringLiteral("campaignSummary"));
    m_summary->setWordWrap(true);
    auto *confirmLayout = new QVBoxLayout(confirm);
    confirmLayout->addWidget(m_summary);
    confirmLayout->addStretch(1);
    setPage(ConfirmPageId, confirm);
    setButtonText(QWizard::FinishButton, tr("&Start Campaign"));

    connect(this, &QWizard::currentIdChanged, this, [this](int id) {
        // Provisioning goes to each fleet's home operator.
        m_operator->setEnabled(m_change->isChecked());
        m_customer->setEnabled(m_change->isChecked());
        if (id != ConfirmPageId)
            return;
        const models::CampaignPlan p = plan();
        m_summary->setText(
            tr("%1 %2 device(s) from %3 %4%5.\n\nBatches of %6, %7 in flight, %8; %9.\n\n%10%11%12%13")
                .arg(m_change->isChecked() ? tr("Move") : tr("Provision"))
                .arg(QLocale().toString(m_count))
                .arg(!p.deviceIds.isEmpty()       ? tr("the selection")
                         : !p.devicesFile.isEmpty() ? tr("the file %1").arg(QDir::toNativeSeparators(p.devicesFile))
                         : p.fleet.isEmpty()        ? tr("the filter \"%1\"").arg(p.filter)
                                                    : tr("the fleet %1").arg(p.fleet))
                .arg(m_change->isChecked() ? tr("to %1").arg(m_operator->currentText()) : tr("with their home operator"))
                .arg(p.newCustomerId ? tr(", changing their owner to %1").arg(m_customer->currentText()) : QString())
                .arg(m_batch->value())
                .arg(m_concurrency->value())
                .arg(m_rate->value() > 0 ? tr("at most %1 started per second").arg(m_rate->value()) : tr("no rate limit"))
                .arg(m_canary->value() > 0 ? tr("%1% first, the rest only if at least %2% of them succeed")
                                                 .arg(m_canary->value())
                                                 .arg(m_minSuccess->value())
                                           : tr("no canary"))
                .arg(m_change->isChecked()
                         ? tr("Each device is attested, gets its new profile, enables it with the old one kept as fallback, "
                              "and must attach with it before the old one is deleted; one that cannot falls back and is "
                              "reported with the reason.")
                         : tr("Each device is attested, gets its home operator's profile, enables it and must attach with "
                              "it; one that cannot is reported with the reason."))
                .arg(m_later->isChecked() ? tr("\n\nIt starts at %1 if this window is still open then.")
                                                .arg(QLocale().toString(m_startAt->dateTime(), QLocale::ShortFormat))
                                          : QString())
                .arg(p.settings.traceDirectory.isEmpty()
                         ? QString()
                         : tr("\n\nA protocol trace goes to %1.").arg(QDir::toNativeSeparators(p.settings.traceDirectory)))
                .arg(p.settings.network
                         ? tr("\n\nThe devices are on the network: simfleet's eIM (simfleet-cli serve) changes each as it checks "
                              "in, and waits up to %1 for them; devices not reached by then end not-reached. This window "
                              "follows the campaign; closing it does not stop it.")
                               .arg(m_deadline->currentText())
                         : QString()));
    });

    m_recount->setSingleShot(true);
    m_recount->setInterval(300);
    connect(m_recount, &QTimer::timeout, this, &CampaignWizard::recount);
    connect(m_file, &QLineEdit::editingFinished, this, [this] {
        if (!m_file->text().trimmed().isEmpty()) {
            m_byFile->setChecked(true);
            m_recount->start();
        }
    });
    for (QRadioButton *b : { m_byFleet, m_byFilter, m_byFile, m_provision, m_change })
        connect(b, &QRadioButton::toggled, m_recount, qOverload<>(&QTimer::start));
    connect(m_fleet, &QComboBox::activated, this, [this] {
        m_byFleet->setChecked(true); // choosing a fleet means the fleet
        m_recount->start();
    });
    connect(m_fleet, &QComboBox::currentIndexChanged, m_recount, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::textChanged, this, [this] {
        m_byFilter->setChecked(true);
        m_recount->start();
    });
    connect(m_runner, &models::CampaignRunner::counted, this, [this, devices](qint64 n, const QString &problem) {
        m_counting = false;
        m_count = problem.isEmpty() ? n : -1;
        if (!problem.isEmpty())
            m_countLabel->setText(problem);
        else
            m_countLabel->setText(n == 0 ? tr("No device you may see matches.") : tr("%n device(s) selected.", nullptr, int(n)));
        devices->changed();
    });
    recount();
}

void CampaignWizard::presetDevices(const QList<qint64> &deviceIds, campaigns::CampaignKind kind)
{
    m_preset = deviceIds;
    (kind == campaigns::CampaignKind::InitialProvisioning ? m_provision : m_change)->setChecked(true);
    for (QWidget *w : std::initializer_list<QWidget *> { m_provision, m_change, m_byFleet, m_byFilter, m_byFile, m_fleet, m_filter, m_file })
        w->setEnabled(false);
    m_byFleet->setText(tr("The devices selected on the Devices page"));
    recount();
}

void CampaignWizard::presetFilter(const QString &filter)
{
    m_change->setChecked(true);
    m_filter->setText(filter); // checks "Devices matching" and recounts
}

void CampaignWizard::recount()
{
    m_counting = true;
    m_countLabel->setText(tr("Counting…"));
    static_cast<DevicesPage *>(page(DevicesPageId))->changed();
    m_runner->countDevices(plan());
}

models::CampaignPlan CampaignWizard::plan() const
{
    models::CampaignPlan p;
    p.kind = m_change->isChecked() ? campaigns::CampaignKind::SubscriptionChange : campaigns::CampaignKind::InitialProvisioning;
    p.name = m_name->text().trimmed();
    if (!m_preset.isEmpty())
        p.deviceIds = m_preset;
    else if (m_byFleet->isChecked())
        p.fleet = m_fleet->currentText();
    else if (m_byFile->isChecked())
        p.devicesFile = m_file->text().trimmed();
    else
        p.filter = m_filter->text().trimmed();
    // Provisioning uses the devices' home operator (the operator box is off for it).
    p.targetOperatorId = m_change->isChecked() ? m_operator->currentData().toLongLong() : 0;
    if (m_customer->currentData().isValid())
        p.newCustomerId = m_customer->currentData().toLongLong();
    p.settings.batchSize = m_batch->value();
    p.settings.concurrency = m_concurrency->value();
    p.settings.ratePerSecond = m_rate->value();
    p.settings.canaryPercent = m_canary->value();
    p.settings.minSuccessPercent = m_minSuccess->value();
    p.settings.answerTimeoutMs = m_timeout->value() * 1000;
    if (m_trace->isChecked() && !m_traceDirectory->text().trimmed().isEmpty())
        p.settings.traceDirectory = QFileInfo(m_traceDirectory->text().trimmed()).absoluteFilePath();
    if (m_later->isChecked())
        p.startAt = m_startAt->dateTime().toUTC();
    p.settings.network = m_reach->currentData().toBool();
    if (p.settings.network)
        p.settings.deadlineSeconds = m_deadline->currentData().toLongLong();
    return p;
}

} // namespace simfleet::ui
