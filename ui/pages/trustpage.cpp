#include "trustpage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

TrustPage::TrustPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_model(new models::TrustTableModel(access, this)), m_table(new QTableView(this)),
      m_message(new QLabel(this)), m_alerts(new QLabel(this)), m_retire(new QPushButton(tr("&Retire…"), this))
{
    setObjectName(QStringLiteral("trustPage"));
    auto *title = pageTitle(tr("Trust"), this);
    auto *summary = new QLabel(tr("The certificate issuers and manufacturers this workspace trusts, and their revocation "
                                  "lists. Attestation accepts a device only if its certificate chains to a manufacturer "
                                  "here that its issuer has not revoked. Files may be PEM or DER."),
                               this);
    summary->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("trustMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    m_alerts->setObjectName(QStringLiteral("trustAlerts"));
    m_alerts->setWordWrap(true);
    m_alerts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_alerts->hide();

    m_table->setObjectName(QStringLiteral("trustTable"));
    m_table->setModel(m_model);
    setUpRowTable(m_table, tr("Trusted certificates"));
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    const auto addButton = [this](const QString &text, const char *name, FileKind kind, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(QLatin1StringView(name));
        b->setToolTip(tip);
        connect(b, &QPushButton::clicked, this, [this, kind] { chooseFile(kind); });
        return b;
    };
    m_retire->setObjectName(QStringLiteral("retireTrustButton"));
    m_retire->setToolTip(tr("Stop trusting the selected issuer or manufacturer; it stays on record"));
    connect(m_retire, &QPushButton::clicked, this, &TrustPage::retireSelected);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(addButton(tr("Add Certificate &Issuer…"), "addIssuerButton", FileKind::CertificateIssuer,
                                 tr("A certificate issuer's (CI) self-signed root certificate")));
    buttons->addWidget(addButton(tr("Add &Manufacturer…"), "addManufacturerButton", FileKind::Manufacturer,
                                 tr("A manufacturer's (EUM) certificate, signed by a trusted issuer")));
    buttons->addWidget(addButton(tr("Add Revocation &List…"), "addRevocationListButton", FileKind::RevocationList,
                                 tr("A revocation list (CRL) signed by a trusted issuer or manufacturer")));
    buttons->addStretch(1);
    buttons->addWidget(m_retire);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(m_alerts);
    layout->addWidget(m_table, 1);

    connect(m_model, &models::TrustTableModel::loadFailed, this,
            [this](const QString &message) { say(tr("The trusted certificates could not be read: %1").arg(message), true); });
    connect(m_model, &models::TrustTableModel::actionFinished, this, [this](bool ok, const QString &message) { say(message, !ok); });
    connect(m_model, &models::TrustTableModel::trustChanged, this, &TrustPage::trustChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TrustPage::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TrustPage::showAlerts);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TrustPage::updateButtons);
    updateButtons();
}

void TrustPage::reload()
{
    m_message->hide();
    m_model->reload();
}

void TrustPage::say(const QString &message, bool problem)
{
    showMessage(m_message, message, problem);
}

void TrustPage::updateButtons()
{
    m_retire->setEnabled(m_model->rowAt(m_table->currentIndex().row()) != nullptr);
}

void TrustPage::showAlerts()
{
    const QStringList alerts = m_model->alerts();
    if (alerts.isEmpty()) {
        m_alerts->hide();
        return;
    }
    showMessage(m_alerts, alerts.join(u'\n'), true);
}

void TrustPage::chooseFile(FileKind kind)
{
    const bool list = kind == FileKind::RevocationList;
    const QString caption = kind == FileKind::CertificateIssuer ? tr("Add Certificate Issuer")
        : kind == FileKind::Manufacturer                        ? tr("Add Manufacturer")
                                                                : tr("Add Revocation List");
    const QString filter = list ? tr("Revocation lists (*.crl *.pem *.der);;All files (*)")
                                : tr("Certificates (*.pem *.der *.crt *.cer);;All files (*)");
    auto *dialog = new QFileDialog(this, caption, QDir::homePath(), filter);
    dialog->setObjectName(QStringLiteral("trustFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this, kind](const QString &path) { addFromFile(kind, path); });
    dialog->open();
}

void TrustPage::addFromFile(FileKind kind, const QString &path)
{
    say(tr("Checking %1…").arg(QDir::toNativeSeparators(path)), false);
    m_model->addFromFile(kind, path);
}

void TrustPage::retireSelected()
{
    const models::TrustRow *row = m_model->rowAt(m_table->currentIndex().row());
    if (!row) {
        say(tr("Select the issuer or manufacturer to retire."), true);
        return;
    }
    const QByteArray keyIdentifier = row->keyIdentifier;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Retire"),
                                tr("Stop trusting %1 (key ID %2)? Attestation no longer accepts what chains to it; the "
                                   "certificate stays on record in the workspace.")
                                    .arg(row->name, models::TrustTableModel::keyIdText(keyIdentifier)),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("retireTrustQuestion"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, keyIdentifier](int result) {
        if (result == QMessageBox::Yes)
            m_model->retire(keyIdentifier);
    });
    box->open();
}

} // namespace simfleet::ui
