#pragma once

#include <QImage>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QValueAxis;
QT_END_NAMESPACE

namespace simfleet::ui::charts {

struct NiceScale;

// A chart in a widget: the one place (with its subclasses in ui/charts/) that uses Qt Charts, so
// that moving to Qt Graphs, which replaces it from Qt 6.10 on, touches this folder only. It takes
// the application palette's colours, and follows a change of it.
class ChartPanel : public QWidget
{
    Q_OBJECT
public:
    void setTitle(const QString &title);
    // The chart drawn at this size in print colours (dark on `background`), for reports; works
    // whether or not the panel is shown.
    QImage render(const QSize &logicalSize, qreal scale = 2.0, const QColor &background = Qt::white) const;
    QColor backgroundColour() const;

protected:
    explicit ChartPanel(QWidget *parent);
    void changeEvent(QEvent *event) override;
    // Gives the chart's background, text and grid the palette's colours; call after adding axes.
    void restyle();
    // An axis from 0 with readable ticks (NiceScale).
    static void scaleAxis(QValueAxis *axis, double largest, bool wholeNumbers);
    QChart *chart() const { return m_chart; }

private:
    void paint(const QColor &background, const QColor &text, const QColor &grid);

    QChart *m_chart;
    QChartView *m_view;
};

} // namespace simfleet::ui::charts
