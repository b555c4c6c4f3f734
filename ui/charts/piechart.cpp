#include "piechart.h"

#include <QChart>
#include <QLegend>
#include <QPieSeries>
#include <QPieSlice>

namespace simfleet::ui::charts {

PieChart::PieChart(QWidget *parent) : ChartPanel(parent)
{
    chart()->legend()->setAlignment(Qt::AlignRight);
}

void PieChart::setSlices(const QList<Slice> &slices)
{
    m_slices = slices;
    chart()->removeAllSeries();
    auto *series = new QPieSeries;
    series->setHoleSize(0.35);
    for (qsizetype i = 0; i < slices.size(); ++i) {
        QPieSlice *slice = series->append(slices.at(i).label, slices.at(i).value);
        slice->setColor(slices.at(i).colour);
        connect(slice, &QPieSlice::clicked, this, [this, i] { Q_EMIT sliceClicked(int(i)); });
        connect(slice, &QPieSlice::hovered, slice, [slice](bool on) { slice->setExploded(on); });
    }
    chart()->addSeries(series);
    restyle();
}

void PieChart::activateSlice(qsizetype index)
{
    if (index >= 0 && index < m_slices.size())
        Q_EMIT sliceClicked(int(index));
}

} // namespace simfleet::ui::charts
