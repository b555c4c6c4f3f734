#include "barchart.h"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QHorizontalStackedBarSeries>
#include <QLegend>
#include <QValueAxis>

namespace simfleet::ui::charts {

BarChart::BarChart(QWidget *parent) : ChartPanel(parent) { }

void BarChart::setBars(const QStringList &categories, const QList<Set> &sets, bool valueLabels)
{
    QChart *c = chart();
    c->removeAllSeries();
    for (QAbstractAxis *axis : c->axes())
        c->removeAxis(axis);
    QAbstractBarSeries *series = sets.size() > 1 ? static_cast<QAbstractBarSeries *>(new QHorizontalStackedBarSeries)
                                                 : static_cast<QAbstractBarSeries *>(new QHorizontalBarSeries);
    QList<double> totals(categories.size(), 0.0);
    QList<QBarSet *> barSets;
    for (const Set &s : sets) {
        auto *bars = new QBarSet(s.name);
        bars->setColor(s.colour);
        bars->setLabelColor(QApplication::palette().color(QPalette::WindowText));
        for (qsizetype i = 0; i < categories.size(); ++i) {
            const double v = s.values.value(i);
            *bars << v;
            totals[i] += v;
        }
        series->append(bars);
        barSets.append(bars);
    }
    if (valueLabels) {
        series->setLabelsVisible(true);
        series->setLabelsPosition(QAbstractBarSeries::LabelsInsideBase);
        series->setLabelsFormat(QStringLiteral("@value"));
    }
    connect(series, &QAbstractBarSeries::clicked, this, [this, barSets](int index, QBarSet *set) {
        Q_EMIT barClicked(index, int(barSets.indexOf(set)));
    });
    c->addSeries(series);
    auto *categoryAxis = new QBarCategoryAxis;
    categoryAxis->append(categories);
    auto *valueAxis = new QValueAxis;
    scaleAxis(valueAxis, totals.isEmpty() ? 1.0 : *std::max_element(totals.cbegin(), totals.cend()), true);
    c->addAxis(categoryAxis, Qt::AlignLeft);
    c->addAxis(valueAxis, Qt::AlignBottom);
    series->attachAxis(categoryAxis);
    series->attachAxis(valueAxis);
    c->legend()->setVisible(sets.size() > 1);
    c->legend()->setAlignment(Qt::AlignBottom);
    restyle();
}

} // namespace simfleet::ui::charts
