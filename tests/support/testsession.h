#pragma once

// The acting user tests pass to backend calls: the workspace owner, which a workspace created or
// unlocked with its passphrase (or the demo's key file) gives.

#include "access/accessservice.h"
#include "store/workspace.h"

#include <QtGlobal>

namespace simfleet::testing {

inline access::Session ownerOf(store::Workspace &workspace)
{
    auto owner = access::AccessService(workspace).ownerSession();
    if (!owner)
        qFatal("the test workspace gives no owner session: %s", qPrintable(owner.errorMessage()));
    return owner.value();
}

} // namespace simfleet::testing
