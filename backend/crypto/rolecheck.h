#pragma once

#include "core/result.h"

#include <QString>

namespace simfleet::crypto {

class Certificate;

// The roles of the remote-provisioning PKI as SGP.22 section 4.5.2.1 defines them, each named by
// a certificate policy under id-rspRole (2.23.146.1.2.1, RSPDefinitions.asn1). CertificateRole
// is the coarser set simfleet issues; this is the full set a certificate from outside is checked
// against.
enum class RspRole {
    CertificateIssuer,    // id-rspRole-ci (.0)
    Euicc,                // id-rspRole-euicc (.1)
    Manufacturer,         // id-rspRole-eum (.2)
    ProfileServerTls,     // id-rspRole-dp-tls (.3)
    ProfileServerAuth,    // id-rspRole-dp-auth (.4)
    ProfileServerBinding, // id-rspRole-dp-pb (.5)
};

// "CI", "EUM", ... as SGP.22 calls the role, for messages.
QString rspRoleTitle(RspRole role);

// Whether the certificate is made for the role: its certificate policy, basic constraints, key
// usage and (TLS) extended key usage, and an EUM's EID range in its name constraints (SGP.22
// section 4.5.2.1.0). Validity and the signature are not checked here. A refusal is one sentence
// that names the rule that failed and what to do.
Result<void> checkRspRole(const Certificate &certificate, RspRole role);

} // namespace simfleet::crypto
