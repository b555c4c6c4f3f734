#include "verdictcolours.h"

namespace simfleet::models {

QColor verdictColour(std::optional<attestation::TrustTier> tier, VerdictColourUse use)
{
    const bool text = use == VerdictColourUse::Text;
    if (!tier)
        return text ? QColor() : QColor(0xc8, 0xcd, 0xd0);
    switch (*tier) {
    case attestation::TrustTier::Affirming: return text ? QColor(0x1e, 0x7e, 0x34) : QColor(0x2e, 0x8b, 0x57);
    case attestation::TrustTier::Warning: return text ? QColor(0xb0, 0x7a, 0x00) : QColor(0xe0, 0xa1, 0x1b);
    case attestation::TrustTier::Contraindicated: return QColor(0xc0, 0x39, 0x2b);
    case attestation::TrustTier::None: return text ? QColor() : QColor(0x7f, 0x8c, 0x8d);
    }
    return {};
}

} // namespace simfleet::models
