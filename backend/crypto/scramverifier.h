#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace simfleet::crypto {

// HMAC-SHA-256 (RFC 2104).
Result<QByteArray> hmacSha256(QByteArrayView key, QByteArrayView data);

// The keys a SCRAM-SHA-256 server stores for a password (RFC 5802 section 3, RFC 7677):
// SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations); StoredKey =
// SHA-256(HMAC(SaltedPassword, "Client Key")); ServerKey = HMAC(SaltedPassword, "Server Key").
struct ScramKeys
{
    QByteArray storedKey;
    QByteArray serverKey;
};
Result<ScramKeys> scramSha256Keys(QByteArrayView password, QByteArrayView salt, int iterations);

// The same as the verifier PostgreSQL keeps in pg_authid and takes in CREATE ROLE ... PASSWORD:
// "SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY" (base64), with a random 16-byte salt. A
// role created with it logs in with the password, which never reaches the server in clear (as
// psql's \password does it).
Result<QString> postgresScramVerifier(QByteArrayView password, int iterations = 4096);

} // namespace simfleet::crypto
