#include "enrollwizard.h"

#include "enrollmentcontroller.h"
#include "enrollmentpreviewmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

// Complete once the file named has been read and has rows to import.
class EnrollWizard::FilePage : public QWizardPage
{
public:
    explicit FilePage(EnrollWizard *wizard) : QWizardPage(wizard), m_wizard(wizard) { }
    bool isComplete() const override
    {
        return !m_wizard->m_loading && m_wizard->m_preview && m_wizard->m_previewedPath == m_wizard->m_file->text().trimmed();
    }
    void changed() { Q_EMIT completeChanged(); }

private:
    EnrollWizard *m_wizard;
};

class EnrollWizard::PreviewPage : public QWizardPage
{
public:
    explicit PreviewPage(EnrollWizard *wizard) : QWizardPage(wizard), m_wizard(wizard) { }
    bool isComplete() const override { return m_wizard->m_preview && !m_wizard->m_preview->accepted.empty(); }

private:
    EnrollWizard *m_wizard;
};

EnrollWizard::EnrollWizard(models::EnrollmentController *controller, QWidget *parent)
    : QWizard(parent), m_controller(controller), m_model(new models::EnrollmentPreviewModel(this))
{
    setObjectName(QStringLiteral("enrollWizard"));
    resize(900, 600);
    setWindowTitle(tr("Enroll Devices"));
    setOption(QWizard::NoBackButtonOnStartPage);

    // 1. File
    auto *file = new FilePage(this);
    file->setTitle(tr("Factory file"));
    file->setSubTitle(tr("A CSV from the manufacturer, one line per device: eid, imei, serial, model, secure_element "
                         "(integrated-uicc or trusted-environment), optionally label, latitude, longitude; in any order."));
    m_file = new QLineEdit(file);
    m_file->setObjectName(QStringLiteral("csvFile"));
    m_file->setAccessibleName(tr("CSV file"));
    auto *browse = new QPushButton(tr("&Browse…"), file);
    browse->setObjectName(QStringLiteral("browseCsv"));
    m_fileStatus = new QLabel(file);
    m_fileStatus->setObjectName(QStringLiteral("csvStatus"));
    m_fileStatus->setWordWrap(true);
    auto *row = new QHBoxLayout;
    row->addWidget(m_file, 1);
    row->addWidget(browse);
    auto *fileLayout = new QVBoxLayout(file);
    fileLayout->addLayout(row);
    fileLayout->addWidget(m_fileStatus);
    fileLayout->addStretch(1);
    setPage(FilePageId, file);

    // 2. Preview
    auto *preview = new PreviewPage(this);
    preview->setTitle(tr("Preview"));
    preview->setSubTitle(tr("Nothing is stored yet. Rows with a problem are marked; they are left out, and can be saved to "
                            "a file to fix and import again."));
    m_summary = new QLabel(preview);
    m_summary->setObjectName(QStringLiteral("previewSummary"));
    m_summary->setWordWrap(true);
    m_table = new QTableView(preview);
    m_table->setObjectName(QStringLiteral("previewTable"));
    m_table->setAccessibleName(tr("Rows of the file"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_saveRejects = new QPushButton(tr("&Save Rejected Rows…"), preview);
    m_saveRejects->setObjectName(QStringLiteral("saveRejects"));
    auto *previewLayout = new QVBoxLayout(preview);
    previewLayout->addWidget(m_summary);
    previewLayout->addWidget(m_table, 1);
    previewLayout->addWidget(m_saveRejects, 0, Qt::AlignLeft);
    setPage(PreviewPageId, preview);

    // 3. Fleet
    auto *fleetPage = new QWizardPage(this);
    fleetPage->setTitle(tr("Fleet"));
    fleetPage->setSubTitle(tr("The fleet the devices join (a new name creates it), its customer, and the operator whose "
                              "profile they get."));
    fleetPage->setFinalPage(true);
    m_fleet = new QComboBox(fleetPage);
    m_fleet->setObjectName(QStringLiteral("enrollFleet"));
    m_fleet->setAccessibleName(tr("Fleet"));
    m_fleet->setEditable(true);
    m_customer = new QComboBox(fleetPage);
    m_customer->setObjectName(QStringLiteral("enrollCustomer"));
    m_customer->setAccessibleName(tr("Customer"));
    m_customer->setEditable(true);
    m_operator = new QComboBox(fleetPage);
    m_operator->setObjectName(QStringLiteral("enrollOperator"));
    m_operator->setAccessibleName(tr("Home operator"));
    m_operator->addItem(tr("(the fleet's own)"), QString());
    m_provision = new QCheckBox(tr("&Provision the new devices at once with the home operator's profile"), fleetPage);
    m_provision->setObjectName(QStringLiteral("provisionAtOnce"));
    m_fleetProblem = new QLabel(fleetPage);
    m_fleetProblem->setObjectName(QStringLiteral("fleetProblem"));
    m_fleetProblem->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_fleetProblem->hide();
    auto *fleetLayout = new QFormLayout(fleetPage);
    fleetLayout->addRow(tr("&Fleet:"), m_fleet);
    fleetLayout->addRow(tr("&Customer:"), m_customer);
    fleetLayout->addRow(tr("Home &operator:"), m_operator);
    fleetLayout->addRow(m_provision);
    fleetLayout->addRow(m_fleetProblem);
    setPage(FleetPageId, fleetPage);
    setButtonText(QWizard::FinishButton, tr("&Enroll"));

    connect(browse, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Choose the Factory File"), QDir::homePath(), tr("CSV files (*.csv);;All files (*)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
            m_file->setText(path);
            loadPreview();
        });
        dialog->open();
    });
    connect(m_file, &QLineEdit::editingFinished, this, &EnrollWizard::loadPreview);
    connect(m_file, &QLineEdit::textChanged, this, [file] { file->changed(); });
    connect(m_saveRejects, &QPushButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Save the Rejected Rows"),
                                       QFileInfo(m_previewedPath).absoluteDir().filePath(
                                           QFileInfo(m_previewedPath).completeBaseName() + QStringLiteral("-rejects.csv")),
                                       tr("CSV files (*.csv)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) { m_controller->writeRejects(m_preview, path); });
        dialog->open();
    });
    connect(m_controller, &models::EnrollmentController::rejectsWritten, this, [this](const QString &path) {
        m_summary->setText(m_summary->text() + tr("\nThe rejected rows are in %1.").arg(QDir::toNativeSeparators(path)));
    });
    connect(m_controller, &models::EnrollmentController::namesLoaded, this,
            [this](const QStringList &fleets, const QStringList &customers, const QStringList &operators) {
                for (const QString &op : operators)
                    m_operator->addItem(op, op);
                m_fleet->addItems(fleets);
                m_fleet->setCurrentText(QString());
                m_customer->addItem(tr("(the fleet's customer)"));
                m_customer->addItems(customers);
            });
    connect(m_controller, &models::EnrollmentController::previewed, this,
            [this, file](std::shared_ptr<const fleet::EnrollmentPreview> p) {
                m_loading = false;
                m_preview = std::move(p);
                m_model->setPreview(m_preview);
                const QLocale locale;
                m_fileStatus->setText(tr("%1 rows read: %2 ready to import, %3 with a problem, %4 already enrolled.")
                                          .arg(locale.toString(m_preview->rowsRead))
                                          .arg(locale.toString(qint64(m_preview->accepted.size())))
                                          .arg(locale.toString(m_preview->rejected))
                                          .arg(locale.toString(m_preview->duplicates)));
                m_fileStatus->setStyleSheet(QString());
                m_summary->setText(m_fileStatus->text()
                                   + (m_preview->rejected > 0 ? tr(" Rows with a problem come first, marked; hover one to "
                                                                   "read why.")
                                                              : QString()));
                m_saveRejects->setEnabled(m_preview->rejected > 0);
                m_table->resizeColumnsToContents();
                file->changed();
            });
    connect(m_controller, &models::EnrollmentController::failed, this, [this, file](const QString &message) {
        if (!m_loading)
            return; // a failure of the commit is the page's to show
        m_loading = false;
        m_preview.reset();
        m_model->setPreview(nullptr);
        m_fileStatus->setText(message);
        m_fileStatus->setStyleSheet(QStringLiteral("color: #c0392b;"));
        file->changed();
    });
    m_controller->loadNames();
}

void EnrollWizard::loadPreview()
{
    const QString path = m_file->text().trimmed();
    if (path.isEmpty() || (path == m_previewedPath && (m_preview || m_loading)))
        return;
    m_previewedPath = path;
    m_loading = true;
    m_preview.reset();
    m_fileStatus->setText(tr("Reading and checking %1…").arg(QDir::toNativeSeparators(path)));
    m_fileStatus->setStyleSheet(QString());
    static_cast<FilePage *>(page(FilePageId))->changed();
    m_controller->preview(path);
}

fleet::EnrollmentTarget EnrollWizard::target() const
{
    fleet::EnrollmentTarget t;
    t.fleet = m_fleet->currentText().trimmed();
    t.customer = m_customer->currentIndex() == 0 && m_customer->currentText() == m_customer->itemText(0)
        ? QString()
        : m_customer->currentText().trimmed();
    t.homeOperator = m_operator->currentData().toString();
    return t;
}

bool EnrollWizard::validateCurrentPage()
{
    if (currentId() == FleetPageId && m_fleet->currentText().trimmed().isEmpty()) {
        m_fleetProblem->setText(tr("Name the fleet the devices join; a new name creates it."));
        m_fleetProblem->show();
        return false;
    }
    if (currentId() == FleetPageId && m_provision->isChecked() && m_operator->currentIndex() == 0
        && m_fleet->findText(m_fleet->currentText().trimmed()) < 0) {
        m_fleetProblem->setText(tr("A new fleet needs its home operator before its devices can be provisioned."));
        m_fleetProblem->show();
        return false;
    }
    return QWizard::validateCurrentPage();
}

bool EnrollWizard::provisionAfterwards() const
{
    return m_provision->isChecked();
}

} // namespace simfleet::ui
