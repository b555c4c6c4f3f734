#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace simfleet {

// The stable reasons callers branch on (Error::code). Their text is what a campaign records as a
// device's reason and what reports and JSON print; everything else compares the enum.
enum class ErrorCode {
    None, // an error only people read
    Timeout,
    DeviceRestarted,
    AlreadyInstalled,
    NoSuchProfile,
    ProfileEnabled,
    NoMemory,
    NoEnabledProfile,
    NoCoverage,
    EnableRejected,
    AttachFailed,
    ServerNotAuthenticated,
    DeviceNotAuthenticated,
    PackageRejected,
    RangeExhausted,
    FieldBusy,
    NotPermitted,
    SessionExpired,
    LoginFailed, // a wrong name, a wrong password and a locked name alike
    UpgradeNeeded, // an older simfleet's workspace: its owner or an Administrator upgrades it
    // An operator's own profile server (ES9+ over HTTPS): no activation code left for the device,
    // the server not reached in time, its TLS certificate not chaining to the recorded root, or
    // it answered with an error status (SGP.22 section 6.1.4's functionExecutionStatus).
    NoActivationCode,
    ProfileServerUnreachable,
    ProfileServerUntrusted,
    ProfileServerRefused,
    WrongProfile, // the device installed another profile than the one ordered
};

QString errorCodeName(ErrorCode code); // "" for None
std::optional<ErrorCode> errorCodeFromName(QStringView name);

} // namespace simfleet
