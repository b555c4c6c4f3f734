#pragma once

#include "core/result.h"
#include "es9plus.h"
#include "esipa.h"

// The indirect download as it crosses the eIM (SGP.32 section 6.3.2.1 to 6.3.2.3 and 3.2.1): the
// IPA's ESipa messages carry the values ES9+ carries to the profile server (SGP.22 section
// 6.5.2), in DER instead of JSON. The eIM turns the one into the other in both directions, the
// IPA's side (an Es9PlusFunctions over ESipa) likewise. Only the form changes: ES9+ keeps the
// signatures and the key identifier as whole data objects ('5F37', '04'), ESipa their values.
namespace simfleet::protocol::esiparelay {

es9plus::InitiateAuthenticationRequest toEs9(const esipa::InitiateAuthenticationRequest &request);
esipa::InitiateAuthenticationRequest toEsipa(const es9plus::InitiateAuthenticationRequest &request);
// An ES9+ answer that does not fit ESipa (a signature that is not a '5F37' object) is an error.
Result<esipa::InitiateAuthenticationResponse> toEsipa(const es9plus::InitiateAuthenticationResponse &response);
// An ESipa error answer is an error naming its code.
Result<es9plus::InitiateAuthenticationResponse> toEs9(const esipa::InitiateAuthenticationResponse &response);

es9plus::AuthenticateClientRequest toEs9(const esipa::AuthenticateClientRequest &request);
esipa::AuthenticateClientRequest toEsipa(const es9plus::AuthenticateClientRequest &request);
Result<esipa::AuthenticateClientResponse> toEsipa(const es9plus::AuthenticateClientResponse &response);
Result<es9plus::AuthenticateClientResponse> toEs9(const esipa::AuthenticateClientResponse &response);

es9plus::GetBoundProfilePackageRequest toEs9(const esipa::GetBoundProfilePackageRequest &request);
esipa::GetBoundProfilePackageRequest toEsipa(const es9plus::GetBoundProfilePackageRequest &request);
esipa::GetBoundProfilePackageResponse toEsipa(const es9plus::GetBoundProfilePackageResponse &response);
Result<es9plus::GetBoundProfilePackageResponse> toEs9(const esipa::GetBoundProfilePackageResponse &response);

es9plus::CancelSessionRequest toEs9(const esipa::CancelSessionRequest &request);
esipa::CancelSessionRequest toEsipa(const es9plus::CancelSessionRequest &request);

} // namespace simfleet::protocol::esiparelay
