#include "logindialog.h"

#include "accesscontroller.h"
#include "store/workspace.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace simfleet::ui {

LoginDialog::LoginDialog(models::AccessController *access, const QString &workspaceName, bool demo, QWidget *parent)
    : QDialog(parent), m_access(access), m_user(new QLineEdit(this)), m_password(new QLineEdit(this)),
      m_error(new QLabel(this)), m_login(new QPushButton(tr("Log in"), this))
{
    setObjectName(QStringLiteral("loginDialog"));
    setWindowTitle(tr("Log in — simfleet"));
    setModal(true);

    auto *heading = new QLabel(tr("<b>Log in to %1</b>").arg(workspaceName.toHtmlEscaped()), this);
    m_user->setObjectName(QStringLiteral("userName"));
    m_user->setAccessibleName(tr("User name"));
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setAccessibleName(tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_error->setObjectName(QStringLiteral("loginError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Password:"), m_password);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    if (demo) {
        auto *hint = new QLabel(tr("The demo's users are admin (Administrator), operations, viewer and one account manager"
                                   " per operator (am-nordlink, am-rheinfunk, am-albion, am-iberia); each has the password"
                                   " \"%1\", accepted in a demo workspace only (everywhere else a password needs 12"
                                   " characters or more and may not be a common one).")
                                    .arg(QLatin1StringView(store::demoUserPassword)),
                                this);
        hint->setObjectName(QStringLiteral("demoUsersHint"));
        hint->setWordWrap(true);
        layout->addWidget(hint);
        m_user->setText(QStringLiteral("admin"));
        m_password->setFocus();
    }
    layout->addLayout(form);
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(this);
    m_login->setObjectName(QStringLiteral("loginButton"));
    m_login->setDefault(true);
    buttons->addButton(m_login, QDialogButtonBox::AcceptRole);
    if (demo) {
        m_owner = new QPushButton(tr("Continue as &owner"), this);
        m_owner->setObjectName(QStringLiteral("ownerButton"));
        m_owner->setToolTip(tr("The key file beside the demo workspace holds its passphrase; its holder acts as an"
                               " Administrator."));
        buttons->addButton(m_owner, QDialogButtonBox::ActionRole);
        connect(m_owner, &QPushButton::clicked, this, [this] {
            setBusy(true);
            m_access->loginAsOwner();
        });
    }
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    connect(m_login, &QPushButton::clicked, this, &LoginDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    connect(m_access, &models::AccessController::sessionChanged, this, [this] {
        if (m_access->session())
            accept();
    });
    connect(m_access, &models::AccessController::loginFailed, this, [this](const QString &message) {
        setBusy(false);
        m_error->setText(message);
        m_error->show();
        m_password->clear();
        m_password->setFocus();
    });
}

void LoginDialog::submit()
{
    if (m_user->text().trimmed().isEmpty()) {
        m_error->setText(tr("Type your user name."));
        m_error->show();
        m_user->setFocus();
        return;
    }
    setBusy(true);
    m_error->hide();
    m_access->login(m_user->text().trimmed(), m_password->text().toUtf8());
}

void LoginDialog::setBusy(bool busy)
{
    m_login->setEnabled(!busy);
    if (m_owner)
        m_owner->setEnabled(!busy);
    m_login->setText(busy ? tr("Checking…") : tr("Log in"));
}

} // namespace simfleet::ui
