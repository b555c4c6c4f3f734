#include "upgradedialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace simfleet::ui {

UpgradeDialog::UpgradeDialog(const QString &path, const QString &reason, QWidget *parent)
    : QDialog(parent), m_who(new QComboBox(this)), m_user(new QLineEdit(this)), m_secret(new QLineEdit(this)),
      m_secretLabel(new QLabel(this)), m_problem(new QLabel(this))
{
    setWindowTitle(tr("Upgrade Workspace"));
    setObjectName(QStringLiteral("upgradeDialog"));
    auto *intro = new QLabel(tr("<b>%1</b> was written by an older simfleet. Upgrading it changes the file for everyone who "
                                "uses it, so its owner or an Administrator does it; a copy of the file as it is now stays "
                                "beside it.")
                                 .arg(QDir::toNativeSeparators(path).toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    intro->setToolTip(reason);
    m_who->addItem(tr("The owner, with the workspace passphrase"));
    m_who->addItem(tr("An Administrator, with their password"));
    m_who->setObjectName(QStringLiteral("upgradeWho"));
    m_user->setObjectName(QStringLiteral("upgradeUser"));
    m_user->setAccessibleName(tr("Administrator's user name"));
    m_secret->setObjectName(QStringLiteral("upgradeSecret"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_problem->setObjectName(QStringLiteral("upgradeProblem"));
    m_problem->setWordWrap(true);
    m_problem->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&Who upgrades:"), m_who);
    form->addRow(tr("&User name:"), m_user);
    form->addRow(m_secretLabel, m_secret);
    m_secretLabel->setBuddy(m_secret);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Upgrade"));
    connect(buttons, &QDialogButtonBox::accepted, this, &UpgradeDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &UpgradeDialog::reject);
    connect(m_who, &QComboBox::currentIndexChanged, this, &UpgradeDialog::updateFields);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    updateFields();
}

void UpgradeDialog::updateFields()
{
    const bool administrator = m_who->currentIndex() == 1;
    m_user->setEnabled(administrator);
    m_secretLabel->setText(administrator ? tr("&Password:") : tr("&Passphrase:"));
    m_secret->setAccessibleName(administrator ? tr("Administrator's password") : tr("Workspace passphrase"));
    (administrator ? m_user : m_secret)->setFocus();
}

access::UpgradeProof UpgradeDialog::takeProof()
{
    access::UpgradeProof proof;
    if (m_who->currentIndex() == 1)
        proof.user = m_user->text().trimmed();
    QByteArray typed = m_secret->text().toUtf8();
    proof.secret = crypto::SecretBytes(typed);
    typed.fill('\0');
    m_secret->clear();
    return proof;
}

void UpgradeDialog::accept()
{
    QString problem;
    if (m_who->currentIndex() == 1 && m_user->text().trimmed().isEmpty())
        problem = tr("Type the Administrator's user name.");
    else if (m_secret->text().isEmpty())
        problem = m_who->currentIndex() == 1 ? tr("Type the Administrator's password.") : tr("Type the workspace passphrase.");
    if (!problem.isEmpty()) {
        m_problem->setText(problem);
        m_problem->show();
        return;
    }
    QDialog::accept();
}

} // namespace simfleet::ui
