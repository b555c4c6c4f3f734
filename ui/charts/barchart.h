#pragma once

#include "chartpanel.h"

#include <QColor>
#include <QList>
#include <QStringList>

namespace simfleet::ui::charts {

// Horizontal bars per category (names stay readable however many there are): one set, or several
// stacked. A click on a bar says which category and which set.
class BarChart : public ChartPanel
{
    Q_OBJECT
public:
    struct Set
    {
        QString name;
        QColor colour;
        QList<double> values; // one per category
    };
    explicit BarChart(QWidget *parent = nullptr);
    // valueLabels: each bar's value written on it. A single set hides the legend.
    void setBars(const QStringList &categories, const QList<Set> &sets, bool valueLabels);

Q_SIGNALS:
    void barClicked(int category, int set);
};

} // namespace simfleet::ui::charts
