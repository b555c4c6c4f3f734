#include "campaignreportpdf.h"

#include "charts/barchart.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

namespace simfleet::ui {

namespace {

} // namespace

QImage campaignOutcomeChart(const campaigns::CampaignSummary &s)
{
    const QList<std::pair<QString, qint64>> outcomes {
        { QCoreApplication::translate("simfleet::ui::CampaignReport", "succeeded"), s.succeeded },
        { QCoreApplication::translate("simfleet::ui::CampaignReport", "failed"), s.failed },
        { QCoreApplication::translate("simfleet::ui::CampaignReport", "rolled back"), s.rolledBack },
        { QCoreApplication::translate("simfleet::ui::CampaignReport", "skipped"), s.skipped },
        { QCoreApplication::translate("simfleet::ui::CampaignReport", "cancelled"), s.cancelled },
        { QCoreApplication::translate("simfleet::ui::CampaignReport", "not done"), s.unfinished },
    };
    QStringList categories;
    charts::BarChart::Set devices { QCoreApplication::translate("simfleet::ui::CampaignReport", "devices"), QColor(0x3a, 0x78, 0xb5), {} };
    for (const auto &[name, n] : outcomes) {
        categories << name;
        devices.values << double(n);
    }
    charts::BarChart chart;
    chart.setBars(categories, { devices }, true);
    return chart.render(QSize(800, 360));
}

Result<void> writeCampaignReportPdf(const QString &path, const campaigns::CampaignSummary &s, const QString &workspaceName,
                                    const QString &user, const QImage &outcomes, const QImage &timeline)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("simfleet::ui::CampaignReport", text); };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    {
        QPdfWriter pdf(&file);
        pdf.setPageSize(QPageSize(QPageSize::A4));
        pdf.setResolution(150);
        pdf.setTitle(tr("Campaign %1 report").arg(s.campaignId));
        pdf.setCreator(QStringLiteral("simfleet"));
        QPainter painter(&pdf);
        if (!painter.isActive())
            return fail(QStringLiteral("cannot draw the PDF %1").arg(path));
        const QLocale locale;
        const double width = pdf.width();
        double y = 0;
        const auto line = [&](const QString &text, int pointSize, bool bold = false, const QColor &colour = Qt::black) {
            QFont font = painter.font();
            font.setPointSize(pointSize);
            font.setBold(bold);
            painter.setFont(font);
            painter.setPen(colour);
            const QRectF box = painter.boundingRect(QRectF(0, y, width, 10000), Qt::TextWordWrap, text);
            painter.drawText(box, Qt::TextWordWrap, text);
            y += box.height() + 8;
        };
        line(tr("Campaign %1: %2").arg(s.campaignId).arg(s.name), 18, true);
        line(tr("Workspace %1 · report by %2 · %3")
                 .arg(workspaceName, user, locale.toString(QDateTime::currentDateTime(), QLocale::LongFormat)),
             9, false, QColor(0x55, 0x55, 0x55));
        y += 10;
        line(tr("%1, %2. %3 devices: %4 succeeded, %5 failed, %6 rolled back, %7 skipped, %8 cancelled, %9 not done.")
                 .arg(s.kind == campaigns::CampaignKind::InitialProvisioning ? tr("Initial provisioning") : tr("Subscription change"),
                      campaigns::campaignStateName(s.state),
                      locale.toString(s.total), locale.toString(s.succeeded), locale.toString(s.failed),
                      locale.toString(s.rolledBack), locale.toString(s.skipped), locale.toString(s.cancelled),
                      locale.toString(s.unfinished)),
             11);
        line(tr("Duration %1 s%2.")
                 .arg(locale.toString(s.seconds, 'f', 1))
                 .arg(s.seconds > 0 ? tr(", %1 devices per second").arg(locale.toString(double(s.total - s.unfinished) / s.seconds, 'f', 1))
                                    : QString()),
             11);
        if (!s.note.isEmpty())
            line(tr("Note: %1").arg(s.note), 11);
        y += 10;
        line(tr("Outcomes"), 13, true);
        const double chartHeight = width * 0.42;
        painter.drawImage(QRectF(0, y, width, chartHeight), outcomes);
        y += chartHeight + 14;
        line(tr("By reason"), 13, true);
        if (s.byReason.isEmpty())
            line(tr("No device failed, was rolled back or skipped."), 11);
        for (auto it = s.byReason.cbegin(); it != s.byReason.cend(); ++it)
            line(QStringLiteral("%1   %2").arg(locale.toString(it.value()), -8).arg(it.key()), 11);
        if (!timeline.isNull()) {
            y += 10;
            line(tr("Progress over time"), 13, true);
            const double height = width * double(timeline.height()) / double(timeline.width());
            if (y + height > pdf.height()) {
                pdf.newPage();
                y = 0;
            }
            painter.drawImage(QRectF(0, y, width, height), timeline);
        }
    }
    if (!file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace simfleet::ui
