#include "attestationpage.h"
#include "pagewidgets.h"

#include "accesscontroller.h"
#include "attestationmodels.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace simfleet::ui {

AttestationPage::AttestationPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_access(access), m_verdicts(new models::VerdictTableModel(access, this)),
      m_references(new models::ReferenceValueTableModel(access, this)), m_verdictTable(new QTableView(this)),
      m_referenceTable(new QTableView(this)), m_message(new QLabel(this)), m_show(new QPushButton(tr("&Show Devices"), this)),
      m_reattest(new QPushButton(tr("&Attest Again"), this)), m_retire(new QPushButton(tr("&Retire Version"), this))
{
    setObjectName(QStringLiteral("attestationPage"));
    auto *title = pageTitle(tr("Attestation"), this);
    auto *summary = new QLabel(tr("Each device's latest verdict on its secure environment (AR4SI tiers) and why. No credential "
                                  "goes to a device without a fresh enough affirming verdict. Select rows to see their devices "
                                  "or attest them again."),
                               this);
    summary->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("attestationMessage"));
    m_message->setWordWrap(true);
    m_message->hide();
    m_show->setObjectName(QStringLiteral("showVerdictDevices"));
    m_reattest->setObjectName(QStringLiteral("reattest"));
    m_retire->setObjectName(QStringLiteral("retireReference"));
    m_retire->setToolTip(tr("Devices reporting this version get a warning from now on (Administrators)"));

    m_verdictTable->setObjectName(QStringLiteral("verdictTable"));
    m_verdictTable->setModel(m_verdicts);
    setUpRowTable(m_verdictTable, tr("Verdicts and reasons"));
    m_verdictTable->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_verdictTable->horizontalHeader()->setStretchLastSection(false);
    m_verdictTable->horizontalHeader()->setSectionResizeMode(models::VerdictTableModel::Verdict, QHeaderView::ResizeToContents);
    m_verdictTable->horizontalHeader()->setSectionResizeMode(models::VerdictTableModel::Reason, QHeaderView::Stretch);
    m_verdictTable->horizontalHeader()->setSectionResizeMode(models::VerdictTableModel::Devices, QHeaderView::ResizeToContents);
    m_referenceTable->setObjectName(QStringLiteral("referenceTable"));
    m_referenceTable->setModel(m_references);
    setUpRowTable(m_referenceTable, tr("Reference values"));
    m_referenceTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto *verdictButtons = new QHBoxLayout;
    verdictButtons->addWidget(new QLabel(tr("<b>Verdicts</b>"), this), 1);
    verdictButtons->addWidget(m_show);
    verdictButtons->addWidget(m_reattest);
    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(verdictButtons);
    topLayout->addWidget(m_verdictTable, 1);
    auto *referenceButtons = new QHBoxLayout;
    referenceButtons->addWidget(new QLabel(tr("<b>Reference values</b> per hardware model and software version, as the "
                                              "manufacturers published them"),
                                           this),
                                1);
    referenceButtons->addWidget(m_retire);
    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addLayout(referenceButtons);
    bottomLayout->addWidget(m_referenceTable, 1);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(summary);
    layout->addWidget(m_message);
    layout->addWidget(split, 1);

    connect(m_show, &QPushButton::clicked, this, [this] {
        const store::VerdictReason *row = m_verdicts->rowAt(m_verdictTable->currentIndex().row());
        if (row)
            Q_EMIT showDevices(QStringLiteral("verdict=") + row->verdict);
    });
    connect(m_verdictTable, &QTableView::doubleClicked, m_show, &QPushButton::click);
    connect(m_reattest, &QPushButton::clicked, this, &AttestationPage::reattestSelected);
    connect(m_retire, &QPushButton::clicked, this, [this] {
        const store::ReferenceValueRecord *r = m_references->rowAt(m_referenceTable->currentIndex().row());
        if (r)
            m_references->retire(r->hwmodel, r->swversion);
    });
    connect(m_references, &models::ReferenceValueTableModel::retired, this, [this](bool ok, const QString &m) { say(m, !ok); });
    for (auto *model : { static_cast<QAbstractItemModel *>(m_verdicts), static_cast<QAbstractItemModel *>(m_references) })
        connect(model, &QAbstractItemModel::modelReset, this, &AttestationPage::updateButtons);
    connect(m_verdictTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AttestationPage::updateButtons);
    connect(m_referenceTable->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AttestationPage::updateButtons);
    connect(m_verdicts, &models::VerdictTableModel::loadFailed, this,
            [this](const QString &m) { say(tr("The verdicts could not be read: %1").arg(m), true); });
    updateButtons();
}

void AttestationPage::reload()
{
    m_message->hide();
    m_verdicts->reload();
    m_references->reload();
    updateButtons();
}

void AttestationPage::say(const QString &message, bool problem)
{
    showMessage(m_message, message, problem);
}

void AttestationPage::updateButtons()
{
    // The UI only hides what the role cannot do; the backend refuses it regardless.
    const access::Session *session = m_access->session();
    const bool verdictChosen = m_verdictTable->selectionModel()->hasSelection();
    m_show->setEnabled(verdictChosen);
    m_reattest->setVisible(session && session->allows(access::Permission::Attest));
    m_reattest->setEnabled(verdictChosen);
    m_retire->setVisible(session && session->allows(access::Permission::ManageReferenceValues));
    const store::ReferenceValueRecord *r = m_references->rowAt(m_referenceTable->currentIndex().row());
    m_retire->setEnabled(m_referenceTable->selectionModel()->hasSelection() && r && !r->retiredAt);
}

void AttestationPage::reattestSelected()
{
    QList<store::VerdictReason> rows;
    for (const QModelIndex &index : m_verdictTable->selectionModel()->selectedRows()) {
        if (const store::VerdictReason *row = m_verdicts->rowAt(index.row()))
            rows.append(*row);
    }
    if (rows.isEmpty())
        return;
    m_verdicts->devicesFor(rows, this, [this](const Result<QList<qint64>> &ids) {
        if (!ids) {
            say(ids.errorMessage(), true);
            return;
        }
        say(tr("Attesting %n device(s)…", nullptr, int(ids->size())));
        Q_EMIT attestRequested(ids.value());
    });
}

} // namespace simfleet::ui
