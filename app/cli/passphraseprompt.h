#pragma once

#include "clicommand.h"
#include "core/result.h"
#include "crypto/secretbytes.h"

namespace simfleet::cli {

// The workspace passphrase from SIMFLEET_PASSPHRASE, or asked for on the terminal without echo
// (twice when a new one is being set). Without a terminal and without the variable it fails
// with what to do.
Result<crypto::SecretBytes> obtainPassphrase(CliContext &context, bool confirmNew);

// A user's password from the variable named (SIMFLEET_PASSWORD, SIMFLEET_NEW_PASSWORD), or asked
// for on the terminal without echo with the prompt given.
Result<crypto::SecretBytes> obtainPassword(CliContext &context, const char *variable, const char *prompt);

} // namespace simfleet::cli
