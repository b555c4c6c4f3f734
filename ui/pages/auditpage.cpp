#include "auditpage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "audittablemodel.h"

#include "access/audittrail.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace simfleet::ui {

AuditPage::AuditPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_access(access), m_model(new models::AuditTableModel(access, this)), m_search(new QLineEdit(this)),
      m_verify(new QPushButton(tr("&Verify Chain"), this)), m_verification(new QLabel(this)), m_problem(new QLabel(this)),
      m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("auditPage"));
    auto *title = pageTitle(tr("Audit"), this);
    auto *summary = new QLabel(tr("Every change to the workspace, who made it and when. Each entry carries a hash over the one "
                                  "before and its author's signature, so a changed, removed or forged entry shows when the "
                                  "chain is verified. To find entries cut off the end, keep a checkpoint outside the file: "
                                  "simfleet-cli audit checkpoint --out FILE."),
                               this);
    summary->setWordWrap(true);

    m_search->setObjectName(QStringLiteral("auditSearch"));
    m_search->setPlaceholderText(tr("Filter by user, action or subject (e.g. campaign, device:8904…)"));
    m_search->setAccessibleName(tr("Filter the audit log"));
    m_search->setClearButtonEnabled(true);
    m_verify->setObjectName(QStringLiteral("verifyChainButton"));
    m_verification->setObjectName(QStringLiteral("chainVerification"));
    m_verification->setWordWrap(true);
    m_verification->hide();
    m_problem->setObjectName(QStringLiteral("auditProblem"));
    m_problem->setWordWrap(true);
    m_problem->hide();

    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setModel(m_model);
    setUpRowTable(m_table, tr("Audit log"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(models::AuditTableModel::Seq, 70);
    m_table->setColumnWidth(models::AuditTableModel::When, 150);
    m_table->setColumnWidth(models::AuditTableModel::User, 110);
    m_table->setColumnWidth(models::AuditTableModel::Action, 170);
    m_table->setColumnWidth(models::AuditTableModel::Subject, 330);
    m_table->setWordWrap(false);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_verify);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addLayout(bar);
    layout->addWidget(m_verification);
    layout->addWidget(m_problem);
    layout->addWidget(m_table, 1);

    // The filter runs in the database once typing pauses.
    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, [this] { m_model->setSearch(m_search->text()); });
    connect(m_verify, &QPushButton::clicked, this, &AuditPage::verifyChain);
    connect(m_model, &models::AuditTableModel::loadFailed, this, [this](const QString &message) {
        m_problem->setText(tr("The audit log could not be read: %1").arg(message));
        m_problem->show();
    });
    connect(m_model, &models::AuditTableModel::loaded, m_problem, &QWidget::hide);
}

void AuditPage::reload()
{
    m_verification->hide();
    m_model->reload();
}

void AuditPage::verifyChain()
{
    m_verify->setEnabled(false);
    m_verification->setText(tr("Verifying the chain…"));
    m_verification->setStyleSheet(QString());
    m_verification->show();
    m_access->request<store::AuditVerification>(
        this,
        [](store::Workspace &ws, const access::Session &session) { return access::AuditTrail::verify(ws, session); },
        [this](const Result<store::AuditVerification> &v) {
            m_verify->setEnabled(true);
            if (!v) {
                m_verification->setText(tr("The chain could not be verified: %1").arg(v.errorMessage()));
                m_verification->setStyleSheet(QStringLiteral("color: #c0392b;"));
                return;
            }
            if (v->intact) {
                m_verification->setText(
                    v->unsignedLegacyEntries > 0
                        ? tr("✔ The chain is intact: %1 entries, each one linked to the one before and signed by its author; "
                             "the first %2, from before signed entries, are linked only.")
                              .arg(QLocale().toString(v->entries), QLocale().toString(v->unsignedLegacyEntries))
                        : tr("✔ The chain is intact: %1 entries, each one linked to the one before and signed by its author.")
                              .arg(QLocale().toString(v->entries)));
                m_verification->setStyleSheet(QStringLiteral("color: #1e7e34;"));
            } else {
                m_verification->setText(tr("✖ The audit log was tampered with at entry %1: %2. Keep this copy for "
                                           "investigation and restore the workspace from a backup.")
                                            .arg(v->firstBadEntry)
                                            .arg(v->problem));
                m_verification->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
            }
        });
}

} // namespace simfleet::ui
