#include "der.h"
#include "dervalues.h"
#include "esipacontent.h"

#include <limits>

// The ESipa messages that carry eIM packages (SGP.32 sections 6.3.2.4, 6.3.2.6 and 6.3.2.7), as
// the content of their envelope alternative. GetEimPackageResponse and ProvideEimPackageResult
// are CHOICEs with tagged alternatives, so their untagged eimPackageError is the universal
// INTEGER ('02') and ePRAndNotifications the universal SEQUENCE ('30'); simfleet's own package
// and result ('FF21') are their extension alternative (esipa.h). ipaEuiccDataRequest and
// ipaEuiccDataResponse share 'BF52': implicit on the request's SEQUENCE, explicit around the
// response's CHOICE (ipaeuiccdata.h).
namespace simfleet::protocol::esipa::content {

namespace {

constexpr quint16 tagEid = 0x5A;
constexpr quint16 tagPackage = 0xBF51;         // EuiccPackageRequest, and [81] EuiccPackageResult
constexpr quint16 tagIpaEuiccData = 0xBF52;
constexpr quint16 tagAcknowledgements = 0xBF53;
constexpr quint16 tagDownloadTrigger = 0xBF54;
constexpr quint16 tagNotificationList = 0xBF2B;
constexpr quint16 tagSimfleetPackage = 0xFF21;
constexpr quint16 tagInstallationResult = 0xBF37;
constexpr qsizetype plmnSize = 3;

// A pending notification as SGP32-PendingNotification carries it: profileInstallationResult
// ('BF37') or otherSignedNotification ('30'). The compact forms ('A0', 'A1', section 5.14.7)
// are for IPAs that minimise ESipa's bytes, which simfleet's eIM does not ask for.
Result<QByteArray> readNotification(const der::Element &e)
{
    if (e.tag == tagInstallationResult || e.tag == 0x30)
        return e.encoded.toByteArray();
    if (e.tag == 0xA0 || e.tag == 0xA1)
        return fail(QStringLiteral("a compact notification, which simfleet's eIM does not ask for"));
    return fail(QStringLiteral("a notification of tag %1, neither a profile installation result nor another signed notification")
                    .arg(tagName(e.tag)));
}

// notificationList [43]: SGP32-RetrieveNotificationsListResponse, an untagged CHOICE whose
// alternatives have automatic tags, so its notificationList is [0].
Result<QList<QByteArray>> readNotificationList(const der::Element &list)
{
    der::Reader choice(list.content);
    auto chosen = choice.next();
    if (!chosen)
        return chosen.error();
    if (!choice.atEnd())
        return fail(QStringLiteral("the notification list holds more than one alternative"));
    if (chosen->tag == 0x81)
        return fail(QStringLiteral("the eUICC could not list its notifications (notificationsListResultError)"));
    if (chosen->tag != 0xA0)
        return fail(QStringLiteral("the notification list's alternative of tag %1 is not a notificationList").arg(tagName(chosen->tag)));
    QList<QByteArray> out;
    der::Reader items(chosen->content);
    while (!items.atEnd()) {
        auto item = items.next();
        auto notification = item ? readNotification(item.value()) : Result<QByteArray>(item.error());
        if (!notification)
            return notification.error();
        out.append(notification.value());
    }
    return out;
}

} // namespace

QByteArray encode(const GetEimPackageRequest &m)
{
    QByteArray out = der::tlv(tagEid, der::eidToBcd(m.eid));
    if (m.notifyStateChange)
        out += der::tlv(0x80, {});
    if (!m.rplmn.isEmpty())
        out += der::tlv(0x81, m.rplmn);
    return out;
}

Result<GetEimPackageRequest> decodeGetEimPackageRequest(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto eidValue = r.expect(tagEid, "eidValue");
    auto eid = eidValue ? der::readEid(eidValue->content) : Result<QString>(eidValue.error());
    if (!eid)
        return eid.error();
    GetEimPackageRequest out { eid.value(), false, {} };
    if (auto notify = r.optional(0x80)) {
        if (!notify->content.isEmpty())
            return fail(QStringLiteral("notifyStateChange is not a NULL"));
        out.notifyStateChange = true;
    }
    if (auto plmn = r.optional(0x81)) {
        if (plmn->content.size() != plmnSize)
            return fail(QStringLiteral("rPLMN is %1 bytes, not 3").arg(plmn->content.size()));
        out.rplmn = plmn->content.toByteArray();
    }
    if (!r.atEnd())
        return fail(QStringLiteral("data after its fields"));
    return out;
}

QByteArray encode(const GetEimPackageResponse &m)
{
    if (const auto *request = std::get_if<EuiccPackageRequest>(&m.content))
        return request->encode();
    if (const auto *trigger = std::get_if<ProfileDownloadTriggerRequest>(&m.content))
        return trigger->encode();
    if (const auto *own = std::get_if<SimfleetEimPackage>(&m.content))
        return own->encode();
    if (const auto *data = std::get_if<IpaEuiccDataRequest>(&m.content))
        return data->encode();
    return der::integer(std::get<int>(m.content));
}

Result<GetEimPackageResponse> decodeGetEimPackageResponse(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto chosen = r.next();
    if (!chosen)
        return chosen.error();
    if (!r.atEnd())
        return fail(QStringLiteral("more than one package"));
    switch (chosen->tag) {
    case tagPackage: {
        auto request = EuiccPackageRequest::decode(chosen->encoded);
        if (!request)
            return request.error();
        return GetEimPackageResponse { request.value() };
    }
    case tagDownloadTrigger: {
        auto trigger = ProfileDownloadTriggerRequest::decode(chosen->encoded);
        if (!trigger)
            return trigger.error();
        return GetEimPackageResponse { trigger.value() };
    }
    case tagSimfleetPackage: {
        auto own = SimfleetEimPackage::decode(chosen->encoded);
        if (!own)
            return own.error();
        return GetEimPackageResponse { own.value() };
    }
    case 0x02: {
        auto code = readCode(chosen->content);
        if (!code)
            return fail(QStringLiteral("eimPackageError: %1").arg(code.errorMessage()));
        return GetEimPackageResponse { code.value() };
    }
    case tagIpaEuiccData: { // [82] implicit on IpaEuiccDataRequest's own [82]
        auto data = IpaEuiccDataRequest::decode(chosen->encoded);
        if (!data)
            return data.error();
        return GetEimPackageResponse { data.value() };
    }
    default:
        return fail(QStringLiteral("a package of tag %1, none of GetEimPackageResponse's alternatives").arg(tagName(chosen->tag)));
    }
}

QByteArray encode(const ProvideEimPackageResult &m)
{
    if (const auto *result = std::get_if<EuiccPackageResult>(&m.content)) {
        if (m.notifications.isEmpty())
            return result->encode();
        QByteArray list;
        for (const QByteArray &n : m.notifications)
            list += n;
        return der::sequence(QByteArray(result->encode() + der::tlv(tagNotificationList, der::tlv(0xA0, list))));
    }
    if (const auto *trigger = std::get_if<ProfileDownloadTriggerResult>(&m.content))
        return trigger->encode();
    if (const auto *own = std::get_if<SimfleetEimPackageResult>(&m.content))
        return own->encode();
    if (const auto *data = std::get_if<IpaEuiccDataResponse>(&m.content))
        return der::tlv(tagIpaEuiccData, data->encode());
    return der::integer(std::get<int>(m.content));
}

Result<ProvideEimPackageResult> decodeProvideEimPackageResult(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto chosen = r.next();
    if (!chosen)
        return chosen.error();
    if (!r.atEnd())
        return fail(QStringLiteral("more than one result"));
    ProvideEimPackageResult out;
    switch (chosen->tag) {
    case tagPackage: {
        auto result = EuiccPackageResult::decode(chosen->encoded);
        if (!result)
            return result.error();
        out.content = result.value();
        return out;
    }
    case 0x30: { // ePRAndNotifications
        der::Reader parts(chosen->content);
        auto package = parts.expect(tagPackage, "ePRAndNotifications' euiccPackageResult");
        auto result = package ? EuiccPackageResult::decode(package->encoded) : Result<EuiccPackageResult>(package.error());
        if (!result)
            return result.error();
        auto list = parts.expect(tagNotificationList, "ePRAndNotifications' notificationList");
        auto notifications = list ? readNotificationList(list.value()) : Result<QList<QByteArray>>(list.error());
        if (!notifications)
            return notifications.error();
        if (!parts.atEnd())
            return fail(QStringLiteral("ePRAndNotifications holds data after its notification list"));
        out.content = result.value();
        out.notifications = notifications.value();
        return out;
    }
    case tagDownloadTrigger: {
        auto trigger = ProfileDownloadTriggerResult::decode(chosen->encoded);
        if (!trigger)
            return trigger.error();
        out.content = trigger.value();
        return out;
    }
    case tagSimfleetPackage: {
        auto own = SimfleetEimPackageResult::decode(chosen->encoded);
        if (!own)
            return own.error();
        out.content = own.value();
        return out;
    }
    case 0x02: {
        auto code = readCode(chosen->content);
        if (!code)
            return fail(QStringLiteral("eimPackageError: %1").arg(code.errorMessage()));
        out.content = code.value();
        return out;
    }
    case tagIpaEuiccData: { // [82] explicit around the untagged CHOICE
        auto data = IpaEuiccDataResponse::decode(chosen->content);
        if (!data)
            return data.error();
        out.content = data.value();
        return out;
    }
    default:
        return fail(QStringLiteral("a result of tag %1, none of ProvideEimPackageResult's alternatives").arg(tagName(chosen->tag)));
    }
}

QByteArray encode(const ProvideEimPackageResultResponse &m)
{
    // eimAcknowledgements [83] replaces EimAcknowledgements' own [83]; each SequenceNumber is [0].
    if (m.acknowledgements.isEmpty())
        return {};
    QByteArray list;
    for (qint64 n : m.acknowledgements)
        list += der::integer(n, 0x80);
    return der::tlv(tagAcknowledgements, list);
}

Result<ProvideEimPackageResultResponse> decodeProvideEimPackageResultResponse(QByteArrayView bytes)
{
    der::Reader r(bytes);
    ProvideEimPackageResultResponse out;
    if (auto acks = r.optional(tagAcknowledgements)) {
        der::Reader items(acks->content);
        while (!items.atEnd()) {
            auto item = items.expect(0x80, "a SequenceNumber");
            if (!item)
                return item.error();
            auto n = der::readStrictInteger(item->content, std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max());
            if (!n)
                return fail(QStringLiteral("a SequenceNumber: %1").arg(n.errorMessage()));
            out.acknowledgements.append(n.value());
        }
    }
    if (!r.atEnd())
        return fail(QStringLiteral("data after eimAcknowledgements"));
    return out;
}

QByteArray encode(const HandleNotification &m)
{
    // HandleNotificationEsipa's two alternatives are untagged CHOICEs, automatically tagged [0]
    // and [1]: explicit tags around the notification and around the result's alternative.
    if (const auto *notification = std::get_if<QByteArray>(&m.content))
        return der::tlv(0xA0, *notification);
    return der::tlv(0xA1, encode(std::get<ProvideEimPackageResult>(m.content)));
}

Result<HandleNotification> decodeHandleNotification(QByteArrayView bytes)
{
    der::Reader r(bytes);
    auto chosen = r.next();
    if (!chosen)
        return chosen.error();
    if (!r.atEnd())
        return fail(QStringLiteral("more than one alternative"));
    if (chosen->tag == 0xA1) {
        auto result = decodeProvideEimPackageResult(chosen->content);
        if (!result)
            return fail(QStringLiteral("provideEimPackageResult: %1").arg(result.errorMessage()));
        return HandleNotification { result.value() };
    }
    if (chosen->tag != 0xA0)
        return fail(QStringLiteral("an alternative of tag %1, neither pendingNotification nor provideEimPackageResult")
                        .arg(tagName(chosen->tag)));
    der::Reader inner(chosen->content);
    auto item = inner.next();
    if (!item)
        return item.error();
    if (!inner.atEnd())
        return fail(QStringLiteral("pendingNotification holds more than one notification"));
    auto notification = readNotification(item.value());
    if (!notification)
        return notification.error();
    return HandleNotification { notification.value() };
}

} // namespace simfleet::protocol::esipa::content
