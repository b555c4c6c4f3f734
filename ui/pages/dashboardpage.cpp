#include "dashboardpage.h"
#include "verdictcolours.h"
#include "pagewidgets.h"

#include "appearance.h"
#include "campaignprogresschart.h"
#include "campaignrunner.h"
#include "dashboarddata.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QHorizontalStackedBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPieSeries>
#include <QPieSlice>
#include <QPushButton>
#include <QValueAxis>
#include <QVBoxLayout>

namespace simfleet::ui {

namespace {

QChartView *chartView(QChart *chart, const QString &accessibleName, QWidget *parent)
{
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setBackgroundRoundness(4);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(240, 200);
    view->setAccessibleName(accessibleName);
    return view;
}


} // namespace

DashboardPage::DashboardPage(models::AccessController *access, QWidget *parent)
    : QWidget(parent), m_data(new models::DashboardData(access, this)), m_headline(new QLabel(this)), m_alerts(new QLabel(this)),
      m_operators(new QChart), m_verdicts(new QChart), m_fleets(new QChart), m_campaign(new CampaignProgressChart(false)),
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
    grid->addWidget(chartView(m_operators, tr("Devices per operator; click a slice for its devices"), this), 0, 0);
    grid->addWidget(chartView(m_verdicts, tr("Attestation verdicts; click a slice for its devices"), this), 0, 1);
    grid->addWidget(chartView(m_fleets, tr("Provisioned and not provisioned devices per fleet; click a bar"), this), 1, 0);
    auto *campaignBox = new QVBoxLayout;
    campaignBox->addWidget(chartView(m_campaign, tr("The running campaign: devices done and per second"), this), 1);
    campaignBox->addWidget(m_campaignTitle);
    grid->addLayout(campaignBox, 1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(top);
    layout->addWidget(m_alerts);
    layout->addLayout(grid, 1);

    m_campaignTitle->setText(tr("No campaign has run in this window yet; start one on the Campaigns page."));
    styleChart(m_campaign);
    connect(refresh, &QPushButton::clicked, this, &DashboardPage::reload);
    connect(m_data, &models::DashboardData::loaded, this, &DashboardPage::rebuild);
    connect(m_data, &models::DashboardData::loadFailed, this, [this](const QString &message) {
        m_headline->setText(tr("The figures could not be read: %1").arg(message));
    });
    connect(m_alerts, &QLabel::linkActivated, this, [this](const QString &link) { Q_EMIT showDevices(link); });
}

void DashboardPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        for (QChart *chart : std::initializer_list<QChart *> { m_operators, m_verdicts, m_fleets, m_campaign })
            styleChart(chart);
    }
    QWidget::changeEvent(event);
}

void DashboardPage::reload()
{
    m_data->reload();
}

void DashboardPage::rebuild()
{
    const store::FleetFigures &f = m_data->figures();
    const QLocale locale;
    m_headline->setText(tr("%1 devices in %2 fleets.").arg(locale.toString(f.devices)).arg(f.fleets.size()));

    // Devices per operator, as bars: names stay readable however many operators there are.
    m_operators->removeAllSeries();
    for (QAbstractAxis *axis : m_operators->axes())
        m_operators->removeAxis(axis);
    auto *perOperator = new QBarSet(tr("devices"));
    perOperator->setColor(QColor(0x3a, 0x78, 0xb5));
    perOperator->setLabelColor(palette().color(QPalette::WindowText));
    QStringList operatorNames;
    QStringList operatorFilters;
    qint64 most = 1;
    for (auto it = f.byOperator.cbegin(); it != f.byOperator.cend(); ++it) {
        operatorNames << (it.key().isEmpty() ? tr("no profile yet") : it.key());
        operatorFilters << (it.key().isEmpty() ? QStringLiteral("operator=none") : QStringLiteral("operator=") + it.key());
        *perOperator << double(it.value());
        most = std::max(most, it.value());
    }
    auto *operatorBars = new QHorizontalBarSeries;
    operatorBars->append(perOperator);
    operatorBars->setLabelsVisible(true);
    operatorBars->setLabelsPosition(QAbstractBarSeries::LabelsInsideBase);
    operatorBars->setLabelsFormat(QStringLiteral("@value"));
    connect(operatorBars, &QHorizontalBarSeries::clicked, this, [this, operatorFilters](int index, QBarSet *) {
        if (index >= 0 && index < operatorFilters.size())
            Q_EMIT showDevices(operatorFilters.at(index));
    });
    m_operators->addSeries(operatorBars);
    auto *operatorAxis = new QBarCategoryAxis;
    operatorAxis->append(operatorNames);
    auto *operatorCounts = new QValueAxis;
    operatorCounts->setLabelFormat(QStringLiteral("%d"));
    operatorCounts->setRange(0, double(most) * 1.05);
    operatorCounts->applyNiceNumbers();
    m_operators->addAxis(operatorAxis, Qt::AlignLeft);
    m_operators->addAxis(operatorCounts, Qt::AlignBottom);
    operatorBars->attachAxis(operatorAxis);
    operatorBars->attachAxis(operatorCounts);
    m_operators->legend()->hide();

    // Verdicts.
    m_verdicts->removeAllSeries();
    auto *verdicts = new QPieSeries;
    verdicts->setHoleSize(0.35);
    for (const char *key : { "affirming", "warning", "contraindicated", "none", "" }) {
        const QString verdict = QLatin1StringView(key);
        const qint64 n = f.byVerdict.value(verdict);
        if (n == 0)
            continue;
        const QString label = verdict.isEmpty() ? tr("not attested") : verdict;
        QPieSlice *slice = verdicts->append(QStringLiteral("%1 (%2)").arg(label, locale.toString(n)), double(n));
        slice->setColor(models::verdictColour(verdict));
        const QString filter = QStringLiteral("verdict=") + (verdict.isEmpty() ? QStringLiteral("not-attested") : verdict);
        connect(slice, &QPieSlice::clicked, this, [this, filter] { Q_EMIT showDevices(filter); });
        connect(slice, &QPieSlice::hovered, slice, [slice](bool on) { slice->setExploded(on); });
    }
    m_verdicts->addSeries(verdicts);

    // Provisioning by fleet.
    m_fleets->removeAllSeries();
    for (QAbstractAxis *axis : m_fleets->axes())
        m_fleets->removeAxis(axis);
    auto *provisioned = new QBarSet(tr("provisioned"));
    auto *waiting = new QBarSet(tr("no profile"));
    provisioned->setColor(QColor(0x3a, 0x78, 0xb5));
    waiting->setColor(QColor(0xc8, 0xcd, 0xd0));
    QStringList names;
    for (const auto &fleet : f.fleets) {
        names << fleet.name;
        *provisioned << double(fleet.provisioned);
        *waiting << double(fleet.devices - fleet.provisioned);
    }
    auto *bars = new QHorizontalStackedBarSeries;
    bars->append(provisioned);
    bars->append(waiting);
    connect(bars, &QHorizontalStackedBarSeries::clicked, this, [this, names, waiting](int index, QBarSet *set) {
        if (index < 0 || index >= names.size())
            return;
        Q_EMIT showDevices(QStringLiteral("fleet=") + names.at(index)
                           + (set == waiting ? QStringLiteral(" and operator=none") : QString()));
    });
    m_fleets->addSeries(bars);
    auto *categories = new QBarCategoryAxis;
    categories->append(names);
    auto *counts = new QValueAxis;
    counts->setLabelFormat(QStringLiteral("%d"));
    m_fleets->addAxis(categories, Qt::AlignLeft);
    m_fleets->addAxis(counts, Qt::AlignBottom);
    bars->attachAxis(categories);
    bars->attachAxis(counts);
    m_fleets->legend()->setAlignment(Qt::AlignBottom);

    // Alerts, each a link to the devices concerned.
    QStringList alerts;
    if (f.contraindicated > 0)
        alerts << tr("<a href=\"verdict=contraindicated\">%n device(s)</a> failed attestation (tampered, debug enabled, "
                     "revoked or unknown software): no credential goes to them.",
                     nullptr, int(f.contraindicated));
    if (f.failedInRecentCampaigns > 0)
        alerts << tr("%n device(s) failed or were rolled back in the campaigns of the last 7 days: see the Campaigns page.",
                     nullptr, int(f.failedInRecentCampaigns));
    for (const auto &c : f.expiringCertificates)
        alerts << tr("The certificate of %1 (%2) %3 on %4.")
                      .arg(c.name.toHtmlEscaped(), c.role)
                      .arg(c.notAfter < QDateTime::currentDateTimeUtc() ? tr("expired") : tr("expires"))
                      .arg(locale.toString(c.notAfter.toLocalTime().date(), QLocale::ShortFormat));
    for (QChart *chart : std::initializer_list<QChart *> { m_operators, m_verdicts, m_fleets, m_campaign })
        styleChart(chart);
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
                                     .arg(s.name, s.state)
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
