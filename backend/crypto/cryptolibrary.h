#pragma once

#include <QString>

namespace simfleet::crypto {

// "OpenSSL 3.0.x ..." of the library linked at run time, for About and --version.
QString libraryVersion();

} // namespace simfleet::crypto
