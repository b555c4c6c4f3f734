#include "ledgerstatementpdf.h"

#include <QCoreApplication>
#include <QLocale>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

namespace simfleet::ui {

Result<void> writeLedgerStatementPdf(const QString &path, const LedgerStatement &s)
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("simfleet::ui::LedgerStatement", text); };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    {
        QPdfWriter pdf(&file);
        pdf.setPageSize(QPageSize(QPageSize::A4));
        pdf.setResolution(150);
        const QLocale locale;
        const QString month = locale.toString(s.month, QStringLiteral("MMMM yyyy"));
        pdf.setTitle(tr("Subscription statement %1").arg(month));
        pdf.setCreator(QStringLiteral("simfleet"));
        QPainter painter(&pdf);
        if (!painter.isActive())
            return fail(QStringLiteral("cannot draw the PDF %1").arg(path));
        const double width = pdf.width();
        const double bottom = pdf.height();
        double y = 0;
        int page = 1;
        const auto font = [&](int pointSize, bool bold) {
            QFont f = painter.font();
            f.setPointSize(pointSize);
            f.setBold(bold);
            painter.setFont(f);
        };
        const auto footer = [&] {
            font(8, false);
            painter.setPen(QColor(0x55, 0x55, 0x55));
            painter.drawText(QRectF(0, bottom - 30, width, 30), Qt::AlignRight,
                             tr("%1 · %2 · page %3").arg(s.customer, month).arg(page));
        };
        const auto ensure = [&](double height) {
            if (y + height < bottom - 50)
                return;
            footer();
            pdf.newPage();
            ++page;
            y = 0;
        };
        const auto line = [&](const QString &text, int pointSize, bool bold = false, const QColor &colour = Qt::black) {
            font(pointSize, bold);
            painter.setPen(colour);
            const QRectF box = painter.boundingRect(QRectF(0, y, width, 10000), Qt::TextWordWrap, text);
            ensure(box.height());
            painter.drawText(QRectF(0, y, width, box.height()), Qt::TextWordWrap, text);
            y += box.height() + 8;
        };
        // A row of cells at fixed shares of the width.
        const auto row = [&](const QStringList &cells, const QList<double> &shares, bool bold = false) {
            font(8, bold);
            painter.setPen(Qt::black);
            const double height = painter.fontMetrics().height() + 4;
            ensure(height);
            double x = 0;
            for (qsizetype i = 0; i < cells.size(); ++i) {
                const double w = width * shares.value(i);
                painter.drawText(QRectF(x, y, w - 6, height), Qt::AlignLeft | Qt::AlignVCenter,
                                 painter.fontMetrics().elidedText(cells.at(i), Qt::ElideRight, int(w - 6)));
                x += w;
            }
            y += height;
        };
        const auto days = [&locale](qint64 ms) { return locale.toString(double(ms) / 86'400'000.0, 'f', 2); };

        line(tr("Subscription statement, %1").arg(month), 18, true);
        line(tr("Customer: %1 · Operator: %2").arg(s.customer, s.operatorName), 12);
        line(tr("Workspace %1 · prepared by %2 · %3 · times in UTC")
                 .arg(s.workspaceName, s.preparedBy, locale.toString(QDateTime::currentDateTime(), QLocale::LongFormat)),
             9, false, QColor(0x55, 0x55, 0x55));
        y += 10;
        line(tr("Device-days"), 13, true);
        const QList<double> totalShares { 0.34, 0.30, 0.12, 0.12, 0.12 };
        row({ tr("Customer"), tr("Operator"), tr("Devices"), tr("Periods"), tr("Device-days") }, totalShares, true);
        qint64 allMs = 0;
        for (const fleet::LedgerMonth &m : s.totals) {
            row({ m.customer, m.operatorName, locale.toString(m.devices), locale.toString(m.periods), days(m.milliseconds) },
                totalShares);
            allMs += m.milliseconds;
        }
        row({ tr("Total"), {}, {}, {}, days(allMs) }, totalShares, true);
        y += 16;
        line(tr("Periods in the month (%1)").arg(locale.toString(qsizetype(s.lines.size()))), 13, true);
        const QList<double> lineShares { 0.27, 0.17, 0.14, 0.14, 0.13, 0.08, 0.07 };
        row({ tr("EID"), tr("ICCID"), tr("From"), tr("To"), tr("Operator"), tr("Started / ended by"), tr("Days") }, lineShares, true);
        const auto when = [](const QDateTime &t) { return t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")); };
        for (const LedgerStatement::Line &l : s.lines) {
            const store::SubscriptionPeriod &p = l.period;
            row({ p.eid, p.iccid, when(p.from), p.to.isValid() ? when(p.to) : tr("open"), p.operatorName,
                  fleet::ledgerFormat::cause(p.startedByCampaign, p.startedByEvent) + u'/'
                      + (p.to.isValid() ? fleet::ledgerFormat::cause(p.endedByCampaign, p.endedByEvent) : QStringLiteral("-")),
                  days(l.milliseconds) },
                lineShares);
        }
        y += 30;
        ensure(160);
        line(tr("Agreed for the customer: ______________________   Agreed for the operator: ______________________"), 10);
        line(tr("Name and date: ______________________   Name and date: ______________________"), 10);
        footer();
    }
    if (!file.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace simfleet::ui
