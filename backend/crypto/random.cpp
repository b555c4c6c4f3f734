#include "random.h"

#include <openssl/rand.h>

#include <QtGlobal>

namespace simfleet::crypto {

QByteArray randomBytes(qsizetype count)
{
    QByteArray out(count, Qt::Uninitialized);
    // RAND_bytes only fails if the system entropy source is unusable; continuing with
    // predictable bytes would silently break every key and nonce.
    if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), int(count)) != 1)
        qFatal("simfleet: the system random number generator failed");
    return out;
}

SecretBytes randomSecret(std::size_t count)
{
    SecretBytes out(count);
    if (count > 0 && RAND_priv_bytes(out.data(), int(count)) != 1)
        qFatal("simfleet: the system random number generator failed");
    return out;
}

} // namespace simfleet::crypto
