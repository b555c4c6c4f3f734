#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace simfleet::models {
class AccessController;
}
namespace simfleet::models {
class DeviceTableModel;
}

namespace simfleet::ui {

// The device list: free-text search over EID, IMEI and label, a filter in the command line's
// syntax (fleet=... and operator=... and verdict=...), sortable columns, rows paged from the
// database as the table scrolls. The GUI thread never waits for it.
class DevicesPage : public QWidget
{
    Q_OBJECT
public:
    DevicesPage(models::AccessController *access, QWidget *parent = nullptr);

    models::DeviceTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    // The open workspace changed: start over.
    void reload();
    // Shows the devices matching filter (the dashboard's click-through).
    void showFiltered(const QString &filter);

private:
    void applyFilter();
    void updateCount();

    models::DeviceTableModel *m_model;
    QLineEdit *m_search;
    QLineEdit *m_filter;
    QLabel *m_count;
    QLabel *m_problem;
    QTableView *m_table;
    QTimer *m_debounce;
};

} // namespace simfleet::ui
