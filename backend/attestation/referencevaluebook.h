#pragma once

#include "core/result.h"
#include "store/referencevaluerepository.h"

#include <QString>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::attestation {

// The reference values claims are checked against (DESIGN.md "Attestation"): adding and retiring
// them takes an Administrator, and each change is audited under the user's name.
class ReferenceValueBook
{
public:
    static Result<void> add(store::Workspace &workspace, const access::Session &by, const store::ReferenceValueRecord &values);
    static Result<void> retire(store::Workspace &workspace, const access::Session &by, const QString &hwmodel,
                               const QString &swversion);
};

} // namespace simfleet::attestation
