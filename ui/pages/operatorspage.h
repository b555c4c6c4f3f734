#pragma once

#include <QWidget>

class QTableView;

namespace simfleet::models {
class AccessController;
}
namespace simfleet::models {
class OperatorTableModel;
}

namespace simfleet::ui {

// The operators of the workspace: networks, how full their IMSI and ICCID ranges are, and the
// policy their profiles follow. Read only for now: editing lands with users and roles (#8).
class OperatorsPage : public QWidget
{
    Q_OBJECT
public:
    OperatorsPage(models::AccessController *access, QWidget *parent = nullptr);
    models::OperatorTableModel *model() const { return m_model; }
    void reload();

private:
    models::OperatorTableModel *m_model;
    QTableView *m_table;
};

} // namespace simfleet::ui
