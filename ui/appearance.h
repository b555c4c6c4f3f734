#pragma once

#include <QString>

QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

namespace simfleet::ui {

// Light and dark palettes (DESIGN.md "The GUI"): the desktop's own, or one chosen in View, kept
// in the settings. The dark one is Fusion's style with a palette of our own.
enum class Appearance { System, Light, Dark };

Appearance savedAppearance();
void applyAppearance(Appearance appearance); // also saves it
QString appearanceKey(Appearance appearance);

// Gives a chart the application palette's colours (background, text, grid), which Qt Charts'
// themes do not follow by themselves. Call again after axes are added or the palette changes.
void styleChart(QChart *chart);

} // namespace simfleet::ui
