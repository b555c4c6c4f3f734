#include "role.h"

#include <QCoreApplication>

namespace simfleet::access {

QString roleKey(Role role)
{
    switch (role) {
    case Role::Administrator:
        return QStringLiteral("administrator");
    case Role::Operations:
        return QStringLiteral("operations");
    case Role::OperatorAccountManager:
        return QStringLiteral("operator-account-manager");
    case Role::Viewer:
        return QStringLiteral("viewer");
    }
    return {};
}

std::optional<Role> roleFromKey(QStringView key)
{
    for (Role r : { Role::Administrator, Role::Operations, Role::OperatorAccountManager, Role::Viewer }) {
        if (key == roleKey(r))
            return r;
    }
    return std::nullopt;
}

QString roleTitle(Role role)
{
    switch (role) {
    case Role::Administrator:
        return QCoreApplication::translate("simfleet::access", "Administrator");
    case Role::Operations:
        return QCoreApplication::translate("simfleet::access", "Operations");
    case Role::OperatorAccountManager:
        return QCoreApplication::translate("simfleet::access", "Operator account manager");
    case Role::Viewer:
        return QCoreApplication::translate("simfleet::access", "Viewer");
    }
    return {};
}

bool roleWorksWithSecrets(Role role)
{
    return role == Role::Administrator || role == Role::Operations;
}

} // namespace simfleet::access
