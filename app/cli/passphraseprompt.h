#pragma once

#include "clicommand.h"
#include "core/result.h"
#include "crypto/secretbytes.h"

namespace simfleet::store {
class Workspace;
}

namespace simfleet::cli {

// The workspace passphrase from SIMFLEET_PASSPHRASE, or asked for on the terminal without echo
// (twice when a new one is being set). Without a terminal and without the variable it fails
// with what to do.
Result<crypto::SecretBytes> obtainPassphrase(CliContext &context, bool confirmNew);

// A user's password from the variable named (SIMFLEET_PASSWORD, SIMFLEET_NEW_PASSWORD), or asked
// for on the terminal without echo with the prompt given.
Result<crypto::SecretBytes> obtainPassword(CliContext &context, const char *variable, const char *prompt);

// A new workspace passphrase from SIMFLEET_NEW_PASSPHRASE, or asked for twice on the terminal.
Result<crypto::SecretBytes> obtainNewPassphrase(CliContext &context);

// The owner's passphrase for a command that needs it itself (rekey): a demo's from its key
// file, any other from SIMFLEET_PASSPHRASE or the terminal.
Result<crypto::SecretBytes> ownerPassphrase(CliContext &context, const store::Workspace &workspace);

// Only the workspace's owner (no -u, with the passphrase) does what touches its keys and files.
Result<void> requireOwner(const CliContext &context, const QString &command);

} // namespace simfleet::cli
