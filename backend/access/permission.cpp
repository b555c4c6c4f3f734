#include "permission.h"

#include <QCoreApplication>
#include <QStringList>

namespace simfleet::access {

bool roleAllows(Role role, Permission permission)
{
    switch (role) {
    case Role::Administrator:
        return true;
    case Role::Operations:
        return permission != Permission::ManageOperators && permission != Permission::ManageReferenceValues
            && permission != Permission::ManageUsers && permission != Permission::ManageTrust
            && permission != Permission::ReleaseQuarantine;
    case Role::OperatorAccountManager:
        // Reads and attests what involves their operator; the audit log as a whole names other
        // operators' devices, so it stays closed to them.
        return permission == Permission::ViewFleet || permission == Permission::ExportFleet
            || permission == Permission::Attest;
    case Role::Viewer:
        return permission == Permission::ViewFleet || permission == Permission::ExportFleet
            || permission == Permission::ViewAudit || permission == Permission::VerifyAudit;
    }
    return false;
}

QString permissionAction(Permission permission)
{
    const auto tr = [](const char *s) { return QCoreApplication::translate("simfleet::access", s); };
    switch (permission) {
    case Permission::ViewFleet:
        return tr("see the fleet");
    case Permission::ExportFleet:
        return tr("export the fleet");
    case Permission::Enroll:
        return tr("enroll devices");
    case Permission::Attest:
        return tr("attest devices");
    case Permission::Provision:
        return tr("provision devices");
    case Permission::ChangeSubscription:
        return tr("change subscriptions");
    case Permission::ControlCampaign:
        return tr("run or control campaigns");
    case Permission::ViewAudit:
        return tr("read the audit log");
    case Permission::VerifyAudit:
        return tr("verify the audit log");
    case Permission::ManageOperators:
        return tr("change operators");
    case Permission::ManageReferenceValues:
        return tr("change reference values");
    case Permission::ManageUsers:
        return tr("manage users");
    case Permission::ManageTrust:
        return tr("change which certificate issuers and manufacturers are trusted");
    case Permission::ReportCustody:
        return tr("report devices stolen, lost or recovered");
    case Permission::ReleaseQuarantine:
        return tr("release devices from quarantine");
    }
    return {};
}

QString rolesAllowedTitle(Permission permission)
{
    QStringList titles;
    for (Role r : { Role::Administrator, Role::Operations, Role::OperatorAccountManager, Role::Viewer }) {
        if (roleAllows(r, permission))
            titles.append(roleTitle(r));
    }
    return titles.join(QStringLiteral(" or "));
}

} // namespace simfleet::access
