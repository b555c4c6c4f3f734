#include "version.h"

namespace simfleet {

QString versionString()
{
    return QStringLiteral(SIMFLEET_VERSION);
}

} // namespace simfleet
