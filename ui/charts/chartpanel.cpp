#include "chartpanel.h"
#include "nicescale.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGraphicsScene>
#include <QPainter>
#include <QValueAxis>
#include <QVBoxLayout>

namespace simfleet::ui::charts {

ChartPanel::ChartPanel(QWidget *parent) : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this))
{
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->setBackgroundRoundness(4);
    m_view->setRenderHint(QPainter::Antialiasing);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    setMinimumSize(240, 200);
    restyle();
}

void ChartPanel::setTitle(const QString &title)
{
    m_chart->setTitle(title);
}

QColor ChartPanel::backgroundColour() const
{
    return m_chart->backgroundBrush().color();
}

void ChartPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        restyle();
    QWidget::changeEvent(event);
}

void ChartPanel::restyle()
{
    // Qt Charts draws with its own theme, not the widget palette.
    const QPalette p = QApplication::palette();
    const QColor grid = p.color(QPalette::Mid).lightness() < 128 && p.color(QPalette::Base).lightness() < 128
        ? QColor(0x44, 0x47, 0x4c)
        : QColor(0xdd, 0xdd, 0xdd);
    paint(p.color(QPalette::Base), p.color(QPalette::Text), grid);
}

void ChartPanel::paint(const QColor &background, const QColor &text, const QColor &grid)
{
    m_chart->setBackgroundBrush(background);
    m_chart->setTitleBrush(text);
    m_chart->legend()->setLabelColor(text);
    for (QAbstractAxis *axis : m_chart->axes()) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
    }
}

void ChartPanel::scaleAxis(QValueAxis *axis, double largest, bool wholeNumbers)
{
    // Each change re-lays the whole chart out (several milliseconds on the GUI thread): a live
    // chart asks for its scale on every point, and a nice scale changes only now and then, so
    // only what differs is set.
    const NiceScale s = niceScale(largest, wholeNumbers);
    if (axis->min() != 0 || axis->max() != s.maximum)
        axis->setRange(0, s.maximum);
    if (axis->tickType() != QValueAxis::TicksFixed)
        axis->setTickType(QValueAxis::TicksFixed);
    if (axis->tickCount() != s.tickCount)
        axis->setTickCount(s.tickCount);
    if (axis->minorTickCount() != 0)
        axis->setMinorTickCount(0);
    const QString format = QStringLiteral("%.%1f").arg(s.decimals);
    if (axis->labelFormat() != format)
        axis->setLabelFormat(format);
}

QImage ChartPanel::render(const QSize &logicalSize, qreal scale, const QColor &background) const
{
    // Drawn from the chart's scene at the size asked, so a panel never shown draws as well.
    // Printed: dark on white, whatever the screen's palette.
    auto *self = const_cast<ChartPanel *>(this);
    self->paint(background, Qt::black, QColor(0xdd, 0xdd, 0xdd));
    const QSizeF previous = m_chart->size();
    m_chart->resize(logicalSize);
    QImage image((QSizeF(logicalSize) * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(background);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    m_chart->scene()->render(&painter, QRectF(QPointF(0, 0), QSizeF(image.size())), QRectF(m_chart->pos(), QSizeF(logicalSize)));
    painter.end();
    m_chart->resize(previous);
    self->restyle();
    return image;
}

} // namespace simfleet::ui::charts
