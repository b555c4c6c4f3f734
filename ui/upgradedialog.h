#pragma once

#include "access/workspaceupgrade.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

namespace simfleet::ui {

// Asks who upgrades an older simfleet's workspace: its owner with the passphrase, or an
// Administrator with their password (access::WorkspaceUpgrade checks it against the file).
class UpgradeDialog : public QDialog
{
    Q_OBJECT
public:
    UpgradeDialog(const QString &path, const QString &reason, QWidget *parent = nullptr);

    // The proof typed; the field is cleared as it is taken.
    access::UpgradeProof takeProof();

    QComboBox *whoField() const { return m_who; }
    QLineEdit *userField() const { return m_user; }
    QLineEdit *secretField() const { return m_secret; }

    void accept() override;

private:
    void updateFields();

    QComboBox *m_who;
    QLineEdit *m_user;
    QLineEdit *m_secret;
    QLabel *m_secretLabel;
    QLabel *m_problem;
};

} // namespace simfleet::ui
