#pragma once

#include <QString>

#include <optional>

namespace simfleet::simulation {

// How a simulated device misbehaves, chosen by the workspace's scenario.
enum class Fault {
    None,
    Offline,          // never answers
    Slow,             // answers after a long latency
    TamperedFirmware, // a measurement differs from the reference
    DebugEnabled,     // debug port open
    Revoked,          // its certificate is on its manufacturer's revocation list
    ClockSkew,        // its clock is hours off
    CrashesMidDownload,
    RejectsEnable,
    NoCoverage,       // cannot attach to the fault operator's network
};

QString faultName(Fault fault);
std::optional<Fault> faultFromName(QStringView name);

} // namespace simfleet::simulation
