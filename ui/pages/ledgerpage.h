#pragma once

#include <QWidget>

class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QTableView;

namespace simfleet::models {
class AccessController;
class LedgerPeriodModel;
class LedgerMonthModel;
}

namespace simfleet::ui {

// The subscription ledger (issue 23, the utility switch without accounting work): for a month,
// device-days per customer and operator, every period that overlaps it, and the statement an
// accountant signs (PDF), or the periods as CSV. An account manager sees their operator's only.
class LedgerPage : public QWidget
{
    Q_OBJECT
public:
    explicit LedgerPage(models::AccessController *access, QWidget *parent = nullptr);
    void reload();
    // Shows the month given (any day of it).
    void showMonth(QDate month);
    models::LedgerPeriodModel *periods() const { return m_periods; }

private:
    void query();
    void fillChoices();
    void saveStatement(const QString &path);
    void saveCsv(const QString &path);
    void say(const QString &message, bool problem = false);

    models::AccessController *m_access;
    models::LedgerPeriodModel *m_periods;
    models::LedgerMonthModel *m_months;
    QDateEdit *m_month;
    QComboBox *m_customer;
    QComboBox *m_operator;
    QPushButton *m_statement;
    QPushButton *m_csv;
    QLabel *m_summary;
    QLabel *m_message;
    QTableView *m_monthTable;
    QTableView *m_periodTable;
};

} // namespace simfleet::ui
