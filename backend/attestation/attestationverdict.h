#pragma once

#include "protocol/reportedlocation.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace simfleet::attestation {

// The AR4SI trustworthiness tiers (draft-ietf-rats-ar4si): how far the verifier trusts the
// device's secure environment.
enum class TrustTier {
    Affirming,       // genuine and as expected: credentials may be sent
    Warning,         // genuine, but something deserves attention (unknown software, clock)
    Contraindicated, // evidence against trusting it: never send credentials
    None,            // no trustworthy evidence at all (no answer, malformed, stale nonce)
};

QString tierName(TrustTier tier);
std::optional<TrustTier> tierFromName(QStringView name);

// A verdict: the tier, a stable reason code for machines and a sentence for people.
struct AttestationVerdict
{
    TrustTier tier = TrustTier::None;
    QString reasonCode;
    QString message;
    // What the evidence showed of the device once it proved its own and fresh (the chain, the
    // signature, the nonce and the UEID checked): its certificate's end, whatever the appraisal
    // found, and where it said it was, unless the appraisal distrusts the platform that said it.
    QDateTime certificateNotAfter {};
    std::optional<protocol::ReportedLocation> location {};
};

} // namespace simfleet::attestation
