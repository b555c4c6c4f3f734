#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace simfleet::models {
class AccessController;
}
namespace simfleet::models {
class OperatorTableModel;
}

namespace simfleet::ui {

// The operators of the workspace: networks, how full their IMSI and ICCID ranges are, and the
// policy their profiles follow, which Administrators edit. An operator account manager sees their
// own operator only.
class OperatorsPage : public QWidget
{
    Q_OBJECT
public:
    OperatorsPage(models::AccessController *access, QWidget *parent = nullptr);
    models::OperatorTableModel *model() const { return m_model; }
    void reload();
    QTableView *table() const { return m_table; }
    // Administrators: the selected operator's policy in a dialog.
    void editPolicy();

private:
    void updateButtons();

    models::AccessController *m_access;
    models::OperatorTableModel *m_model;
    QTableView *m_table;
    QPushButton *m_edit;
    QLabel *m_message;
};

} // namespace simfleet::ui
