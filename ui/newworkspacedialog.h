#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;

namespace simfleet::ui {

// A new, empty workspace (DESIGN.md "The GUI", Workspace): where its file goes, its name, the
// passphrase that protects its secrets, and its first user, the Administrator. What is wrong is
// said in the dialog before anything is created.
class NewWorkspaceDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NewWorkspaceDialog(QWidget *parent = nullptr);

    QString path() const;
    QString workspaceName() const;
    QByteArray passphrase() const;
    QString administrator() const;
    QByteArray administratorPassword() const;

    QLineEdit *pathField() const { return m_path; }
    QLineEdit *nameField() const { return m_name; }
    QLineEdit *passphraseField() const { return m_passphrase; }
    QLineEdit *passphraseRepeatField() const { return m_passphraseRepeat; }
    QLineEdit *administratorField() const { return m_admin; }
    QLineEdit *passwordField() const { return m_password; }
    QLineEdit *passwordRepeatField() const { return m_passwordRepeat; }
    QLabel *problem() const { return m_problem; }

    void accept() override;

private:
    QLineEdit *m_path;
    QLineEdit *m_name;
    QLineEdit *m_passphrase;
    QLineEdit *m_passphraseRepeat;
    QLineEdit *m_admin;
    QLineEdit *m_password;
    QLineEdit *m_passwordRepeat;
    QLabel *m_problem;
};

} // namespace simfleet::ui
