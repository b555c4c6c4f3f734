#pragma once

#include "access/role.h"

#include <QDialog>
#include <QStringList>

class QComboBox;
class QLabel;
class QLineEdit;

namespace simfleet::ui {

// Adds a user, or changes one's role (and, when asked, password). The password is typed twice;
// what is wrong with the input is said in the dialog before anything is sent.
class UserDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Add, ChangeRole, SetPassword };

    UserDialog(Mode mode, const QStringList &operators, QWidget *parent = nullptr);
    void setUser(const QString &name, access::Role role, const QString &operatorName);

    QString userName() const;
    access::Role role() const;
    QString operatorName() const; // empty unless the role is operator account manager
    QByteArray password() const;  // empty when none was typed (role change without a new one)

    QLineEdit *nameField() const { return m_name; }
    QComboBox *roleBox() const { return m_role; }
    QComboBox *operatorBox() const { return m_operator; }
    QLineEdit *passwordField() const { return m_password; }
    QLineEdit *repeatField() const { return m_repeat; }

    void accept() override;

private:
    void updateOperatorState();

    Mode m_mode;
    QLineEdit *m_name;
    QComboBox *m_role;
    QComboBox *m_operator;
    QLineEdit *m_password;
    QLineEdit *m_repeat;
    QLabel *m_error;
};

} // namespace simfleet::ui
