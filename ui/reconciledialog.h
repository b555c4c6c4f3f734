#pragma once

#include <QDialog>

class QLabel;
class QTableWidget;

namespace simfleet::campaigns {
struct ReconcileReport;
}

namespace simfleet::ui {

// What reconciling devices with the workspace found: how many agreed, and each difference with
// what the workspace and the device said and what was done about it.
class ReconcileDialog : public QDialog
{
    Q_OBJECT
public:
    ReconcileDialog(const campaigns::ReconcileReport &report, QWidget *parent = nullptr);

    QTableWidget *differences() const { return m_table; }
    QLabel *summary() const { return m_summary; }

private:
    QLabel *m_summary;
    QTableWidget *m_table;
};

} // namespace simfleet::ui
