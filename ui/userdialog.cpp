#include "userdialog.h"

#include "access/passwordpolicy.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace simfleet::ui {

UserDialog::UserDialog(Mode mode, const QStringList &operators, QWidget *parent)
    : QDialog(parent), m_mode(mode), m_name(new QLineEdit(this)), m_role(new QComboBox(this)),
      m_operator(new QComboBox(this)), m_password(new QLineEdit(this)), m_repeat(new QLineEdit(this)),
      m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("userDialog"));
    setWindowTitle(mode == Mode::Add ? tr("Add User") : mode == Mode::ChangeRole ? tr("Change Role") : tr("Set Password"));
    m_name->setObjectName(QStringLiteral("userName"));
    m_name->setAccessibleName(tr("User name"));
    m_name->setEnabled(mode == Mode::Add);
    m_role->setObjectName(QStringLiteral("role"));
    m_role->setAccessibleName(tr("Role"));
    for (access::Role r : { access::Role::Administrator, access::Role::Operations, access::Role::OperatorAccountManager,
                            access::Role::Viewer })
        m_role->addItem(access::roleTitle(r), QVariant::fromValue(int(r)));
    m_role->setCurrentIndex(3);
    m_operator->setObjectName(QStringLiteral("operator"));
    m_operator->setAccessibleName(tr("Operator managed"));
    m_operator->addItems(operators);
    for (QLineEdit *field : { m_password, m_repeat })
        field->setEchoMode(QLineEdit::Password);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setAccessibleName(tr("Password"));
    m_repeat->setObjectName(QStringLiteral("repeatPassword"));
    m_repeat->setAccessibleName(tr("Repeat the password"));
    m_error->setObjectName(QStringLiteral("userDialogError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&User:"), m_name);
    if (mode != Mode::SetPassword) {
        form->addRow(tr("&Role:"), m_role);
        form->addRow(tr("&Operator:"), m_operator);
    } else {
        m_role->hide();
        m_operator->hide();
    }
    form->addRow(mode == Mode::ChangeRole ? tr("New &password (optional):") : tr("&Password:"), m_password);
    form->addRow(tr("R&epeat:"), m_repeat);

    auto *layout = new QVBoxLayout(this);
    if (mode == Mode::ChangeRole) {
        auto *note = new QLabel(tr("Administrators and Operations work with secrets: a user who becomes one needs a new"
                                   " password, which protects their copy of the workspace key."),
                                this);
        note->setWordWrap(true);
        layout->addWidget(note);
    }
    layout->addLayout(form);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &UserDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_role, &QComboBox::currentIndexChanged, this, &UserDialog::updateOperatorState);
    updateOperatorState();
}

void UserDialog::setUser(const QString &name, access::Role role, const QString &operatorName)
{
    m_name->setText(name);
    m_role->setCurrentIndex(m_role->findData(QVariant::fromValue(int(role))));
    if (!operatorName.isEmpty())
        m_operator->setCurrentText(operatorName);
}

QString UserDialog::userName() const
{
    return m_name->text().trimmed();
}

access::Role UserDialog::role() const
{
    return access::Role(m_role->currentData().toInt());
}

QString UserDialog::operatorName() const
{
    return role() == access::Role::OperatorAccountManager ? m_operator->currentText() : QString();
}

QByteArray UserDialog::password() const
{
    return m_password->text().toUtf8();
}

void UserDialog::updateOperatorState()
{
    m_operator->setEnabled(role() == access::Role::OperatorAccountManager);
}

void UserDialog::accept()
{
    QString problem;
    if (userName().isEmpty())
        problem = tr("Type the user's name.");
    else if (m_mode != Mode::ChangeRole && m_password->text().isEmpty())
        problem = tr("Type a password for %1.").arg(userName());
    else if (m_password->text() != m_repeat->text())
        problem = tr("The two passwords differ; type them again.");
    else if (auto weak = access::PasswordPolicy::check(password(), userName(), false);
             !m_password->text().isEmpty() && !weak)
        problem = weak.errorMessage() + u'.';
    else if (role() == access::Role::OperatorAccountManager && m_operator->currentText().isEmpty())
        problem = tr("An operator account manager needs the operator they manage.");
    if (!problem.isEmpty()) {
        m_error->setText(problem);
        m_error->show();
        return;
    }
    QDialog::accept();
}

} // namespace simfleet::ui
