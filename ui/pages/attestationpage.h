#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace simfleet::models {
class AccessController;
class ReferenceValueTableModel;
class VerdictTableModel;
}

namespace simfleet::ui {

// Attestation (DESIGN.md "The GUI"): the fleet by latest verdict and reason, the devices behind a
// row in the device list or attested again, and the reference values per model and version.
class AttestationPage : public QWidget
{
    Q_OBJECT
public:
    AttestationPage(models::AccessController *access, QWidget *parent = nullptr);
    models::VerdictTableModel *verdicts() const { return m_verdicts; }
    models::ReferenceValueTableModel *references() const { return m_references; }
    QTableView *verdictTable() const { return m_verdictTable; }
    QTableView *referenceTable() const { return m_referenceTable; }
    QLabel *message() const { return m_message; }
    void reload();
    void reattestSelected();
    void say(const QString &message, bool problem = false);

Q_SIGNALS:
    void showDevices(const QString &filter);
    void attestRequested(const QList<qint64> &devices);

private:
    void updateButtons();

    models::AccessController *m_access;
    models::VerdictTableModel *m_verdicts;
    models::ReferenceValueTableModel *m_references;
    QTableView *m_verdictTable;
    QTableView *m_referenceTable;
    QLabel *m_message;
    QPushButton *m_show;
    QPushButton *m_reattest;
    QPushButton *m_retire;
};

} // namespace simfleet::ui
