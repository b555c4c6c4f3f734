#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace simfleet::access {

// The roles of DESIGN.md "Access".
enum class Role {
    Administrator,          // users, operators, PKI, and everything Operations does
    Operations,             // enroll, attest, provision, run campaigns
    OperatorAccountManager, // sees only what involves their operator; attests it; changes nothing
    Viewer,                 // reads everything, changes nothing
};

// The stored form: administrator, operations, operator-account-manager, viewer.
QString roleKey(Role role);
std::optional<Role> roleFromKey(QStringView key);
// For people: "Administrator", "Operations", "Operator account manager", "Viewer".
QString roleTitle(Role role);
// Roles whose work opens secrets (issuing credentials, signing as a profile server) get a key
// slot; the others never hold the data key.
bool roleWorksWithSecrets(Role role);

} // namespace simfleet::access
