#pragma once

#include "profileserver.h"

#include "access/session.h"
#include "core/result.h"
#include "store/records.h"

namespace simfleet::store {
class Workspace;
}

namespace simfleet::profiles {

// ES2+.DownloadOrder's new profiles for an operator of the workspace (SGP.22 section 5.3.1): one
// number pair at a time from the operator's ranges (CredentialIssuer::allocate), in one writer
// job with the audit entry that says who burnt it, in the name of whoever serves the profile
// server. The order it returns names no eUICC yet; its metadata is the operator's as a
// subscription change writes it.
class WorkspaceProfileAllocator
{
public:
    WorkspaceProfileAllocator(store::Workspace &workspace, access::Session by, store::OperatorRecord op);

    // orderedBy: the ES2+ function requester, for the audit entry. An exhausted range refuses
    // with code RangeExhausted.
    Result<DownloadOrder> operator()(const QString &orderedBy) const;

private:
    store::Workspace &m_workspace;
    access::Session m_by;
    store::OperatorRecord m_operator;
};

} // namespace simfleet::profiles
