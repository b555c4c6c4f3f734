#pragma once

#include <QByteArrayView>

namespace simfleet::crypto {

// Compares MACs, tags, nonces and secrets in time that does not depend on where they differ.
// Different lengths compare unequal (length is not secret).
bool equalConstantTime(QByteArrayView a, QByteArrayView b);

} // namespace simfleet::crypto
