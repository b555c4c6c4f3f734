#include "nicescale.h"

#include <algorithm>
#include <cmath>

namespace simfleet::ui::charts {

NiceScale niceScale(double largest, bool wholeNumbers, int maxIntervals)
{
    maxIntervals = std::max(1, maxIntervals);
    if (!(largest > 0) || !std::isfinite(largest))
        largest = wholeNumbers ? 1 : 1;
    const double rough = largest / maxIntervals;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    NiceScale s;
    s.step = 10 * power;
    for (double factor : { 1.0, 2.0, 2.5, 5.0, 10.0 }) {
        const double step = factor * power;
        if (wholeNumbers && (step < 1 || std::fmod(step, 1.0) != 0))
            continue; // 2.5 devices, or a tenth of one, is no tick
        if (step * maxIntervals >= largest * (1 - 1e-9)) {
            s.step = step;
            break;
        }
    }
    if (wholeNumbers)
        s.step = std::max(1.0, s.step);
    const int intervals = std::max(1, int(std::ceil(largest / s.step - 1e-9)));
    s.maximum = intervals * s.step;
    s.tickCount = intervals + 1;
    // As many decimals as the step needs: 2.5 -> 1, 0.25 -> 2, 500 -> 0.
    s.decimals = 0;
    while (s.decimals < 6 && std::fabs(s.step * std::pow(10.0, s.decimals) - std::round(s.step * std::pow(10.0, s.decimals))) > 1e-6)
        ++s.decimals;
    return s;
}

} // namespace simfleet::ui::charts
