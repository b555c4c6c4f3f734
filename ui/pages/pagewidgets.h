#pragma once

#include <QString>

class QLabel;
class QTableView;
class QWidget;

namespace simfleet::ui {

// What every page shows the same way: its heading, and a read-only list of whole rows.
QLabel *pageTitle(const QString &text, QWidget *parent);
// A page's message line: what an action did, or in red what went wrong and what to do.
void showMessage(QLabel *label, const QString &text, bool problem);
void setUpRowTable(QTableView *table, const QString &accessibleName);

} // namespace simfleet::ui
