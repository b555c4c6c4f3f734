#pragma once

#include "attestation/attestationverdict.h"

#include <QColor>

#include <optional>

namespace simfleet::models {

// The colours of the AR4SI verdict tiers, everywhere they are shown: green affirming, amber
// warning, red contraindicated, grey none, light grey for devices never attested (no tier).
// Fill colours are for chart slices and bars; text colours are darker, to stay readable on a
// light base (invalid where the text keeps the view's own colour).
enum class VerdictColourUse { Fill, Text };
QColor verdictColour(std::optional<attestation::TrustTier> tier, VerdictColourUse use = VerdictColourUse::Fill);

} // namespace simfleet::models
