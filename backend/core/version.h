#pragma once

#include <QString>

namespace simfleet {

// The product version from CMake's project(VERSION), e.g. "0.1.0".
QString versionString();

// The application identity shared by the GUI, the CLI and the desktop integration.
inline constexpr char applicationName[] = "simfleet";
inline constexpr char organizationName[] = "simfleet";
inline constexpr char organizationDomain[] = "simfleet.org";
inline constexpr char desktopFileName[] = "org.simfleet.Simfleet";

} // namespace simfleet
