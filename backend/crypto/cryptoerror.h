#pragma once

#include <QString>

namespace simfleet::crypto {

// Takes everything off OpenSSL's thread-local error queue and returns it as one line
// ("what: reason"), so a later call never reports an earlier call's failure.
QString takeOpenSslError(const char *what);

// Drops OpenSSL's queued errors after a failure the caller reported in its own words.
void clearOpenSslErrors();

} // namespace simfleet::crypto
