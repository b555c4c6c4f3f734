#pragma once

#include <QColor>
#include <QStringView>

namespace simfleet::models {

// The colours of the AR4SI verdict tiers, everywhere they are shown: green affirming, amber
// warning, red contraindicated, grey none, light grey for devices never attested. Fill colours
// are for chart slices and bars; text colours are darker, to stay readable on a light base.
enum class VerdictColourUse { Fill, Text };
QColor verdictColour(QStringView verdict, VerdictColourUse use = VerdictColourUse::Fill);

} // namespace simfleet::models
