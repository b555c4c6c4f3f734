#pragma once

#include "fleet/operatoronboarding.h"
#include "opinput.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace simfleet::ui {

// Onboards an operator or edits one (issue 18): its network, its IMSI and ICCID ranges as first
// and last numbers, its service provider name and its OP. The dialog stays open until the backend
// has answered, so a refusal is read beside the fields it concerns and corrected there. The OP is
// typed in a password field and taken out of it as soon as Save is pressed, or read from a file
// on the store thread; it is never shown.
class OperatorDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Add, Edit };

    explicit OperatorDialog(Mode mode, QWidget *parent = nullptr);
    Mode mode() const { return m_mode; }
    // Edit: the operator as it is (OperatorOnboarding::specOf); its name is the one edited.
    void setSpec(const fleet::OperatorSpec &spec);
    const QString &originalName() const { return m_originalName; }
    fleet::OperatorSpec spec() const;
    // Not given in an edit: the operator keeps its OP.
    const models::OpInput &op() const { return m_op; }
    // The OP is read from this file when saved (what the From File button leads to).
    void setOpFile(const QString &path);

    QLabel *problem() const { return m_error; }
    // Checks what can be checked here, takes the OP out of its field, and says submitted; the
    // dialog waits for finish() or refuse().
    void accept() override;
    // The backend saved it: the dialog closes.
    void finish();
    // The backend refused: its sentence, and the fields open again for a correction.
    void refuse(const QString &message);

Q_SIGNALS:
    void submitted();

private:
    QLineEdit *field(const char *objectName, const QString &accessibleName, const QString &placeholder);
    void chooseOpFile();
    void setBusy(bool busy);
    void say(const QString &message);

    Mode m_mode;
    QString m_originalName;
    QLineEdit *m_name;
    QLineEdit *m_country;
    QLineEdit *m_mcc;
    QLineEdit *m_mnc;
    QLineEdit *m_imsiFirst;
    QLineEdit *m_imsiLast;
    QLineEdit *m_iccidFirst;
    QLineEdit *m_iccidLast;
    QLineEdit *m_spn;
    QLineEdit *m_opField;
    QLabel *m_opNote;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    models::OpInput m_op;
};

} // namespace simfleet::ui
