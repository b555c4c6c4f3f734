#pragma once

#include "certificate.h"
#include "eckey.h"

namespace simfleet::crypto {

// A certificate with the private key that belongs to it: a profile server's or a manufacturer's
// signing identity, whether a demo issued it or an operator imported it.
struct CertifiedKey
{
    Certificate certificate;
    EcPrivateKey key;
};

} // namespace simfleet::crypto
