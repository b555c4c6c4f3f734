#include "campaignmonitor.h"

#include "campaignrunner.h"
#include "charts/progresschart.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace simfleet::ui {

namespace {
qint64 count(const campaigns::CampaignProgress &p, campaigns::ItemState state)
{
    return p.byState.value(state);
}
} // namespace

CampaignMonitor::CampaignMonitor(models::CampaignRunner *runner, QWidget *parent)
    : QGroupBox(tr("Progress"), parent), m_runner(runner), m_title(new QLabel(this)), m_progress(new QProgressBar(this)),
      m_counts(new QLabel(this)), m_pause(new QPushButton(tr("&Pause"), this)), m_cancel(new QPushButton(tr("Ca&ncel"), this)),
      m_chart(new charts::ProgressChart(true, this))
{
    setObjectName(QStringLiteral("campaignMonitor"));
    m_title->setObjectName(QStringLiteral("monitorTitle"));
    m_progress->setObjectName(QStringLiteral("campaignProgress"));
    m_progress->setAccessibleName(tr("Campaign progress"));
    m_counts->setObjectName(QStringLiteral("campaignCounts"));
    m_counts->setWordWrap(true);
    m_pause->setObjectName(QStringLiteral("pauseCampaign"));
    m_cancel->setObjectName(QStringLiteral("cancelCampaign"));
    m_pause->setToolTip(tr("Devices in flight finish their step; nothing new starts. Resume it later."));
    m_cancel->setToolTip(tr("Devices in flight finish their step; the rest are not touched."));

    m_chart->setMinimumHeight(220);
    m_chart->setObjectName(QStringLiteral("campaignChart"));
    m_chart->setAccessibleName(tr("Devices done, failed and per second over time"));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_title, 1);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_counts);
    layout->addWidget(m_chart, 1);

    connect(m_pause, &QPushButton::clicked, this, [this] {
        m_runner->pause();
        m_pause->setEnabled(false);
        m_cancel->setEnabled(false);
        m_title->setText(m_title->text() + tr(" — pausing: the devices in flight finish their step"));
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_runner->cancel();
        m_pause->setEnabled(false);
        m_cancel->setEnabled(false);
        m_title->setText(m_title->text() + tr(" — cancelling: the devices in flight finish their step"));
    });
    connect(m_runner, &models::CampaignRunner::started, this, &CampaignMonitor::begin);
    connect(m_runner, &models::CampaignRunner::progressed, this, &CampaignMonitor::show);
    connect(m_runner, &models::CampaignRunner::finished, this, &CampaignMonitor::finish);
    hide();
}

void CampaignMonitor::begin(qint64 campaignId, const QString &name)
{
    m_campaignId = campaignId;
    m_chart->restart();
    m_title->setText(tr("<b>Campaign %1</b>: %2").arg(campaignId).arg(name.toHtmlEscaped()));
    m_progress->setRange(0, 0); // busy until the first count arrives
    m_counts->setText(tr("Starting…"));
    m_pause->setEnabled(true);
    m_cancel->setEnabled(true);
    QWidget::show();
}

void CampaignMonitor::show(const campaigns::CampaignProgress &p)
{
    if (p.campaignId != m_campaignId)
        return;
    m_progress->setRange(0, int(std::min<qint64>(p.total, INT_MAX)));
    m_progress->setValue(int(std::min<qint64>(p.done, INT_MAX)));
    const QLocale locale;
    m_counts->setText(tr("%1 of %2 done: %3 succeeded, %4 failed, %5 rolled back, %6 skipped; %7 devices per second")
                          .arg(locale.toString(p.done), locale.toString(p.total))
                          .arg(locale.toString(count(p, campaigns::ItemState::Succeeded)))
                          .arg(locale.toString(count(p, campaigns::ItemState::Failed)))
                          .arg(locale.toString(count(p, campaigns::ItemState::RolledBack)))
                          .arg(locale.toString(count(p, campaigns::ItemState::Skipped)))
                          .arg(locale.toString(p.devicesPerSecond, 'f', 1))
                      + (p.waiting > 0 ? tr("; %1 waiting for their check-in").arg(locale.toString(p.waiting)) : QString()));
    m_chart->add(p);
}

void CampaignMonitor::finish(const campaigns::CampaignSummary &s)
{
    if (s.campaignId != m_campaignId)
        return;
    m_pause->setEnabled(false);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, int(std::max<qint64>(1, s.total)));
    m_progress->setValue(int(s.total - s.unfinished));
    const QLocale locale;
    QStringList reasons;
    for (auto it = s.byReason.cbegin(); it != s.byReason.cend(); ++it)
        reasons << QStringLiteral("%1 %2").arg(locale.toString(it.value()), it.key());
    m_title->setText(tr("<b>Campaign %1</b>: %2 — %3").arg(s.campaignId).arg(s.name.toHtmlEscaped(), campaigns::campaignStateName(s.state)));
    m_counts->setText(tr("%1 succeeded, %2 failed, %3 rolled back, %4 skipped, %5 not done, in %6 s.%7")
                          .arg(locale.toString(s.succeeded), locale.toString(s.failed), locale.toString(s.rolledBack),
                               locale.toString(s.skipped), locale.toString(s.unfinished))
                          .arg(locale.toString(s.seconds, 'f', 1))
                          .arg(reasons.isEmpty() ? QString() : tr(" Reasons: %1.").arg(reasons.join(QStringLiteral(", "))))
                      + (s.note.isEmpty() ? QString() : u' ' + s.note));
}

QImage CampaignMonitor::chartImage(const QSize &size) const
{
    if (m_chart->isEmpty())
        return {};
    return m_chart->render(size / 2, 2.0); // drawn at half the size, twice as sharp: labels stay readable
}

} // namespace simfleet::ui
