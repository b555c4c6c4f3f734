#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace simfleet::models {
class AccessController;
}

namespace simfleet::ui {

// Asks who is working (DESIGN.md "Access"). The password is checked on the store thread; the
// dialog stays open with the reason when it is refused, and closes once the user is logged in.
// When the workspace was opened with its key file (the demo), its owner may also go on as such.
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    LoginDialog(models::AccessController *access, const QString &workspaceName, bool demo, QWidget *parent = nullptr);

    QLineEdit *userField() const { return m_user; }
    QLineEdit *passwordField() const { return m_password; }
    QLabel *errorLabel() const { return m_error; }

private:
    void submit();
    void setBusy(bool busy);

    models::AccessController *m_access;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QLabel *m_error;
    QPushButton *m_login;
    QPushButton *m_owner = nullptr;
};

} // namespace simfleet::ui
