#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace simfleet::crypto {

class EcPrivateKey;
class EcPublicKey;

enum class SignatureFormat {
    Der, // ECDSA-Sig-Value SEQUENCE { r, s } (X.509, SGP.22 certificates)
    Raw, // r || s, 32 bytes each (COSE ES256, RFC 9053 section 2.1; BSI TR-03111)
};

// ECDSA over SHA-256 of the message.
Result<QByteArray> ecdsaSign(const EcPrivateKey &key, QByteArrayView message, SignatureFormat format);

// Fails with "signature is malformed: ..." when the encoding or r/s range is wrong, and with
// "signature does not match" when it is well formed but not made by this key over these bytes.
Result<void> ecdsaVerify(const EcPublicKey &key, QByteArrayView message, QByteArrayView signature,
                         SignatureFormat format);

// Conversions between the two forms; both reject r or s equal to zero or not below the
// P-256 group order.
Result<QByteArray> ecdsaRawToDer(QByteArrayView raw);
Result<QByteArray> ecdsaDerToRaw(QByteArrayView der);

} // namespace simfleet::crypto
