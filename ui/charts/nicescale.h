#pragma once

namespace simfleet::ui::charts {

// An axis from 0 to at least `largest` whose ticks a person reads at a glance: steps of 1, 2, 2.5
// or 5 times a power of ten, at most `maxIntervals` of them (0, 2.5, 5, 7.5, 10; 0, 500, 1 000,
// 1 500, 2 000), never 0, 2, 5, 7, 10 or 0, 495, 991, 1 487. A whole-number axis (devices)
// never steps by less than 1 or by 2.5.
struct NiceScale
{
    double maximum = 1;
    double step = 1;
    int tickCount = 2;  // ticks including both ends
    int decimals = 0;   // for the labels
};
NiceScale niceScale(double largest, bool wholeNumbers, int maxIntervals = 5);

} // namespace simfleet::ui::charts
