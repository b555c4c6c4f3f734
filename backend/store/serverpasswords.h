#pragma once

#include "crypto/secretbytes.h"

#include <optional>

namespace simfleet::store {

class WorkspaceAddress;

// The database passwords this process was given (by SIMFLEET_PASSWORD, PGPASSWORD, a prompt or
// the GUI's connect dialog), held in locked-down memory for the connections every thread of
// the process opens to the same PostgreSQL workspace (writer, readers, campaign runs). Keyed by
// the address with its user; never written anywhere.
namespace ServerPasswords {
void remember(const WorkspaceAddress &address, const crypto::SecretBytes &password);
std::optional<crypto::SecretBytes> lookup(const WorkspaceAddress &address);
void forget(const WorkspaceAddress &address);
} // namespace ServerPasswords

} // namespace simfleet::store
