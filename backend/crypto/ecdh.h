#pragma once

#include "core/result.h"
#include "secretbytes.h"

namespace simfleet::crypto {

class EcPrivateKey;
class EcPublicKey;

// ECDH on P-256 (SEC 1 section 3.3.1): the 32-byte x-coordinate of d * Q. The peer key was
// validated when it was built, and OpenSSL validates it again before deriving.
Result<SecretBytes> ecdh(const EcPrivateKey &own, const EcPublicKey &peer);

} // namespace simfleet::crypto
