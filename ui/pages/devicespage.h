#pragma once

#include <QWidget>

class QLabel;
class QAction;
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

class DeviceDetailPane;

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
    DeviceDetailPane *detail() const { return m_detail; }
    QList<qint64> selectedDevices() const;
    void exportCsv(const QString &path);
    // Says how an action on the selection went (attestation results, export).
    void say(const QString &message, bool problem = false);

Q_SIGNALS:
    void attestRequested(const QList<qint64> &devices);
    // The selection, or without one the devices the filter matches.
    void changeRequested(const QList<qint64> &devices, const QString &filter);
    void provisionRequested(const QList<qint64> &devices);
    // The selection, or without one the devices the filter matches.
    void reconcileRequested(const QList<qint64> &devices, const QString &filter);
    // custody: stolen, lost or recovered; or "release" (from quarantine).
    void custodyRequested(const QList<qint64> &devices, const QString &custody, const QString &note);

private:
    void applyFilter();
    void updateCount();
    void showDetail();
    void updateActions();
    void requestCustody(const QString &custody);

    models::DeviceTableModel *m_model;
    QLineEdit *m_search;
    QLineEdit *m_filter;
    QLabel *m_count;
    QLabel *m_problem;
    QTableView *m_table;
    QTimer *m_debounce;
    DeviceDetailPane *m_detail;
    QLabel *m_message;
    QAction *m_attest;
    QAction *m_change;
    QAction *m_provision;
    QAction *m_export;
    QAction *m_reconcile;
    QAction *m_report;
    QAction *m_stolen;
    QAction *m_lost;
    QAction *m_recovered;
    QAction *m_release;
    models::AccessController *m_access;
    quint64 m_detailRequest = 0;
};

} // namespace simfleet::ui
