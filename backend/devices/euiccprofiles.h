#pragma once

#include "devicelink.h"

#include <QList>
#include <QString>

namespace simfleet::devices {

// ES10c as the backend asks it of a device's eUICC (SGP.22 section 5.7): the request encoded
// (protocol/profilemanagement.h), the answer decoded and its result code turned into what the
// backend acts on (ProfileOperationResponse::outcome: done, or an error whose code the campaign
// records, no-such-profile, profile-enabled, enable-rejected). Each returns the device's Answer,
// so the caller waits for it or continues from it as from any DeviceLink call.

// GetProfilesInfo for the ICCID, the state and the owner's network of every profile.
Answer<QList<InstalledProfile>> listProfiles(DeviceLink &link);
// EnableProfile and DisableProfile with refreshFlag set (the modem restarts its network attach
// with the profile now enabled), DeleteProfile; the profile named by its ICCID.
Answer<void> enableProfile(DeviceLink &link, const QString &iccid);
Answer<void> disableProfile(DeviceLink &link, const QString &iccid);
Answer<void> deleteProfile(DeviceLink &link, const QString &iccid);

} // namespace simfleet::devices
