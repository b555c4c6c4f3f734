#pragma once

#include "chartpanel.h"

#include <QColor>
#include <QList>

namespace simfleet::ui::charts {

// Shares of a whole, as a ring; a slice stands out under the pointer and says when clicked.
class PieChart : public ChartPanel
{
    Q_OBJECT
public:
    struct Slice
    {
        QString label;
        double value = 0;
        QColor colour;
    };
    explicit PieChart(QWidget *parent = nullptr);
    void setSlices(const QList<Slice> &slices);

    qsizetype sliceCount() const { return m_slices.size(); }
    QString sliceLabel(qsizetype index) const { return m_slices.value(index).label; }
    // As a click on the slice does.
    void activateSlice(qsizetype index);

Q_SIGNALS:
    void sliceClicked(int index);

private:
    QList<Slice> m_slices;
};

} // namespace simfleet::ui::charts
