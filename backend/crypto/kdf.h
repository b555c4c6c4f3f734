#pragma once

#include "core/result.h"
#include "secretbytes.h"

#include <QByteArrayView>

#include <cstdint>

namespace simfleet::crypto {

// ANSI X9.63 KDF with SHA-256 (SEC 1 section 3.6.1), as SGP.22 section 2.6.4 uses it to
// turn the ECDH shared secret into the MAC chaining value, S-ENC and S-MAC.
Result<SecretBytes> x963Kdf(const SecretBytes &sharedSecret, QByteArrayView sharedInfo, std::size_t length);

struct ScryptParameters
{
    std::uint64_t n = 1u << 15; // CPU/memory cost (32 MiB with r = 8)
    std::uint32_t r = 8;
    std::uint32_t p = 1;
};

// Whether scrypt parameters (read from a workspace file) stay within what unlocking may cost.
Result<void> checkAcceptable(const ScryptParameters &parameters);

// scrypt (RFC 7914) for workspace passphrases and user passwords. Callers use a random salt
// of at least 16 bytes; shorter ones are accepted for the RFC's own test vectors.
Result<SecretBytes> scrypt(QByteArrayView passphrase, QByteArrayView salt, std::size_t length,
                           ScryptParameters parameters = {});

} // namespace simfleet::crypto
