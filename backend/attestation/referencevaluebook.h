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
    // A manufacturer's published values in bulk: all of them or none (one transaction, one audit
    // entry naming each). Refused whole if any is already known for its manufacturer, model
    // and version, or appears twice.
    static Result<void> importAll(store::Workspace &workspace, const access::Session &by,
                                  const QList<store::ReferenceValueRecord> &values);
};

} // namespace simfleet::attestation
