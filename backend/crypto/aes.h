#pragma once

#include "core/result.h"
#include "secretbytes.h"

#include <QByteArray>
#include <QByteArrayView>

namespace simfleet::crypto {

// AES-CBC without padding (SGP.22 segment encryption pads explicitly before this call).
// The key is 16 bytes (AES-128) or 32 bytes (AES-256); the IV 16 bytes; the data a whole
// number of 16-byte blocks.
Result<QByteArray> aesCbcEncrypt(QByteArrayView key, QByteArrayView iv, QByteArrayView plaintext);
Result<QByteArray> aesCbcDecrypt(QByteArrayView key, QByteArrayView iv, QByteArrayView ciphertext);

// AES-CMAC (NIST SP 800-38B, RFC 4493) with a 16- or 32-byte key; the full 16-byte tag.
Result<QByteArray> aesCmac(QByteArrayView key, QByteArrayView data);

// Checks a CMAC in constant time. The expected MAC may be truncated to its leading bytes (at
// least 8, as the SGP.22 segment MAC is); a shorter one is refused as too weak.
Result<void> aesCmacVerify(QByteArrayView key, QByteArrayView data, QByteArrayView expectedMac);

// AES-256-GCM for secrets at rest. seal() returns nonce(12) || ciphertext || tag(16) with a
// fresh random nonce; open() fails, revealing nothing, if any byte or the associated data
// changed.
Result<QByteArray> aesGcmSeal(QByteArrayView key, QByteArrayView plaintext, QByteArrayView associatedData);
Result<SecretBytes> aesGcmOpen(QByteArrayView key, QByteArrayView sealed, QByteArrayView associatedData);

} // namespace simfleet::crypto
