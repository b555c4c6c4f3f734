#include "fault.h"

#include <array>
#include <utility>

namespace simfleet::simulation {

namespace {
const std::array<std::pair<Fault, const char *>, 10> names { {
    { Fault::None, "none" },
    { Fault::Offline, "offline" },
    { Fault::Slow, "slow" },
    { Fault::TamperedFirmware, "tampered-firmware" },
    { Fault::DebugEnabled, "debug-enabled" },
    { Fault::Revoked, "revoked" },
    { Fault::ClockSkew, "clock-skew" },
    { Fault::CrashesMidDownload, "crashes-mid-download" },
    { Fault::RejectsEnable, "rejects-enable" },
    { Fault::NoCoverage, "no-coverage" },
} };
} // namespace

QString faultName(Fault fault)
{
    for (const auto &[f, name] : names) {
        if (f == fault)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("none");
}

std::optional<Fault> faultFromName(QStringView name)
{
    for (const auto &[f, n] : names) {
        if (name == QLatin1StringView(n))
            return f;
    }
    return std::nullopt;
}

} // namespace simfleet::simulation
