#include "operatorspage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "operatordialog.h"
#include "profileserverdialog.h"
#include "profileserverhost.h"
#include "operatortablemodel.h"

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpressionValidator>
#include <QPushButton>
#include <QSpinBox>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

OperatorsPage::OperatorsPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_access(access), m_model(new models::OperatorTableModel(access, this)), m_table(new QTableView(this)),
      m_add(new QPushButton(tr("&Add Operator…"), this)), m_editOperator(new QPushButton(tr("Edit &Operator…"), this)),
      m_retire(new QPushButton(tr("&Retire Operator…"), this)), m_template(new QPushButton(tr("Profile &Template"), this)),
      m_server(new QPushButton(tr("Profile &Server"), this)),
      m_host(new models::ProfileServerHost(access, this)),
      m_edit(new QPushButton(tr("&Edit Policy…"), this)),
      m_message(new QLabel(this))
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

    m_add->setObjectName(QStringLiteral("addOperator"));
    m_editOperator->setObjectName(QStringLiteral("editOperator"));
    m_retire->setObjectName(QStringLiteral("retireOperator"));
    m_retire->setToolTip(tr("The operator issues no more profiles; refused while devices hold its profiles"));
    m_edit->setObjectName(QStringLiteral("editPolicy"));
    // The profile the operator's devices get: its own unpersonalised package (TCA format), or
    // simfleet's built-in template; files are chosen here and read on the store thread.
    m_template->setObjectName(QStringLiteral("profileTemplate"));
    m_template->setToolTip(tr("The profile the operator's devices are personalised from"));
    auto *templateMenu = new QMenu(m_template);
    templateMenu->addAction(tr("Use the Operator's Profile &File…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Operator's Profile Package"), QString(),
                                                          tr("Profile packages (*.der);;All files (*)"));
        if (!path.isEmpty())
            useProfileTemplateFile(path);
    });
    templateMenu->addAction(tr("Use simfleet's &Built-in Template"), this, &OperatorsPage::useBuiltInProfileTemplate);
    templateMenu->addSeparator();
    templateMenu->addAction(tr("&Export as Personalised, Secrets Zeroed…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Profile Template"), QString(),
                                                          tr("Profile packages (*.der)"));
        if (!path.isEmpty())
            exportProfileTemplate(path);
    });
    m_template->setMenu(templateMenu);
    // An operator whose profile server runs elsewhere: the activation codes it issued for its
    // devices, which campaigns relay (SGP.32 indirect download).
    m_server->setObjectName(QStringLiteral("profileServer"));
    m_server->setToolTip(tr("The operator's own profile server: its activation codes"));
    auto *serverMenu = new QMenu(m_server);
    m_importCodes = serverMenu->addAction(tr("Import &Activation Codes…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Activation Codes"), QString(),
                                                          tr("CSV files (*.csv);;All files (*)"));
        if (!path.isEmpty())
            importActivationCodes(path);
    });
    m_importCodes->setObjectName(QStringLiteral("importActivationCodes"));
    // For demos: the operator's profile server (simfleet's, with its keys) on the network.
    serverMenu->addSeparator();
    m_serve = serverMenu->addAction(tr("&Serve on the Network…"), this, &OperatorsPage::openServeDialog);
    m_serve->setObjectName(QStringLiteral("serveProfileServer"));
    m_stopServing = serverMenu->addAction(tr("S&top Serving"), m_host, &models::ProfileServerHost::stop);
    m_stopServing->setObjectName(QStringLiteral("stopServing"));
    m_server->setMenu(serverMenu);
    connect(m_host, &models::ProfileServerHost::started, this, [this](const QString &description) {
        if (m_serving)
            m_serving->accept();
        showMessage(m_message, description, false);
        updateButtons();
    });
    connect(m_host, &models::ProfileServerHost::failed, this, [this](const QString &message) {
        if (m_serving)
            m_serving->showProblem(message);
        else
            showMessage(m_message, message, true);
    });
    connect(m_host, &models::ProfileServerHost::stopped, this, [this] {
        showMessage(m_message, tr("The profile server is no longer served."), false);
        updateButtons();
    });
    m_message->setObjectName(QStringLiteral("operatorsMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_editOperator);
    buttons->addWidget(m_retire);
    buttons->addWidget(m_template);
    buttons->addWidget(m_server);
    buttons->addStretch(1);
    buttons->addWidget(m_edit);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addLayout(buttons);
    layout->addWidget(problem);
    layout->addWidget(m_message);
    layout->addWidget(m_table, 1);
    connect(m_add, &QPushButton::clicked, this, &OperatorsPage::addOperator);
    connect(m_editOperator, &QPushButton::clicked, this, &OperatorsPage::editOperator);
    connect(m_retire, &QPushButton::clicked, this, &OperatorsPage::retireOperator);
    connect(m_edit, &QPushButton::clicked, this, &OperatorsPage::editPolicy);
    connect(m_table, &QTableView::doubleClicked, this, [this] {
        if (m_edit->isVisible())
            editPolicy();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &OperatorsPage::updateButtons);
    connect(m_model, &models::OperatorTableModel::policySaved, this,
            [this](bool ok, const QString &message) { showMessage(m_message, message, !ok); });
    connect(m_model, &models::OperatorTableModel::operatorSaved, this, &OperatorsPage::onOperatorSaved);
    connect(m_model, &QAbstractItemModel::modelReset, this, &OperatorsPage::updateButtons);

    connect(m_model, &models::OperatorTableModel::loadFailed, this, [problem](const QString &message) {
        problem->setText(tr("The operators could not be read: %1").arg(message));
        problem->show();
    });
    connect(m_model, &models::OperatorTableModel::loaded, problem, &QWidget::hide);
}

void OperatorsPage::reload()
{
    m_message->hide();
    m_model->reload();
    updateButtons();
}

void OperatorsPage::updateButtons()
{
    // The UI only hides what the role cannot do; the backend refuses it regardless.
    const access::Session *session = m_access->session();
    const bool manages = session && session->allows(access::Permission::ManageOperators);
    const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row());
    for (QPushButton *button : { m_add, m_editOperator, m_retire, m_template, m_server, m_edit })
        button->setVisible(manages);
    m_template->setEnabled(op && !op->retiredAt);
    m_server->setEnabled(op && !op->retiredAt);
    m_importCodes->setEnabled(op && !op->profileServerAddress.isEmpty());
    // simfleet serves only a profile server whose keys the workspace holds.
    m_serve->setEnabled(op && op->profileServerAddress.isEmpty() && !m_host->isServing());
    m_stopServing->setEnabled(m_host->isServing());
    m_importCodes->setToolTip(op && op->profileServerAddress.isEmpty()
                                  ? tr("Its profile server is simfleet's own; codes are for an operator's server elsewhere")
                                  : QString());
    m_edit->setEnabled(op != nullptr);
    // A retired operator issues nothing more: there is nothing left to edit or retire.
    m_editOperator->setEnabled(op && !op->retiredAt);
    m_retire->setEnabled(op && !op->retiredAt);
}

void OperatorsPage::addOperator()
{
    openOperatorDialog(new OperatorDialog(OperatorDialog::Mode::Add, this));
}

void OperatorsPage::editOperator()
{
    const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row());
    if (!op) {
        showMessage(m_message, tr("Select the operator to edit."), true);
        return;
    }
    auto *dialog = new OperatorDialog(OperatorDialog::Mode::Edit, this);
    dialog->setSpec(fleet::OperatorOnboarding::specOf(*op));
    openOperatorDialog(dialog);
}

void OperatorsPage::openOperatorDialog(OperatorDialog *dialog)
{
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &OperatorDialog::submitted, this, [this, dialog] {
        m_saving = dialog;
        if (dialog->mode() == OperatorDialog::Mode::Add)
            m_model->addOperator(dialog->spec(), dialog->op());
        else
            m_model->editOperator(dialog->originalName(), dialog->spec(), dialog->op());
    });
    dialog->open();
}

void OperatorsPage::onOperatorSaved(bool ok, const QString &message)
{
    // A refusal goes back to the open dialog, to be corrected there; a success, or an answer
    // after the dialog was cancelled, is said on the page.
    OperatorDialog *dialog = std::exchange(m_saving, nullptr);
    if (dialog && !ok) {
        dialog->refuse(message);
        return;
    }
    if (dialog)
        dialog->finish();
    showMessage(m_message, message, !ok);
}

void OperatorsPage::retireOperator()
{
    const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row());
    if (!op) {
        showMessage(m_message, tr("Select the operator to retire."), true);
        return;
    }
    const QString name = op->name;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Retire Operator"),
                                tr("Retire %1? It issues no more profiles; it stays on record with its history. This is "
                                   "refused while devices hold its profiles.")
                                    .arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("retireOperatorQuestion"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, name](int result) {
        if (result == QMessageBox::Yes)
            m_model->retireOperator(name);
    });
    box->open();
}

void OperatorsPage::useProfileTemplateFile(const QString &path)
{
    if (const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row()))
        m_model->setProfileTemplate(op->name, path);
    else
        showMessage(m_message, tr("Select the operator whose profile template to set."), true);
}

void OperatorsPage::useBuiltInProfileTemplate()
{
    useProfileTemplateFile(QString());
}

void OperatorsPage::openServeDialog()
{
    const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row());
    if (!op)
        return;
    auto *dialog = new ProfileServerDialog(op->name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_serving = dialog;
    connect(dialog, &ProfileServerDialog::submitted, this, [this, dialog] { m_host->start(dialog->options()); });
    dialog->open();
}

void OperatorsPage::importActivationCodes(const QString &path)
{
    if (const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row()))
        m_model->importActivationCodes(op->name, path);
}

void OperatorsPage::exportProfileTemplate(const QString &path)
{
    if (const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row()))
        m_model->exportProfileTemplate(op->name, path);
    else
        showMessage(m_message, tr("Select the operator whose profile template to export."), true);
}

void OperatorsPage::editPolicy()
{
    const store::OperatorRecord *op = m_model->operatorAt(m_table->currentIndex().row());
    if (!op)
        return;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("policyDialog"));
    dialog->setWindowTitle(tr("Policy of %1").arg(op->name));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *age = new QSpinBox(dialog);
    age->setObjectName(QStringLiteral("attestationAge"));
    age->setAccessibleName(tr("Attestation no older than, in hours"));
    age->setRange(0, 30 * 24);
    age->setSuffix(tr(" h"));
    age->setSpecialValueText(tr("attest right before each download"));
    age->setValue(op->attestationMaxAgeSeconds / 3600);
    auto *fallback = new QCheckBox(tr("Devices may &fall back to their previous profile if they cannot attach"), dialog);
    fallback->setObjectName(QStringLiteral("fallbackAllowed"));
    fallback->setChecked(op->fallbackAllowed);
    auto *disable = new QCheckBox(tr("Its profiles may be &disabled (else they carry \"disable not allowed\")"), dialog);
    disable->setObjectName(QStringLiteral("disableAllowed"));
    disable->setChecked(op->disableAllowed);
    // Where the ranges end: growing one that runs out, never below what was issued.
    auto *msinLast = new QLineEdit(QString::number(op->msinLast), dialog);
    msinLast->setObjectName(QStringLiteral("msinLast"));
    msinLast->setAccessibleName(tr("Last MSIN of the IMSI range"));
    msinLast->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,10}")), msinLast));
    auto *iccidLast = new QLineEdit(QString::number(op->iccidLast), dialog);
    iccidLast->setObjectName(QStringLiteral("iccidLast"));
    iccidLast->setAccessibleName(tr("Last serial of the ICCID range"));
    iccidLast->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,13}")), iccidLast));
    auto *form = new QFormLayout(dialog);
    form->addRow(tr("Affirming verdict no &older than:"), age);
    form->addRow(fallback);
    form->addRow(disable);
    form->addRow(tr("IMSI range ends at MSIN (issued so far: up to %1):").arg(op->msinNext - 1), msinLast);
    form->addRow(tr("ICCID range ends at serial (issued so far: up to %1):").arg(op->iccidNext - 1), iccidLast);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    const qint64 id = op->id;
    const qint64 oldMsin = op->msinLast;
    const qint64 oldIccid = op->iccidLast;
    connect(dialog, &QDialog::accepted, this, [=, this] {
        m_model->setPolicy(id, age->value() * 3600, fallback->isChecked(), disable->isChecked());
        const qint64 newMsin = msinLast->text().toLongLong();
        const qint64 newIccid = iccidLast->text().toLongLong();
        if (newMsin != oldMsin || newIccid != oldIccid)
            m_model->setRangeEnds(id, newMsin, newIccid);
    });
    dialog->open();
}

} // namespace simfleet::ui
