#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QSpinBox;
class QTableView;

namespace simfleet::models {
class AccessController;
class UserTableModel;
}


namespace simfleet::ui {

// Users and roles, for Administrators (DESIGN.md "Access"): add, change role or password,
// remove, and how long an idle session lasts. Every change is made, checked and audited by the
// backend as the logged-in Administrator.
class UsersPage : public QWidget
{
    Q_OBJECT
public:
    UsersPage(models::AccessController *access, QWidget *parent = nullptr);
    models::UserTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLabel *message() const { return m_message; }

    void reload();
    void addUser();
    void changeRole();
    void setPassword();
    void removeUser();

private:
    int selectedRow() const;
    void say(const QString &message, bool problem);

    models::UserTableModel *m_model;
    QTableView *m_table;
    QLabel *m_message;
    QSpinBox *m_idle;
};

} // namespace simfleet::ui
