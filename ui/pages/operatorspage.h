#pragma once

#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QPushButton;
class QTableView;

namespace simfleet::models {
class AccessController;
}
namespace simfleet::models {
class OperatorTableModel;
class ProfileServerHost;
}

namespace simfleet::ui {

class OperatorDialog;
class ProfileServerDialog;

// The operators of the workspace: networks, how full their IMSI and ICCID ranges are, and the
// policy their profiles follow. Administrators onboard, edit and retire operators and edit the
// policy. An operator account manager sees their own operator only.
class OperatorsPage : public QWidget
{
    Q_OBJECT
public:
    OperatorsPage(models::AccessController *access, QWidget *parent = nullptr);
    models::OperatorTableModel *model() const { return m_model; }
    void reload();
    QTableView *table() const { return m_table; }
    QLabel *message() const { return m_message; }
    // Administrators: the selected operator's policy in a dialog.
    void editPolicy();
    // Administrators (issue 18): a new operator, the selected one edited, or retired after asking.
    void addOperator();
    void editOperator();
    void retireOperator();
    // Administrators (issue 19): the selected operator's own profile template from a file, back
    // to the built-in one, or written out as personalised with the secrets zeroed.
    void useProfileTemplateFile(const QString &path);
    void useBuiltInProfileTemplate();
    void exportProfileTemplate(const QString &path);
    QPushButton *templateButton() const { return m_template; }
    // Administrators (issue 20): activation codes for the selected operator's own profile server.
    void importActivationCodes(const QString &path);
    QPushButton *serverButton() const { return m_server; }
    // Administrators, for demos: the selected operator's profile server on the network.
    void openServeDialog();
    models::ProfileServerHost *profileServerHost() const { return m_host; }

private:
    void updateButtons();
    void openOperatorDialog(OperatorDialog *dialog);
    void onOperatorSaved(bool ok, const QString &message);

    models::AccessController *m_access;
    models::OperatorTableModel *m_model;
    QTableView *m_table;
    QPushButton *m_add;
    QPushButton *m_editOperator;
    QPushButton *m_retire;
    QPushButton *m_template;
    QPushButton *m_server;
    models::ProfileServerHost *m_host;
    QAction *m_importCodes = nullptr;
    QAction *m_serve = nullptr;
    QAction *m_stopServing = nullptr;
    QPointer<ProfileServerDialog> m_serving;
    QPushButton *m_edit;
    QLabel *m_message;
    // The dialog whose save is on the store thread: the answer goes there while it is open.
    QPointer<OperatorDialog> m_saving;
};

} // namespace simfleet::ui
