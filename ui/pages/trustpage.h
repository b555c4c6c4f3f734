#pragma once

#include "trusttablemodel.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace simfleet::models {
class AccessController;
}

namespace simfleet::ui {

// Trust (issue 18), for Administrators: the certificate issuers and manufacturers the workspace
// trusts, when their revocation lists need renewing, and adding or retiring them. Attestation
// trusts exactly this set; the backend checks every file and refuses with its reason.
class TrustPage : public QWidget
{
    Q_OBJECT
public:
    using FileKind = models::TrustTableModel::FileKind;

    TrustPage(models::AccessController *access, QWidget *parent = nullptr);
    models::TrustTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLabel *message() const { return m_message; }
    QLabel *alerts() const { return m_alerts; }
    void reload();

    // Asks for a PEM or DER file of this kind, then adds it.
    void chooseFile(FileKind kind);
    // What the file dialog leads to: the file is read and checked on the store thread.
    void addFromFile(FileKind kind, const QString &path);
    // Asks first, then stops trusting the selected issuer or manufacturer.
    void retireSelected();

Q_SIGNALS:
    // Something was added or retired: the test-workspace notice may have changed.
    void trustChanged();

private:
    void updateButtons();
    void showAlerts();
    void say(const QString &message, bool problem);

    models::TrustTableModel *m_model;
    QTableView *m_table;
    QLabel *m_message;
    QLabel *m_alerts; // the revocation lists to renew, in the problem colour
    QPushButton *m_retire;
};

} // namespace simfleet::ui
