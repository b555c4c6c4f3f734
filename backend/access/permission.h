#pragma once

#include "role.h"

#include <QString>

namespace simfleet::access {

// What a service call does, for the role check every call makes first.
enum class Permission {
    ViewFleet,            // devices, profiles, operators, campaigns and their reports (scoped)
    ExportFleet,          // the same as CSV (scoped)
    Enroll,               // import devices
    Attest,               // ask devices for evidence
    Provision,            // initial provisioning campaigns
    ChangeSubscription,   // subscription change campaigns
    ControlCampaign,      // resume, pause, cancel, retry failed
    ViewAudit,            // read the audit log
    VerifyAudit,          // check its chain
    ManageOperators,      // operators, their ranges and policies
    ManageReferenceValues,
    ManageUsers,
    ManageTrust,          // certificate issuers, manufacturers and their revocation lists (the PKI)
    ReportCustody,        // report devices stolen, lost or recovered, and act on them at their next contact
    ReleaseQuarantine,    // let a quarantined device's subscription run again
};

inline constexpr Permission allPermissions[] = {
    Permission::ViewFleet,       Permission::ExportFleet,     Permission::Enroll,
    Permission::Attest,          Permission::Provision,       Permission::ChangeSubscription,
    Permission::ControlCampaign, Permission::ViewAudit,       Permission::VerifyAudit,
    Permission::ManageOperators, Permission::ManageReferenceValues, Permission::ManageUsers,
    Permission::ManageTrust,     Permission::ReportCustody,   Permission::ReleaseQuarantine,
};

// The one table of who may do what (DESIGN.md "Access").
bool roleAllows(Role role, Permission permission);
// What the permission lets one do, as the end of "is not permitted to ...".
QString permissionAction(Permission permission);
// Which roles may, for the message that says whom to ask.
QString rolesAllowedTitle(Permission permission);

} // namespace simfleet::access
