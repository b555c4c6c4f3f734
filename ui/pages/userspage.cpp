#include "userspage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "userdialog.h"
#include "usertablemodel.h"


#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

UsersPage::UsersPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_model(new models::UserTableModel(access, this)), m_table(new QTableView(this)),
      m_message(new QLabel(this)), m_idle(new QSpinBox(this))
{
    setObjectName(QStringLiteral("usersPage"));
    auto *title = pageTitle(tr("Users"), this);
    auto *summary = new QLabel(tr("Who may log in and what each may do. Administrators manage users, operators and reference "
                                  "values; Operations enroll, attest and run campaigns; an operator account manager sees "
                                  "only what involves their operator; a Viewer reads."),
                               this);
    summary->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("usersMessage"));
    m_message->setWordWrap(true);
    m_message->hide();

    m_table->setObjectName(QStringLiteral("userTable"));
    m_table->setModel(m_model);
    setUpRowTable(m_table, tr("Users"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    const auto button = [this](const QString &text, const char *name, void (UsersPage::*slot)()) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(QLatin1StringView(name));
        connect(b, &QPushButton::clicked, this, slot);
        return b;
    };
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(button(tr("&Add User…"), "addUserButton", &UsersPage::addUser));
    buttons->addWidget(button(tr("Change &Role…"), "changeRoleButton", &UsersPage::changeRole));
    buttons->addWidget(button(tr("Set &Password…"), "setPasswordButton", &UsersPage::setPassword));
    buttons->addWidget(button(tr("Re&move…"), "removeUserButton", &UsersPage::removeUser));
    buttons->addStretch(1);
    auto *idleLabel = new QLabel(tr("Log out after"), this);
    m_idle->setObjectName(QStringLiteral("idleMinutes"));
    m_idle->setAccessibleName(tr("Minutes without activity before a session ends"));
    m_idle->setRange(0, 24 * 60);
    m_idle->setSuffix(tr(" min idle"));
    m_idle->setSpecialValueText(tr("never"));
    idleLabel->setBuddy(m_idle);
    auto *applyIdle = new QPushButton(tr("Apply"), this);
    applyIdle->setObjectName(QStringLiteral("applyIdleButton"));
    connect(applyIdle, &QPushButton::clicked, this, [this] { m_model->setIdleMinutes(m_idle->value()); });
    buttons->addWidget(idleLabel);
    buttons->addWidget(m_idle);
    buttons->addWidget(applyIdle);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(m_table, 1);

    connect(m_model, &models::UserTableModel::loadFailed, this,
            [this](const QString &message) { say(tr("The users could not be read: %1").arg(message), true); });
    connect(m_model, &models::UserTableModel::loaded, this, [this] { m_idle->setValue(int(m_model->idleMinutes())); });
    connect(m_model, &models::UserTableModel::actionFinished, this, [this](bool ok, const QString &message) { say(message, !ok); });
}

void UsersPage::say(const QString &message, bool problem)
{
    showMessage(m_message, message, problem);
}

void UsersPage::reload()
{
    m_message->hide();
    m_model->reload();
}

int UsersPage::selectedRow() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void UsersPage::addUser()
{
    auto *dialog = new UserDialog(UserDialog::Mode::Add, m_model->operatorNames(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_model->addUser({ dialog->userName(), dialog->role(), dialog->operatorName(), dialog->password() });
    });
    dialog->open();
}

void UsersPage::changeRole()
{
    const access::UserSummary *user = m_model->userAt(selectedRow());
    if (!user) {
        say(tr("Select the user whose role changes."), true);
        return;
    }
    auto *dialog = new UserDialog(UserDialog::Mode::ChangeRole, m_model->operatorNames(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setUser(user->name, user->role, user->operatorName);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString name = dialog->userName();
        const access::Role role = dialog->role();
        const QString op = dialog->operatorName();
        const QByteArray password = dialog->password();
        m_model->setRole(name, role, op, password.isEmpty() ? std::nullopt : std::optional<QByteArray>(password));
    });
    dialog->open();
}

void UsersPage::setPassword()
{
    const access::UserSummary *user = m_model->userAt(selectedRow());
    if (!user) {
        say(tr("Select the user whose password to set."), true);
        return;
    }
    auto *dialog = new UserDialog(UserDialog::Mode::SetPassword, m_model->operatorNames(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setUser(user->name, user->role, user->operatorName);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_model->setPassword(dialog->userName(), dialog->password());
    });
    dialog->open();
}

void UsersPage::removeUser()
{
    const access::UserSummary *user = m_model->userAt(selectedRow());
    if (!user) {
        say(tr("Select the user to remove."), true);
        return;
    }
    const QString name = user->name;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove User"),
                                tr("Remove %1? They will not be able to log in any more; the audit log keeps what they did.")
                                    .arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("removeUserQuestion"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, name](int result) {
        if (result == QMessageBox::Yes)
            m_model->removeUser(name);
    });
    box->open();
}

} // namespace simfleet::ui
