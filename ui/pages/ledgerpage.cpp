#include "ledgerpage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "ledgermodels.h"
#include "ledgerstatementpdf.h"

#include "access/session.h"
#include "fleet/fleetqueries.h"
#include "store/workspace.h"
#include "store/workspaceservice.h"

#include <QApplication>
#include <QComboBox>
#include <QDateEdit>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QThreadPool>
#include <QVBoxLayout>

namespace simfleet::ui {

LedgerPage::LedgerPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_access(access), m_periods(new models::LedgerPeriodModel(access, this)),
      m_months(new models::LedgerMonthModel(this)), m_month(new QDateEdit(this)), m_customer(new QComboBox(this)),
      m_operator(new QComboBox(this)), m_statement(new QPushButton(tr("&Statement as PDF…"), this)),
      m_csv(new QPushButton(tr("Periods as &CSV…"), this)), m_summary(new QLabel(this)), m_message(new QLabel(this)),
      m_monthTable(new QTableView(this)), m_periodTable(new QTableView(this))
{
    setObjectName(QStringLiteral("ledgerPage"));
    auto *title = pageTitle(tr("Ledger"), this);
    auto *about = new QLabel(tr("Each period a device held a subscription: written with the step that began or ended it, so it "
                                "never disagrees with the profiles. On the day a fleet moves to a new operator, each party's "
                                "share of the month is exact to the millisecond."),
                             this);
    about->setWordWrap(true);
    m_month->setObjectName(QStringLiteral("ledgerMonth"));
    m_month->setDisplayFormat(QStringLiteral("MMMM yyyy"));
    m_month->setCalendarPopup(true);
    m_month->setDate(QDate::currentDate());
    m_month->setAccessibleName(tr("Month"));
    m_customer->setObjectName(QStringLiteral("ledgerCustomer"));
    m_customer->setAccessibleName(tr("Customer"));
    m_operator->setObjectName(QStringLiteral("ledgerOperator"));
    m_operator->setAccessibleName(tr("Operator"));
    m_statement->setObjectName(QStringLiteral("ledgerStatement"));
    m_statement->setToolTip(tr("The month's device-days and periods for the customer and operator chosen, with lines to sign"));
    m_csv->setObjectName(QStringLiteral("ledgerCsv"));
    m_summary->setObjectName(QStringLiteral("ledgerSummary"));
    m_message->setObjectName(QStringLiteral("ledgerMessage"));
    m_message->setWordWrap(true);
    m_message->hide();

    m_monthTable->setObjectName(QStringLiteral("ledgerMonthTable"));
    m_monthTable->setModel(m_months);
    setUpRowTable(m_monthTable, tr("Device-days per customer and operator"));
    m_monthTable->horizontalHeader()->setStretchLastSection(true);
    m_monthTable->setColumnWidth(models::LedgerMonthModel::Customer, 220);
    m_monthTable->setColumnWidth(models::LedgerMonthModel::Operator, 180);
    auto *sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_periods);
    sorted->setSortRole(models::LedgerPeriodModel::SortRole);
    m_periodTable->setObjectName(QStringLiteral("ledgerPeriodTable"));
    m_periodTable->setModel(sorted);
    setUpRowTable(m_periodTable, tr("Subscription periods in the month"));
    m_periodTable->setSortingEnabled(true);
    m_periodTable->sortByColumn(models::LedgerPeriodModel::Eid, Qt::AscendingOrder);
    m_periodTable->setColumnWidth(models::LedgerPeriodModel::Eid, 260);
    m_periodTable->setColumnWidth(models::LedgerPeriodModel::Iccid, 160);
    m_periodTable->setColumnWidth(models::LedgerPeriodModel::Customer, 150);
    m_periodTable->setColumnWidth(models::LedgerPeriodModel::From, 130);
    m_periodTable->setColumnWidth(models::LedgerPeriodModel::To, 130);
    m_periodTable->setWordWrap(false);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Month:"), this));
    bar->addWidget(m_month);
    bar->addWidget(new QLabel(tr("Customer:"), this));
    bar->addWidget(m_customer, 1);
    bar->addWidget(new QLabel(tr("Operator:"), this));
    bar->addWidget(m_operator, 1);
    // Long customer names must not widen the window.
    for (QComboBox *box : { m_customer, m_operator }) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(12);
    }
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_summary, 1);
    buttons->addWidget(m_statement);
    buttons->addWidget(m_csv);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_monthTable);
    split->addWidget(m_periodTable);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(about);
    layout->addLayout(bar);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

    connect(m_month, &QDateEdit::dateChanged, this, &LedgerPage::query);
    connect(m_customer, &QComboBox::currentIndexChanged, this, &LedgerPage::query);
    connect(m_operator, &QComboBox::currentIndexChanged, this, &LedgerPage::query);
    connect(m_periods, &models::TableModel::loaded, this, [this] {
        m_months->setMonths(m_periods->months());
        qint64 ms = 0;
        for (const auto &m : m_periods->months())
            ms += m.milliseconds;
        m_summary->setText(tr("%n period(s) in %1: %2 device-days.", nullptr, int(m_periods->periods().size()))
                               .arg(QLocale().toString(m_month->date(), QStringLiteral("MMMM yyyy")))
                               .arg(QLocale().toString(double(ms) / 86'400'000.0, 'f', 2)));
        m_statement->setEnabled(!m_periods->periods().isEmpty());
        m_csv->setEnabled(!m_periods->periods().isEmpty());
    });
    connect(m_periods, &models::TableModel::loadFailed, this, [this](const QString &message) {
        m_months->setMonths({});
        m_summary->setText(tr("The ledger could not be read: %1").arg(message));
    });
    const auto ask = [this](const QString &caption, const QString &name, const QString &filter, void (LedgerPage::*save)(const QString &)) {
        auto *dialog = new QFileDialog(this, caption, QDir::home().filePath(name), filter);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        connect(dialog, &QFileDialog::fileSelected, this, save);
        dialog->open();
    };
    connect(m_statement, &QPushButton::clicked, this, [this, ask] {
        ask(tr("Save the Statement"), QStringLiteral("statement-%1.pdf").arg(m_month->date().toString(QStringLiteral("yyyy-MM"))),
            tr("PDF files (*.pdf)"), &LedgerPage::saveStatement);
    });
    connect(m_csv, &QPushButton::clicked, this, [this, ask] {
        ask(tr("Save the Periods"), QStringLiteral("ledger-%1.csv").arg(m_month->date().toString(QStringLiteral("yyyy-MM"))),
            tr("CSV files (*.csv)"), &LedgerPage::saveCsv);
    });
}

void LedgerPage::reload()
{
    fillChoices();
}

void LedgerPage::showMonth(QDate month)
{
    m_month->setDate(month);
}

// Customers and operators the reader may see, read on the store thread.
void LedgerPage::fillChoices()
{
    using Choices = std::pair<QList<store::CustomerRecord>, QList<store::OperatorRecord>>;
    m_access->request<Choices>(
        this,
        [](store::Workspace &ws, const access::Session &by) -> Result<Choices> {
            const fleet::FleetQueries queries(ws);
            auto customers = queries.customers(by);
            if (!customers)
                return customers.error();
            auto operators = queries.operators(by);
            if (!operators)
                return operators.error();
            return Choices { customers.value(), operators.value() };
        },
        [this](const Result<Choices> &choices) {
            const QVariant customer = m_customer->currentData(), op = m_operator->currentData();
            const QSignalBlocker a(m_customer), b(m_operator);
            m_customer->clear();
            m_operator->clear();
            m_customer->addItem(tr("All customers"));
            m_operator->addItem(tr("All operators"));
            if (choices) {
                for (const auto &c : choices->first)
                    m_customer->addItem(c.name, c.id);
                for (const auto &o : choices->second)
                    m_operator->addItem(o.name, o.id);
            }
            m_customer->setCurrentIndex(std::max(0, m_customer->findData(customer)));
            m_operator->setCurrentIndex(std::max(0, m_operator->findData(op)));
            query();
        });
}

void LedgerPage::query()
{
    const QVariant customer = m_customer->currentData(), op = m_operator->currentData();
    m_periods->setQuery(m_month->date(), customer.isValid() ? std::optional<qint64>(customer.toLongLong()) : std::nullopt,
                        op.isValid() ? std::optional<qint64>(op.toLongLong()) : std::nullopt);
}

void LedgerPage::say(const QString &message, bool problem)
{
    showMessage(m_message, message, problem);
}

void LedgerPage::saveStatement(const QString &path)
{
    LedgerStatement s;
    s.workspaceName = m_access->workspaces()->current().name;
    s.preparedBy = m_access->session() ? m_access->session()->describe() : QString();
    s.month = QDate(m_month->date().year(), m_month->date().month(), 1);
    s.customer = m_customer->currentText();
    s.operatorName = m_operator->currentText();
    s.totals = m_periods->months();
    for (const auto &p : m_periods->periods())
        s.lines.append({ p, m_periods->insideMonth(p) });
    say(tr("Writing the statement…"));
    QPointer<LedgerPage> self(this);
    QThreadPool::globalInstance()->start([self, path, s] {
        const Result<void> written = writeLedgerStatementPdf(path, s);
        QMetaObject::invokeMethod(
            qApp,
            [self, path, written] {
                if (self)
                    self->say(written ? tr("The statement is in %1.").arg(QDir::toNativeSeparators(path)) : written.errorMessage(),
                              !written);
            },
            Qt::QueuedConnection);
    });
}

void LedgerPage::saveCsv(const QString &path)
{
    say(tr("Writing the periods…"));
    QPointer<LedgerPage> self(this);
    QThreadPool::globalInstance()->start([self, path, periods = m_periods->periods()] {
        QSaveFile file(path);
        bool ok = file.open(QIODevice::WriteOnly);
        if (ok) {
            file.write(fleet::ledgerFormat::periodCsvHeader());
            for (const auto &p : periods)
                file.write(fleet::ledgerFormat::periodCsvRow(p));
            ok = file.commit();
        }
        const QString message = ok ? tr("The periods are in %1.").arg(QDir::toNativeSeparators(path))
                                   : tr("Cannot write %1: %2").arg(path, file.errorString());
        QMetaObject::invokeMethod(
            qApp,
            [self, message, ok] {
                if (self)
                    self->say(message, !ok);
            },
            Qt::QueuedConnection);
    });
}

} // namespace simfleet::ui
