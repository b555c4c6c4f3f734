#pragma once

#include "secretbytes.h"

#include <QByteArray>

namespace simfleet::crypto {

// Bytes from OpenSSL's CSPRNG (nonces, challenges, IVs, serial numbers).
QByteArray randomBytes(qsizetype count);

// Random key material (Ki, data keys) that never lives in a plain QByteArray.
SecretBytes randomSecret(std::size_t count);

} // namespace simfleet::crypto
