#include "cryptolibrary.h"

#include <openssl/crypto.h>

namespace simfleet::crypto {

QString libraryVersion()
{
    return QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION));
}

} // namespace simfleet::crypto
