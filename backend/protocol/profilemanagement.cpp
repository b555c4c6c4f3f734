#include "profilemanagement.h"
#include "der.h"
#include "dervalues.h"
#include "profilemetadata.h"
#include "profilepackage.h"

#include <array>
#include <limits>

namespace simfleet::protocol {

namespace {

constexpr quint16 tagProfileInfoList = 0xBF2D;
constexpr quint16 tagProfileInfo = 0xE3;
constexpr quint16 tagTagList = 0x5C;
constexpr quint16 tagIccid = 0x5A;
constexpr quint16 tagIsdpAid = 0x4F;
constexpr quint16 tagState = 0x9F70;
constexpr quint16 tagNickname = 0x90;
constexpr quint16 tagServiceProviderName = 0x91;
constexpr quint16 tagProfileName = 0x92;
constexpr quint16 tagIconType = 0x93;
constexpr quint16 tagIcon = 0x94;
constexpr quint16 tagProfileClass = 0x95;
constexpr quint16 tagNotificationConfiguration = 0xB6;
constexpr quint16 tagProfileOwner = 0xB7;
constexpr quint16 tagDpProprietaryData = 0xB8;
constexpr quint16 tagPolicyRules = 0x99;
constexpr quint16 tagServiceSpecificData = 0xBF22;

// ProfileInfo's components in the module's order, which DER keeps.
constexpr std::array<quint16, 14> profileInfoOrder { tagIccid, tagIsdpAid, tagState, tagNickname,
                                                     tagServiceProviderName, tagProfileName, tagIconType, tagIcon,
                                                     tagProfileClass, tagNotificationConfiguration, tagProfileOwner,
                                                     tagDpProprietaryData, tagPolicyRules, tagServiceSpecificData };

constexpr quint16 operationTag(ProfileOperation operation)
{
    switch (operation) {
    case ProfileOperation::Enable: return 0xBF31;
    case ProfileOperation::Disable: return 0xBF32;
    case ProfileOperation::Delete: return 0xBF33;
    }
    return 0;
}

std::optional<ProfileOperation> operationOfTag(quint16 tag)
{
    for (ProfileOperation o : { ProfileOperation::Enable, ProfileOperation::Disable, ProfileOperation::Delete }) {
        if (operationTag(o) == tag)
            return o;
    }
    return std::nullopt;
}

// The tags of a tag list, one or two identifier octets each; nothing when it is malformed.
std::optional<QList<quint16>> tagsOf(QByteArrayView list)
{
    QList<quint16> tags;
    for (qsizetype i = 0; i < list.size(); ++i) {
        quint16 tag = quint8(list[i]);
        if ((tag & 0x1f) == 0x1f) {
            if (i + 1 >= list.size() || (quint8(list[i + 1]) & 0x80))
                return std::nullopt;
            tag = quint16((tag << 8) | quint8(list[++i]));
        }
        tags.append(tag);
    }
    return tags;
}

bool listNames(QByteArrayView tagList, quint16 tag)
{
    if (tagList.isEmpty())
        return true;
    const auto tags = tagsOf(tagList);
    return tags && tags->contains(tag);
}

// A UTF8String field within its SIZE, which counts characters: never a surrogate pair cut in two.
QByteArray textField(quint16 tag, const QString &text, qsizetype limit)
{
    if (text.isEmpty())
        return {};
    qsizetype end = 0;
    for (qsizetype characters = 0; end < text.size() && characters < limit; ++characters)
        end += (text.at(end).isHighSurrogate() && end + 1 < text.size() && text.at(end + 1).isLowSurrogate()) ? 2 : 1;
    return der::tlv(tag, text.first(end).toUtf8());
}

} // namespace

bool ProfileInfoListRequest::wants(quint16 tag) const
{
    return listNames(tagList, tag);
}

QByteArray ProfileInfoListRequest::encode() const
{
    // searchCriteria [0] is a CHOICE, so its tag is explicit; the alternatives carry their own.
    QByteArray content;
    if (!iccid.isEmpty())
        content += der::tlv(0xA0, der::tlv(tagIccid, iccidToEfIccid(iccid)));
    else if (!isdpAid.isEmpty())
        content += der::tlv(0xA0, der::tlv(tagIsdpAid, isdpAid));
    else if (profileClass)
        content += der::tlv(0xA0, der::integer(int(*profileClass), tagProfileClass));
    if (!tagList.isEmpty())
        content += der::tlv(tagTagList, tagList);
    return der::tlv(tagProfileInfoList, content);
}

Result<ProfileInfoListRequest> ProfileInfoListRequest::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("GetProfilesInfo: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagProfileInfoList, "ProfileInfoListRequest");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one ProfileInfoListRequest"));
    der::Reader r(top->content);
    ProfileInfoListRequest out;
    if (auto criteria = r.optional(0xA0)) {
        der::Reader c(criteria->content);
        auto chosen = c.next();
        if (!chosen || !c.atEnd())
            return bad(QStringLiteral("the search criterion is malformed"));
        if (chosen->tag == tagIccid) {
            auto iccid = der::readIccid(chosen->content);
            if (!iccid)
                return bad(iccid.errorMessage());
            out.iccid = iccid.value();
        } else if (chosen->tag == tagIsdpAid) {
            if (chosen->content.isEmpty() || chosen->content.size() > 16)
                return bad(QStringLiteral("the ISD-P AID is not 1 to 16 bytes"));
            out.isdpAid = chosen->content.toByteArray();
        } else if (chosen->tag == tagProfileClass) {
            auto value = der::readStrictInteger(chosen->content, 0, 2);
            if (!value)
                return bad(QStringLiteral("the profile class: %1").arg(value.errorMessage()));
            out.profileClass = ProfileClass(value.value());
        } else {
            return bad(QStringLiteral("the search criterion is neither an ICCID, an ISD-P AID nor a profile class"));
        }
    }
    if (auto tags = r.optional(tagTagList)) {
        if (!tagsOf(tags->content))
            return bad(QStringLiteral("the tag list is malformed"));
        out.tagList = tags->content.toByteArray();
    }
    if (!r.atEnd())
        return bad(QStringLiteral("trailing data"));
    return out;
}

QByteArray ProfileInfo::encode(QByteArrayView tagList) const
{
    const auto wanted = [&](quint16 tag) { return listNames(tagList, tag); };
    QByteArray content;
    if (!iccid.isEmpty() && wanted(tagIccid))
        content += der::tlv(tagIccid, iccidToEfIccid(iccid));
    if (!isdpAid.isEmpty() && wanted(tagIsdpAid))
        content += der::tlv(tagIsdpAid, isdpAid);
    if (state && wanted(tagState))
        content += der::integer(int(*state), tagState);
    if (wanted(tagNickname))
        content += textField(tagNickname, nickname, 64);
    if (wanted(tagServiceProviderName))
        content += textField(tagServiceProviderName, serviceProviderName, 32);
    if (wanted(tagProfileName))
        content += textField(tagProfileName, profileName, 64);
    if (profileClass && wanted(tagProfileClass))
        content += der::integer(int(*profileClass), tagProfileClass);
    if (!notificationConfiguration.isEmpty() && wanted(tagNotificationConfiguration))
        content += encodeNotificationConfigurations(notificationConfiguration, tagNotificationConfiguration);
    // profileOwner: OperatorId { mccMnc [0], gid1 [1], gid2 [2] } (automatic tags).
    if (!ownerPlmn.isEmpty() && wanted(tagProfileOwner))
        content += der::tlv(tagProfileOwner, der::tlv(0x80, plmnToMccMnc(ownerPlmn)));
    return der::tlv(tagProfileInfo, content);
}

Result<ProfileInfo> ProfileInfo::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("a profile's information: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagProfileInfo, "ProfileInfo");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one ProfileInfo"));
    ProfileInfo out;
    der::Reader r(top->content);
    qsizetype lastKnown = -1;
    while (!r.atEnd()) {
        auto e = r.next();
        if (!e)
            return bad(e.errorMessage());
        const auto known = std::find(profileInfoOrder.begin(), profileInfoOrder.end(), e->tag);
        if (known == profileInfoOrder.end())
            continue; // EXTENSIBILITY IMPLIED: a later version's data object, not ours to read
        const qsizetype position = known - profileInfoOrder.begin();
        if (position <= lastKnown)
            return bad(QStringLiteral("its data objects are repeated or out of order (not DER)"));
        lastKnown = position;
        const QByteArrayView c = e->content;
        switch (e->tag) {
        case tagIccid: {
            auto iccid = der::readIccid(c);
            if (!iccid)
                return bad(iccid.errorMessage());
            out.iccid = iccid.value();
            break;
        }
        case tagIsdpAid:
            if (c.isEmpty() || c.size() > 16)
                return bad(QStringLiteral("the ISD-P AID is not 1 to 16 bytes"));
            out.isdpAid = c.toByteArray();
            break;
        case tagState: {
            auto state = der::readStrictInteger(c, 0, 1);
            if (!state)
                return bad(QStringLiteral("the profile state: %1").arg(state.errorMessage()));
            out.state = ProfileState(state.value());
            break;
        }
        case tagNickname:
        case tagServiceProviderName:
        case tagProfileName: {
            auto text = der::readUtf8(c, e->tag == tagServiceProviderName ? 32 : 64);
            if (!text)
                return bad(text.errorMessage());
            (e->tag == tagNickname ? out.nickname : e->tag == tagServiceProviderName ? out.serviceProviderName : out.profileName) =
                text.value();
            break;
        }
        case tagIconType:
            if (auto type = der::readStrictInteger(c, 0, 1); !type)
                return bad(QStringLiteral("the icon type: %1").arg(type.errorMessage()));
            break;
        case tagIcon:
            if (c.size() > 1024)
                return bad(QStringLiteral("the icon is over 1024 bytes"));
            break;
        case tagProfileClass: {
            auto profileClass = der::readStrictInteger(c, 0, 2);
            if (!profileClass)
                return bad(QStringLiteral("the profile class: %1").arg(profileClass.errorMessage()));
            out.profileClass = ProfileClass(profileClass.value());
            break;
        }
        case tagNotificationConfiguration: {
            auto list = decodeNotificationConfigurations(c);
            if (!list)
                return bad(list.errorMessage());
            out.notificationConfiguration = list.value();
            break;
        }
        case tagProfileOwner: {
            der::Reader owner(c);
            auto mccMnc = owner.expect(0x80, "mccMnc");
            if (!mccMnc || mccMncToPlmn(mccMnc->content).isEmpty())
                return bad(QStringLiteral("the profile owner has no valid MCC and MNC"));
            owner.optional(0x81); // gid1, gid2: group identifiers simfleet has no use for
            owner.optional(0x82);
            if (!owner.atEnd())
                return bad(QStringLiteral("the profile owner has trailing data"));
            out.ownerPlmn = mccMncToPlmn(mccMnc->content);
            break;
        }
        case tagPolicyRules:
            if (auto rules = der::readNamedBits(c, 2); !rules)
                return bad(QStringLiteral("the policy rules: %1").arg(rules.errorMessage()));
            break;
        default:
            break; // dpProprietaryData, serviceSpecificDataStoredInEuicc: well-formed, not read
        }
    }
    return out;
}

QByteArray ProfileInfoListResponse::encode(QByteArrayView tagList) const
{
    // profileInfoListOk, [0] by the CHOICE's automatic tags (the CHOICE's own tag is explicit).
    QByteArray items;
    for (const ProfileInfo &p : profiles)
        items += p.encode(tagList);
    return der::tlv(tagProfileInfoList, der::tlv(0xA0, items));
}

QByteArray ProfileInfoListResponse::encodeError(int code)
{
    return der::tlv(tagProfileInfoList, der::integer(code, 0x81));
}

Result<ProfileInfoListResponse> ProfileInfoListResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the device's profile list: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagProfileInfoList, "ProfileInfoListResponse");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one ProfileInfoListResponse"));
    der::Reader choice(top->content);
    auto chosen = choice.next();
    if (!chosen || !choice.atEnd())
        return bad(QStringLiteral("neither a list nor an error"));
    if (chosen->tag == 0x81) {
        auto code = der::readStrictInteger(chosen->content, std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max());
        const qint64 value = code ? code.value() : -1;
        return bad(QStringLiteral("the eUICC could not list its profiles (%1)")
                       .arg(value == IncorrectInputValues ? QStringLiteral("incorrectInputValues: it did not understand the request")
                            : value == UndefinedError     ? QStringLiteral("undefinedError")
                                                          : QStringLiteral("error code %1").arg(value)));
    }
    if (chosen->tag != 0xA0)
        return bad(QStringLiteral("neither a list nor an error"));
    ProfileInfoListResponse out;
    der::Reader r(chosen->content);
    while (!r.atEnd()) {
        auto item = r.expect(tagProfileInfo, "ProfileInfo");
        if (!item)
            return bad(item.errorMessage());
        auto info = ProfileInfo::decode(item->encoded);
        if (!info)
            return bad(info.errorMessage());
        out.profiles.append(info.value());
    }
    return out;
}

QString profileOperationName(ProfileOperation operation)
{
    switch (operation) {
    case ProfileOperation::Enable: return QStringLiteral("enable");
    case ProfileOperation::Disable: return QStringLiteral("disable");
    case ProfileOperation::Delete: return QStringLiteral("delete");
    }
    return {};
}

QByteArray ProfileOperationRequest::encode() const
{
    const QByteArray identifier = iccid.isEmpty() ? der::tlv(tagIsdpAid, isdpAid) : der::tlv(tagIccid, iccidToEfIccid(iccid));
    // DeleteProfileRequest is the tagged CHOICE itself ('BF33' explicit around it); enable and
    // disable are SEQUENCEs of untagged components, automatically tagged: profileIdentifier
    // [0] (a CHOICE, so explicit) and refreshFlag [1].
    if (operation == ProfileOperation::Delete)
        return der::tlv(operationTag(operation), identifier);
    return der::tlv(operationTag(operation), QByteArray(der::tlv(0xA0, identifier) + der::boolean(refreshFlag, 0x81)));
}

Result<ProfileOperationRequest> ProfileOperationRequest::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("a profile operation: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.next();
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one request"));
    const auto operation = operationOfTag(top->tag);
    if (!operation)
        return bad(QStringLiteral("not an EnableProfile, DisableProfile or DeleteProfile request"));
    ProfileOperationRequest out;
    out.operation = *operation;
    der::Reader r(top->content);
    QByteArrayView choice = top->content;
    if (*operation != ProfileOperation::Delete) {
        auto identifier = r.expect(0xA0, "profileIdentifier");
        auto refresh = identifier ? r.expect(0x81, "refreshFlag") : identifier;
        if (!refresh || !r.atEnd())
            return bad(refresh ? QStringLiteral("trailing data") : refresh.errorMessage());
        if (refresh->content.size() != 1 || (quint8(refresh->content[0]) != 0x00 && quint8(refresh->content[0]) != 0xff))
            return bad(QStringLiteral("refreshFlag is not a DER BOOLEAN"));
        out.refreshFlag = refresh->content[0] != 0;
        choice = identifier->content;
    }
    der::Reader c(choice);
    auto chosen = c.next();
    if (!chosen || !c.atEnd())
        return bad(QStringLiteral("the profile identifier is malformed"));
    if (chosen->tag == tagIccid) {
        auto iccid = der::readIccid(chosen->content);
        if (!iccid)
            return bad(iccid.errorMessage());
        out.iccid = iccid.value();
    } else if (chosen->tag == tagIsdpAid && !chosen->content.isEmpty() && chosen->content.size() <= 16) {
        out.isdpAid = chosen->content.toByteArray();
    } else {
        return bad(QStringLiteral("the profile is named by neither an ICCID nor an ISD-P AID of 1 to 16 bytes"));
    }
    return out;
}

QString ProfileOperationResponse::resultName() const
{
    switch (ProfileOperationResult(result)) {
    case ProfileOperationResult::Ok: return QStringLiteral("ok");
    case ProfileOperationResult::IccidOrAidNotFound: return QStringLiteral("iccidOrAidNotFound");
    case ProfileOperationResult::ProfileNotInRequiredState:
        return operation == ProfileOperation::Disable ? QStringLiteral("profileNotInEnabledState")
                                                      : QStringLiteral("profileNotInDisabledState");
    case ProfileOperationResult::DisallowedByPolicy: return QStringLiteral("disallowedByPolicy");
    case ProfileOperationResult::WrongProfileReenabling:
        if (operation == ProfileOperation::Enable)
            return QStringLiteral("wrongProfileReenabling");
        break;
    case ProfileOperationResult::CatBusy:
        if (operation != ProfileOperation::Delete)
            return QStringLiteral("catBusy");
        break;
    case ProfileOperationResult::UndefinedError: return QStringLiteral("undefinedError");
    }
    return QStringLiteral("result %1").arg(result);
}

Result<void> ProfileOperationResponse::outcome(const QString &eid, const QString &iccid) const
{
    const QString op = profileOperationName(operation);
    switch (ProfileOperationResult(result)) {
    case ProfileOperationResult::Ok:
        return {};
    case ProfileOperationResult::IccidOrAidNotFound:
        return failWith(ErrorCode::NoSuchProfile, QStringLiteral("device %1 holds no profile %2").arg(eid, iccid));
    case ProfileOperationResult::ProfileNotInRequiredState:
        // Enabling an enabled profile, or disabling a disabled one, leaves it where it was asked
        // to be: done, as the steps of a change are idempotent (DESIGN.md "Subscription change").
        if (operation != ProfileOperation::Delete)
            return {};
        return failWith(ErrorCode::ProfileEnabled, QStringLiteral("profile %1 is enabled on device %2; enable another "
                                                                  "profile (or disable this one) before deleting it")
                                                       .arg(iccid, eid));
    case ProfileOperationResult::DisallowedByPolicy:
        if (operation == ProfileOperation::Enable)
            return failWith(ErrorCode::EnableRejected,
                            QStringLiteral("device %1 refused to enable profile %2: the policy rules of its profiles do "
                                           "not allow it (disallowedByPolicy)")
                                .arg(eid, iccid));
        return fail(QStringLiteral("device %1 refused to %2 profile %3: the profile's policy rules do not allow it "
                                   "(disallowedByPolicy); its operator must change them first")
                        .arg(eid, op, iccid));
    case ProfileOperationResult::WrongProfileReenabling:
        if (operation == ProfileOperation::Enable)
            return failWith(ErrorCode::EnableRejected,
                            QStringLiteral("device %1 refused to enable profile %2 again while it falls back from it "
                                           "(wrongProfileReenabling)")
                                .arg(eid, iccid));
        break;
    case ProfileOperationResult::CatBusy:
        if (operation != ProfileOperation::Delete)
            return fail(QStringLiteral("device %1 could not %2 profile %3 while its card toolkit was busy (catBusy); try "
                                       "again in a moment")
                            .arg(eid, op, iccid));
        break;
    case ProfileOperationResult::UndefinedError:
        return fail(QStringLiteral("device %1 failed to %2 profile %3 and gave no reason (undefinedError); try again, "
                                   "and have the device checked if it keeps failing")
                        .arg(eid, op, iccid));
    }
    return fail(QStringLiteral("device %1 answered the request to %2 profile %3 with result %4, which SGP.22 does not define")
                    .arg(eid, op, iccid)
                    .arg(result));
}

QByteArray ProfileOperationResponse::encode() const
{
    // One untagged component: automatic tag [0].
    return der::tlv(operationTag(operation), der::integer(result, 0x80));
}

Result<ProfileOperationResponse> ProfileOperationResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the device's answer to a profile operation: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.next();
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one response"));
    const auto operation = operationOfTag(top->tag);
    if (!operation)
        return bad(QStringLiteral("not an EnableProfile, DisableProfile or DeleteProfile response"));
    der::Reader r(top->content);
    auto result = r.expect(0x80, "result");
    if (!result || !r.atEnd())
        return bad(result ? QStringLiteral("trailing data") : result.errorMessage());
    auto value = der::readStrictInteger(result->content, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!value)
        return bad(value.errorMessage());
    return ProfileOperationResponse { *operation, int(value.value()) };
}

} // namespace simfleet::protocol
