#include "constanttime.h"

#include <openssl/crypto.h>

namespace simfleet::crypto {

bool equalConstantTime(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return CRYPTO_memcmp(a.data(), b.data(), std::size_t(a.size())) == 0;
}

} // namespace simfleet::crypto
