#pragma once

#include "core/result.h"
#include "notifications.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace simfleet::protocol {

// ES10c, the local profile management SGP.22 section 5.7 gives the LPA (and SGP.32 the IPA):
// GetProfilesInfo, EnableProfile, DisableProfile, DeleteProfile, in the messages of the module.

enum class ProfileState { Disabled = 0, Enabled = 1 };
enum class ProfileClass { Test = 0, Provisioning = 1, Operational = 2 };

// ES10c.GetProfilesInfo (SGP.22 section 5.7.15), ProfileInfoListRequest 'BF2D': every profile,
// or those one search criterion picks (at most one of iccid, isdpAid, profileClass), with the
// data objects tagList names.
struct ProfileInfoListRequest
{
    QString iccid;
    QByteArray isdpAid;
    std::optional<ProfileClass> profileClass;
    // The tags of the ProfileInfo data objects wanted, their identifier octets one after the
    // other (e.g. 5A 9F70 B7); empty: whatever the eUICC has.
    QByteArray tagList;

    // Whether the answer is to carry the data object with this tag (one or two identifier
    // octets, as der::Element names tags).
    bool wants(quint16 tag) const;
    QByteArray encode() const;
    static Result<ProfileInfoListRequest> decode(QByteArrayView der);
};

// ProfileInfo ('E3'): what the eUICC tells of one profile. Empty strings and lists are absent.
struct ProfileInfo
{
    QString iccid;
    QByteArray isdpAid;
    std::optional<ProfileState> state;
    QString nickname;
    QString serviceProviderName;
    QString profileName;
    std::optional<ProfileClass> profileClass;
    QList<NotificationConfiguration> notificationConfiguration;
    QString ownerPlmn; // profileOwner's mccMnc, as MCC || MNC

    // Only the data objects `tagList` names (ProfileInfoListRequest::tagList), all when empty.
    QByteArray encode(QByteArrayView tagList = {}) const;
    static Result<ProfileInfo> decode(QByteArrayView der);
};

// Its answer, ProfileInfoListResponse 'BF2D': profileInfoListOk, or profileInfoListError, which
// decode refuses with its code in the message.
struct ProfileInfoListResponse
{
    enum Error { IncorrectInputValues = 1, UndefinedError = 127 };
    QList<ProfileInfo> profiles;

    QByteArray encode(QByteArrayView tagList = {}) const;
    static QByteArray encodeError(int code);
    static Result<ProfileInfoListResponse> decode(QByteArrayView der);
};

enum class ProfileOperation { Enable, Disable, Delete };
QString profileOperationName(ProfileOperation operation); // "enable", ...

// ES10c.EnableProfile, DisableProfile and DeleteProfile (SGP.22 sections 5.7.16 to 5.7.18),
// requests 'BF31', 'BF32' and 'BF33': the profile by its ICCID or its ISD-P's AID (the
// profileIdentifier CHOICE), and for enable and disable whether the device is to REFRESH.
struct ProfileOperationRequest
{
    ProfileOperation operation = ProfileOperation::Enable;
    QString iccid;      // one of the two
    QByteArray isdpAid;
    bool refreshFlag = true; // enable and disable only

    QByteArray encode() const;
    // The operation follows from the tag.
    static Result<ProfileOperationRequest> decode(QByteArrayView der);
};

// The module's result codes; 2 is profileNotInDisabledState for enable and delete,
// profileNotInEnabledState for disable.
enum class ProfileOperationResult {
    Ok = 0,
    IccidOrAidNotFound = 1,
    ProfileNotInRequiredState = 2,
    DisallowedByPolicy = 3,
    WrongProfileReenabling = 4, // enable only
    CatBusy = 5,                // enable and disable
    UndefinedError = 127,
};

// Their answers ('BF31', 'BF32', 'BF33'): enableResult, disableResult or deleteResult.
struct ProfileOperationResponse
{
    ProfileOperation operation = ProfileOperation::Enable;
    int result = int(ProfileOperationResult::Ok);

    // The module's name of the result, e.g. "profileNotInDisabledState".
    QString resultName() const;
    // What the answer means for the profile `iccid` of device `eid`: done (also when the profile
    // already was where the operation takes it: enabling is idempotent, and disabling), or an
    // error that says why, with the code the campaign records where it relies on one
    // (no-such-profile, profile-enabled, enable-rejected).
    Result<void> outcome(const QString &eid, const QString &iccid) const;
    QByteArray encode() const;
    static Result<ProfileOperationResponse> decode(QByteArrayView der);
};

} // namespace simfleet::protocol
