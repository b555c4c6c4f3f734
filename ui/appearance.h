#pragma once

#include <QString>

namespace simfleet::ui {

// Light and dark palettes (DESIGN.md "The GUI"): the desktop's own, or one chosen in View, kept
// in the settings. The dark one is Fusion's style with a palette of our own.
enum class Appearance { System, Light, Dark };

Appearance savedAppearance();
void applyAppearance(Appearance appearance); // also saves it
QString appearanceKey(Appearance appearance);

} // namespace simfleet::ui
