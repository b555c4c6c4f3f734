#pragma once

#include "core/result.h"

#include <QString>

namespace simfleet::protocol {

// An activation code as an operator hands it out (GSMA SGP.22 section 4.1): "1$SM-DP+
// address$AC_Token[$SM-DP+ OID[$confirmation code required flag]]", optionally behind the
// QR code's "LPA:" prefix. The AC_Token is the matching ID the LPA (here simfleet, relaying
// for the device) puts in CtxParams1; it is a bearer credential for the profile: never logged.
struct ActivationCode
{
    QString smdpAddress; // FQDN, optionally with :PORT
    QString matchingId;
    QString smdpOid;
    bool confirmationCodeRequired = false;

    // Refuses anything SGP.22 section 4.1 does not allow, saying which part is wrong (never
    // quoting the matching ID).
    static Result<ActivationCode> parse(QStringView text);
    QString toString() const;
};

} // namespace simfleet::protocol
