#pragma once

#include "core/result.h"

#include <QString>

#include <chrono>

namespace simfleet::devices {
class DeviceLink;
}

namespace simfleet::net {

class Es9PlusFunctions;

// A profile download through a profile server's ES9+ (SGP.22 section 3.1.3), simfleet in the
// LPA's place (SGP.32's indirect download: the eIM relays for the device): the eUICC's info and
// challenge to initiateAuthentication, its AuthenticateServerResponse to authenticateClient, its
// PrepareDownloadResponse to getBoundProfilePackage, the bound package to the eUICC, and its
// installation result to handleNotification. Returns the ICCID the device installed.
// matchingId is the activation code's (SGP.22 section 4.1: from the operator's ES2+.ConfirmOrder,
// or imported with the operator's codes), which the LPA puts in ctxParams1 and the eUICC signs;
// empty, the server finds the order by the device's EID (section 3.1.1's default SM-DP+ case).
// Errors of the server's side keep the client's ProfileServer* codes. installationResult, when
// given, receives the eUICC's ProfileInstallationResult ('BF37') as it answered, success or not.
Result<QString> downloadThroughEs9Plus(Es9PlusFunctions &client, devices::DeviceLink &link, const QString &smdpAddress,
                                       std::chrono::milliseconds deviceTimeout, const QString &matchingId = {},
                                       QByteArray *installationResult = nullptr);

} // namespace simfleet::net
