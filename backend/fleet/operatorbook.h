#pragma once

#include "core/result.h"

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::fleet {

// What an operator's downloads follow (DESIGN.md "Operators"): how fresh an affirming verdict
// must be (0: attested right before each download), whether a device may fall back to its
// previous profile, and whether its profiles may be disabled (SGP.22 PPR1 when not).
struct OperatorPolicy
{
    int attestationMaxAgeSeconds = 24 * 3600;
    bool fallbackAllowed = true;
    bool disableAllowed = true;
};

class OperatorBook
{
public:
    // Administrators only; audited with the old and the new policy.
    static Result<void> setPolicy(store::Workspace &workspace, const access::Session &by, qint64 operatorId,
                                  const OperatorPolicy &policy);
    // Moves the ends of the IMSI (MSIN) and ICCID ranges: to grow a range that runs out, or to
    // shrink one down to the numbers already issued, never below (checked in the same statement
    // as the write, so a running campaign cannot slip past it). Administrators only; audited.
    static Result<void> setRangeEnds(store::Workspace &workspace, const access::Session &by, qint64 operatorId,
                                     qint64 msinLast, qint64 iccidLast);
};

} // namespace simfleet::fleet
