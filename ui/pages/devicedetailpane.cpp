#include "devicedetailpane.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace simfleet::ui {

namespace {

QTableWidget *table(const QStringList &headers, const QString &name, QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(false);
    return t;
}

void fill(QTableWidget *t, const QList<QStringList> &rows)
{
    t->setRowCount(int(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        for (int c = 0; c < rows.at(r).size(); ++c)
            t->setItem(r, c, new QTableWidgetItem(rows.at(r).at(c)));
    }
    t->resizeColumnsToContents();
}

QString when(const QDateTime &t)
{
    return QLocale().toString(t.toLocalTime(), QLocale::ShortFormat);
}

} // namespace

DeviceDetailPane::DeviceDetailPane(QWidget *parent)
    : QTabWidget(parent), m_identity(new QLabel(this)),
      m_profiles(table({ tr("ICCID"), tr("IMSI"), tr("Operator"), tr("State") }, QStringLiteral("detailProfiles"), this)),
      m_attestations(table({ tr("When"), tr("Verdict"), tr("Reason") }, QStringLiteral("detailAttestations"), this)),
      m_evidence(new QPlainTextEdit(this)),
      m_campaigns(table({ tr("Campaign"), tr("State"), tr("Reason"), tr("When") }, QStringLiteral("detailCampaigns"), this)),
      m_audit(table({ tr("When"), tr("User"), tr("Action"), tr("Details") }, QStringLiteral("detailAudit"), this)),
      m_auditTab(nullptr)
{
    setObjectName(QStringLiteral("deviceDetail"));
    setAccessibleName(tr("Device detail"));
    m_identity->setObjectName(QStringLiteral("detailIdentity"));
    m_identity->setWordWrap(true);
    m_identity->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_identity->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_evidence->setObjectName(QStringLiteral("detailEvidence"));
    m_evidence->setReadOnly(true);
    m_evidence->setAccessibleName(tr("The latest evidence, decoded, and its certificate chain"));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_evidence->setFont(mono);

    auto *attestation = new QSplitter(Qt::Vertical, this);
    attestation->addWidget(m_attestations);
    attestation->addWidget(m_evidence);
    addTab(m_identity, tr("Device"));
    addTab(m_profiles, tr("Profiles"));
    addTab(attestation, tr("Attestation"));
    addTab(m_campaigns, tr("Campaigns"));
    m_auditTab = m_audit;
    addTab(m_audit, tr("Audit trail"));
    showMessage(tr("Select a device to see it in full."));
}

void DeviceDetailPane::showMessage(const QString &message)
{
    m_identity->setText(message);
    setCurrentIndex(0);
    for (QTableWidget *t : { m_profiles, m_attestations, m_campaigns, m_audit })
        t->setRowCount(0);
    m_evidence->clear();
}

void DeviceDetailPane::show(const fleet::DeviceDetail &d)
{
    const store::DeviceRecord &r = d.overview.device;
    m_identity->setText(
        tr("<b>%1</b><br>EID %2<br>IMEI %3 · serial %4<br>%5, %6<br>%7 · %8<br>Operator: %9<br>Latest verdict: %10")
            .arg((r.label.isEmpty() ? r.eid : r.label).toHtmlEscaped(), r.eid, r.imei, r.serial.toHtmlEscaped(),
                 r.model.toHtmlEscaped(),
                 r.secureElement == store::SecureElementKind::IntegratedUicc ? tr("integrated UICC (iUICC)")
                                                                             : tr("USIM in the trusted environment"),
                 d.overview.customer.toHtmlEscaped(), d.overview.fleet.toHtmlEscaped(),
                 d.overview.operatorName.value_or(tr("none yet")).toHtmlEscaped())
            .arg(d.overview.attestation.value_or(tr("not attested"))));
    QList<QStringList> rows;
    for (const auto &p : d.profiles)
        rows << QStringList { p.iccid, p.imsi, p.operatorName, p.state };
    fill(m_profiles, rows);
    rows.clear();
    for (const auto &a : d.attestations)
        rows << QStringList { when(a.at), a.verdict, a.reason };
    fill(m_attestations, rows);
    m_evidence->setPlainText(d.evidence.isEmpty() ? tr("No evidence stored yet.")
                                                  : tr("Latest evidence (RFC 9711 claims):\n  ") + d.evidence.join(QStringLiteral("\n  "))
                                     + tr("\n\nCertificate chain, device first:\n  ") + d.chain.join(QStringLiteral("\n  ")));
    rows.clear();
    for (const auto &c : d.campaigns)
        rows << QStringList { QStringLiteral("%1: %2").arg(c.campaignId).arg(c.campaign), c.state, c.reason, when(c.at) };
    fill(m_campaigns, rows);
    rows.clear();
    for (const auto &e : d.audit)
        rows << QStringList { when(e.at), e.actor, e.action, e.details };
    fill(m_audit, rows);
    setTabVisible(indexOf(m_auditTab), d.auditShown);
}

} // namespace simfleet::ui
