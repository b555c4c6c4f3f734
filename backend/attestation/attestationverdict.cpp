#include "attestationverdict.h"

namespace simfleet::attestation {

QString tierName(TrustTier tier)
{
    switch (tier) {
    case TrustTier::Affirming:
        return QStringLiteral("affirming");
    case TrustTier::Warning:
        return QStringLiteral("warning");
    case TrustTier::Contraindicated:
        return QStringLiteral("contraindicated");
    case TrustTier::None:
        break;
    }
    return QStringLiteral("none");
}

std::optional<TrustTier> tierFromName(QStringView name)
{
    for (TrustTier t : { TrustTier::Affirming, TrustTier::Warning, TrustTier::Contraindicated, TrustTier::None }) {
        if (name == tierName(t))
            return t;
    }
    return std::nullopt;
}

} // namespace simfleet::attestation
