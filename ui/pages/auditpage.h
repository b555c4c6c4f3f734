#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace simfleet::models {
class AccessController;
class AuditTableModel;
}

namespace simfleet::ui {

// The append-only, hash-chained audit log (DESIGN.md "The GUI"): who changed what, newest first,
// filtered by user, action or subject, and a check of the chain that names the first entry
// changed or removed.
class AuditPage : public QWidget
{
    Q_OBJECT
public:
    AuditPage(models::AccessController *access, QWidget *parent = nullptr);
    models::AuditTableModel *model() const { return m_model; }
    QLineEdit *searchField() const { return m_search; }
    QLabel *verification() const { return m_verification; }
    void reload();
    void verifyChain();

private:
    models::AccessController *m_access;
    models::AuditTableModel *m_model;
    QLineEdit *m_search;
    QPushButton *m_verify;
    QLabel *m_verification;
    QLabel *m_problem;
    QTableView *m_table;
};

} // namespace simfleet::ui
