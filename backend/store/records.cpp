#include "records.h"

namespace simfleet::store {

QString secureElementName(SecureElementKind kind)
{
    return kind == SecureElementKind::IntegratedUicc ? QStringLiteral("integrated-uicc")
                                                     : QStringLiteral("trusted-environment");
}

std::optional<SecureElementKind> secureElementFromName(QStringView name)
{
    if (name == u"integrated-uicc")
        return SecureElementKind::IntegratedUicc;
    if (name == u"trusted-environment")
        return SecureElementKind::TrustedEnvironment;
    return std::nullopt;
}

} // namespace simfleet::store
