#include "dashboardpage.h"
#include "verdictcolours.h"
#include "pagewidgets.h"

#include "campaignrunner.h"
#include "charts/barchart.h"
#include "charts/piechart.h"
#include "charts/progresschart.h"
#include "dashboarddata.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace simfleet::ui {

DashboardPage::DashboardPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_data(new models::DashboardData(access, this)), m_headline(new QLabel(this)), m_alerts(new QLabel(this)),
      m_operators(new charts::BarChart(this)), m_verdicts(new charts::PieChart(this)), m_fleets(new charts::BarChart(this)),
      m_campaign(new charts::ProgressChart(false, this)),
      m_campaignTitle(new QLabel(this))
{
    setObjectName(QStringLiteral("dashboardPage"));
    auto *title = pageTitle(tr("Dashboard"), this);
    m_headline->setObjectName(QStringLiteral("dashboardHeadline"));
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setObjectName(QStringLiteral("refreshDashboard"));
    m_alerts->setObjectName(QStringLiteral("dashboardAlerts"));
    m_alerts->setWordWrap(true);
    m_alerts->setTextFormat(Qt::RichText);
    m_alerts->setAccessibleName(tr("Alerts"));
    m_campaignTitle->setObjectName(QStringLiteral("dashboardCampaign"));

    m_operators->setTitle(tr("Devices per operator"));
    m_verdicts->setTitle(tr("Attestation verdicts"));
    m_fleets->setTitle(tr("Provisioning by fleet"));
    m_campaign->setTitle(tr("Campaign in this window"));


    auto *top = new QHBoxLayout;
    top->addWidget(m_headline, 1);
    top->addWidget(refresh);
    auto *grid = new QGridLayout;
    m_operators->setAccessibleName(tr("Devices per operator; click a bar for its devices"));
    m_verdicts->setAccessibleName(tr("Attestation verdicts; click a slice for its devices"));
    m_fleets->setAccessibleName(tr("Provisioned and not provisioned devices per fleet; click a bar"));
    m_campaign->setAccessibleName(tr("The running campaign: devices done and per second"));
    grid->addWidget(m_operators, 0, 0);
    grid->addWidget(m_verdicts, 0, 1);
    grid->addWidget(m_fleets, 1, 0);
    auto *campaignBox = new QVBoxLayout;
    campaignBox->addWidget(m_campaign, 1);
    campaignBox->addWidget(m_campaignTitle);
    grid->addLayout(campaignBox, 1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(top);
    layout->addWidget(m_alerts);
    layout->addLayout(grid, 1);

    m_campaignTitle->setText(tr("No campaign has run in this window yet; start one on the Campaigns page."));
    connect(m_operators, &charts::BarChart::barClicked, this, [this](int category, int) {
        if (category >= 0 && category < m_operatorFilters.size())
            Q_EMIT showDevices(m_operatorFilters.at(category));
    });
    connect(m_verdicts, &charts::PieChart::sliceClicked, this, [this](int index) {
        if (index >= 0 && index < m_verdictFilters.size())
            Q_EMIT showDevices(m_verdictFilters.at(index));
    });
    connect(m_fleets, &charts::BarChart::barClicked, this, [this](int category, int set) {
        if (category < 0 || category >= m_fleetFilters.size())
            return;
        Q_EMIT showDevices(m_fleetFilters.at(category) + (set == 1 ? QStringLiteral(" and operator=none") : QString()));
    });
    connect(refresh, &QPushButton::clicked, this, &DashboardPage::reload);
    connect(m_data, &models::DashboardData::loaded, this, &DashboardPage::rebuild);
    connect(m_data, &models::DashboardData::loadFailed, this, [this](const QString &message) {
        m_headline->setText(tr("The figures could not be read: %1").arg(message));
    });
    connect(m_alerts, &QLabel::linkActivated, this, [this](const QString &link) { Q_EMIT showDevices(link); });
}

void DashboardPage::reload()
{
    m_data->reload();
}

void DashboardPage::rebuild()
{
    const store::FleetFigures &f = m_data->figures();
    const QLocale locale;
    // Each count takes its own plural ("1 fleet", "20 devices").
    m_headline->setText(tr("%1 in %2.")
                            .arg(f.devices == 1 ? tr("1 device") : tr("%1 devices").arg(locale.toString(f.devices)))
                            .arg(f.fleets.size() == 1 ? tr("1 fleet") : tr("%1 fleets").arg(f.fleets.size())));

    // Devices per operator, as bars: names stay readable however many operators there are.
    QStringList operatorNames;
    charts::BarChart::Set perOperator { tr("devices"), QColor(0x3a, 0x78, 0xb5), {} };
    m_operatorFilters.clear();
    for (auto it = f.byOperator.cbegin(); it != f.byOperator.cend(); ++it) {
        operatorNames << (it.key().isEmpty() ? tr("no profile yet") : it.key());
        m_operatorFilters << (it.key().isEmpty() ? QStringLiteral("operator=none") : QStringLiteral("operator=") + it.key());
        perOperator.values << double(it.value());
    }
    m_operators->setBars(operatorNames, { perOperator }, true);

    // Verdicts.
    QList<charts::PieChart::Slice> slices;
    m_verdictFilters.clear();
    for (const char *key : { "affirming", "warning", "contraindicated", "none", "" }) {
        const QString verdict = QLatin1StringView(key);
        const qint64 n = f.byVerdict.value(verdict);
        if (n == 0)
            continue;
        const QString label = verdict.isEmpty() ? tr("not attested") : verdict;
        slices.append({ QStringLiteral("%1 (%2)").arg(label, locale.toString(n)), double(n), models::verdictColour(attestation::tierFromName(verdict)) });
        m_verdictFilters << QStringLiteral("verdict=") + (verdict.isEmpty() ? QStringLiteral("not-attested") : verdict);
    }
    m_verdicts->setSlices(slices);

    // Provisioning by fleet.
    charts::BarChart::Set provisioned { tr("provisioned"), QColor(0x3a, 0x78, 0xb5), {} };
    charts::BarChart::Set waiting { tr("no profile"), QColor(0xc8, 0xcd, 0xd0), {} };
    m_fleetNames.clear();
    m_fleetFilters.clear();
    QHash<QString, int> sameName;
    for (const auto &fleet : f.fleets)
        ++sameName[fleet.name];
    for (const auto &fleet : f.fleets) {
        // Two owners' fleets may share a name (a fleet that moved to a new owner keeps it).
        const bool shared = sameName.value(fleet.name) > 1;
        m_fleetNames << (shared ? QStringLiteral("%1 (%2)").arg(fleet.name, fleet.customer) : fleet.name);
        m_fleetFilters << QStringLiteral("fleet=") + fleet.name + (shared ? QStringLiteral(" and customer=") + fleet.customer : QString());
        provisioned.values << double(fleet.provisioned);
        waiting.values << double(fleet.devices - fleet.provisioned);
    }
    m_fleets->setBars(m_fleetNames, { provisioned, waiting }, false);

    // Alerts, each a link to the devices concerned.
    QStringList alerts;
    if (f.contraindicated > 0)
        alerts << tr("<a href=\"verdict=contraindicated\">%n device(s)</a> failed attestation (tampered, debug enabled, "
                     "revoked or unknown software): no credential goes to them.",
                     nullptr, int(f.contraindicated));
    if (f.stolen > 0)
        alerts << tr("<a href=\"custody=stolen\">%n device(s)</a> reported stolen: their subscriptions are disabled at their "
                     "next contact, and any sign of them raises an alert.",
                     nullptr, int(f.stolen));
    if (f.lost > 0)
        alerts << tr("<a href=\"custody=lost\">%n device(s)</a> reported lost.", nullptr, int(f.lost));
    if (f.recovered > 0)
        alerts << tr("<a href=\"custody=recovered\">%n recovered device(s)</a> wait for an attestation before their "
                     "subscriptions run again.",
                     nullptr, int(f.recovered));
    if (f.quarantined > 0)
        alerts << tr("<a href=\"quarantined=yes\">%n device(s)</a> quarantined after a contraindicated verdict: an "
                     "Administrator releases them after an affirming one.",
                     nullptr, int(f.quarantined));
    if (f.unseen > 0)
        alerts << tr("<a href=\"unseen-days=%1\">%n device(s)</a> not seen for %1 days or more.", nullptr, int(f.unseen))
                      .arg(store::FleetFigures::unseenDays);
    if (f.withoutReferenceValues > 0)
        alerts << tr("<a href=\"reason=no-reference-values\">%n device(s)</a> run software versions without reference "
                     "values: import their manufacturer's values on the Attestation page.",
                     nullptr, int(f.withoutReferenceValues));
    if (f.failedInRecentCampaigns > 0)
        alerts << tr("%n device(s) failed or were rolled back in the campaigns of the last 7 days: see the Campaigns page.",
                     nullptr, int(f.failedInRecentCampaigns));
    if (f.deviceCertificatesEnding > 0)
        alerts << tr("<a href=\"certificate-days=%1\">%n device certificate(s)</a> end within %1 days or have ended: "
                     "those devices fail attestation from that day on; ask their manufacturer for new certificates.",
                     nullptr, int(f.deviceCertificatesEnding))
                      .arg(store::FleetFigures::certificateDays);
    for (const auto &c : f.expiringCertificates)
        alerts << tr("The certificate of %1 (%2) %3 on %4.")
                      .arg(c.name.toHtmlEscaped(), c.role)
                      .arg(c.notAfter < QDateTime::currentDateTimeUtc() ? tr("expired") : tr("expires"))
                      .arg(locale.toString(c.notAfter.toLocalTime().date(), QLocale::ShortFormat));
    for (const auto &l : f.revocationListsRunningOut)
        alerts << tr("The revocation list of %1 %2 on %3: import its next one on the Trust page.")
                      .arg(l.issuer.toHtmlEscaped())
                      .arg(l.nextUpdate < QDateTime::currentDateTimeUtc() ? tr("ran out") : tr("runs out"))
                      .arg(locale.toString(l.nextUpdate.toLocalTime().date(), QLocale::ShortFormat));
    m_alerts->setText(alerts.isEmpty() ? tr("No alerts.")
                                       : QStringLiteral("<b>%1</b><ul style=\"margin: 0\"><li>%2</li></ul>")
                                             .arg(tr("Alerts"), alerts.join(QStringLiteral("</li><li>"))));
}

void DashboardPage::follow(models::CampaignRunner *runner)
{
    connect(runner, &models::CampaignRunner::started, this, [this](qint64 id, const QString &name) {
        m_campaignId = id;
        m_campaign->restart();
        m_campaignTitle->setText(tr("Campaign %1: %2, running").arg(id).arg(name));
    });
    connect(runner, &models::CampaignRunner::progressed, this, &DashboardPage::progress);
    connect(runner, &models::CampaignRunner::finished, this, [this](const campaigns::CampaignSummary &s) {
        m_campaignTitle->setText(tr("Campaign %1: %2, %3: %4 succeeded, %5 failed, %6 rolled back")
                                     .arg(s.campaignId)
                                     .arg(s.name, campaigns::campaignStateName(s.state))
                                     .arg(s.succeeded)
                                     .arg(s.failed)
                                     .arg(s.rolledBack));
        reload();
    });
}

void DashboardPage::progress(const campaigns::CampaignProgress &p)
{
    if (p.campaignId != m_campaignId)
        return;
    m_campaign->add(p);
}

} // namespace simfleet::ui
