#include "notifications.h"
#include "der.h"
#include "dervalues.h"
#include "profilepackage.h"

#include <limits>

namespace simfleet::protocol {

namespace {

constexpr quint16 tagListNotification = 0xBF28;
constexpr quint16 tagRetrieveNotifications = 0xBF2B;
constexpr quint16 tagNotificationMetadata = 0xBF2F;
constexpr quint16 tagNotificationSent = 0xBF30;
constexpr quint16 tagInstallationResult = 0xBF37;
constexpr quint16 tagSignature = 0x5F37;
constexpr quint16 tagIccid = 0x5A;
constexpr int highestEvent = int(NotificationEvent::Delete);
constexpr qint64 largestInteger = std::numeric_limits<qint64>::max();
// A notification address is an FQDN (RFC 1035: at most 253 characters); a little room to spare.
constexpr qsizetype longestAddress = 255;

Result<NotificationEvents> readEvents(QByteArrayView content)
{
    return der::readNamedBits(content, highestEvent);
}

// The CHOICE of a list and an error code that ListNotification and RetrieveNotificationsList
// answer with, inside their outer tag: the list's content, or the error as a message.
Result<der::Element> listOrError(QByteArrayView bytes, quint16 tag, const char *type, const char *what)
{
    der::Reader outer(bytes);
    auto top = outer.expect(tag, type);
    if (!top || !outer.atEnd())
        return fail(QStringLiteral("not one %1").arg(QLatin1StringView(type)));
    der::Reader choice(top->content);
    auto chosen = choice.next();
    if (!chosen || !choice.atEnd())
        return fail(QStringLiteral("%1 holds neither a list nor an error").arg(QLatin1StringView(type)));
    if (chosen->tag == 0x81) {
        auto code = der::readStrictInteger(chosen->content, std::numeric_limits<qint64>::min(), largestInteger);
        return fail(QStringLiteral("the eUICC could not %1 (%2)")
                        .arg(QLatin1StringView(what),
                             code && code.value() == 127 ? QStringLiteral("undefinedError")
                                                         : QStringLiteral("error code %1").arg(code ? code.value() : -1)));
    }
    if (chosen->tag != 0xA0)
        return fail(QStringLiteral("%1 holds neither a list nor an error").arg(QLatin1StringView(type)));
    return chosen;
}

QByteArray listAnswer(quint16 tag, QByteArrayView items)
{
    return der::tlv(tag, der::tlv(0xA0, items));
}

QByteArray errorAnswer(quint16 tag, int code)
{
    return der::tlv(tag, der::integer(code, 0x81));
}

} // namespace

QString notificationEventName(NotificationEvent event)
{
    switch (event) {
    case NotificationEvent::Install: return QStringLiteral("install");
    case NotificationEvent::Enable: return QStringLiteral("enable");
    case NotificationEvent::Disable: return QStringLiteral("disable");
    case NotificationEvent::Delete: return QStringLiteral("delete");
    }
    return {};
}

QByteArray NotificationMetadata::encode() const
{
    // Tagged components, so the module's automatic tags leave notificationAddress a plain
    // UTF8String ('0C').
    QByteArray content = der::integer(sequenceNumber, 0x80) + der::namedBitsMask(eventBit(event), 0x81)
        + der::tlv(0x0C, notificationAddress.toUtf8());
    if (!iccid.isEmpty())
        content += der::tlv(tagIccid, iccidToEfIccid(iccid));
    return der::tlv(tagNotificationMetadata, content);
}

Result<NotificationMetadata> NotificationMetadata::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the notification metadata: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagNotificationMetadata, "NotificationMetadata");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one NotificationMetadata"));
    der::Reader r(top->content);
    auto seq = r.expect(0x80, "seqNumber");
    auto operation = seq ? r.expect(0x81, "profileManagementOperation") : seq;
    auto address = operation ? r.expect(0x0C, "notificationAddress") : operation;
    if (!address)
        return bad(address.errorMessage());
    NotificationMetadata out;
    auto number = der::readStrictInteger(seq->content, 0, largestInteger);
    if (!number)
        return bad(number.errorMessage());
    out.sequenceNumber = number.value();
    auto events = readEvents(operation->content);
    if (!events)
        return bad(events.errorMessage());
    // "Only one bit SHALL be set to 1".
    const NotificationEvents mask = events.value();
    if (mask == 0 || (mask & (mask - 1)))
        return bad(QStringLiteral("it names %1 operations where one is due").arg(mask == 0 ? 0 : 2));
    for (int e = 0; e <= highestEvent; ++e) {
        if (mask == eventBit(NotificationEvent(e)))
            out.event = NotificationEvent(e);
    }
    auto text = der::readUtf8(address->content, longestAddress);
    if (!text)
        return bad(text.errorMessage());
    out.notificationAddress = text.value();
    if (auto iccid = r.optional(tagIccid)) {
        auto read = der::readIccid(iccid->content);
        if (!read)
            return bad(read.errorMessage());
        out.iccid = read.value();
    }
    if (!r.atEnd())
        return bad(QStringLiteral("trailing data"));
    return out;
}

QByteArray encodeNotificationConfigurations(const QList<NotificationConfiguration> &list, quint16 tag)
{
    // NotificationConfigurationInformation has no tagged component: automatic tags [0] and [1].
    QByteArray items;
    for (const NotificationConfiguration &c : list)
        items += der::sequence(QByteArray(der::namedBitsMask(c.operations, 0x80) + der::tlv(0x81, c.address.toUtf8())));
    return der::tlv(tag, items);
}

Result<QList<NotificationConfiguration>> decodeNotificationConfigurations(QByteArrayView content)
{
    QList<NotificationConfiguration> out;
    der::Reader r(content);
    while (!r.atEnd()) {
        auto item = r.expect(0x30, "NotificationConfigurationInformation");
        if (!item)
            return item.error();
        der::Reader fields(item->content);
        auto operations = fields.expect(0x80, "profileManagementOperation");
        auto address = operations ? fields.expect(0x81, "notificationAddress") : operations;
        if (!address || !fields.atEnd())
            return fail(QStringLiteral("a notification configuration is malformed"));
        auto events = readEvents(operations->content);
        if (!events)
            return events.error();
        auto text = der::readUtf8(address->content, longestAddress);
        if (!text)
            return text.error();
        out.append({ events.value(), text.value() });
    }
    return out;
}

QByteArray ListNotificationRequest::encode() const
{
    return der::tlv(tagListNotification, operations ? der::namedBitsMask(*operations, 0x81) : QByteArray());
}

Result<ListNotificationRequest> ListNotificationRequest::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("ListNotification: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagListNotification, "ListNotificationRequest");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one ListNotificationRequest"));
    der::Reader r(top->content);
    ListNotificationRequest out;
    if (auto filter = r.optional(0x81)) {
        auto events = readEvents(filter->content);
        if (!events)
            return bad(events.errorMessage());
        out.operations = events.value();
    }
    if (!r.atEnd())
        return bad(QStringLiteral("trailing data"));
    return out;
}

QByteArray ListNotificationResponse::encode() const
{
    QByteArray items;
    for (const NotificationMetadata &m : notifications)
        items += m.encode();
    return listAnswer(tagListNotification, items);
}

QByteArray ListNotificationResponse::encodeError(int code)
{
    return errorAnswer(tagListNotification, code);
}

Result<ListNotificationResponse> ListNotificationResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the device's notification list: %1").arg(why)); };
    auto list = listOrError(bytes, tagListNotification, "ListNotificationResponse", "list its notifications");
    if (!list)
        return bad(list.errorMessage());
    ListNotificationResponse out;
    der::Reader r(list->content);
    while (!r.atEnd()) {
        auto item = r.expect(tagNotificationMetadata, "NotificationMetadata");
        if (!item)
            return bad(item.errorMessage());
        auto metadata = NotificationMetadata::decode(item->encoded);
        if (!metadata)
            return bad(metadata.errorMessage());
        out.notifications.append(metadata.value());
    }
    return out;
}

QByteArray RetrieveNotificationsListRequest::encode() const
{
    // searchCriteria is an untagged CHOICE in an untagged SEQUENCE: automatic tag [0], explicit.
    QByteArray criteria;
    if (sequenceNumber)
        criteria = der::tlv(0xA0, der::integer(*sequenceNumber, 0x80));
    else if (operations)
        criteria = der::tlv(0xA0, der::namedBitsMask(*operations, 0x81));
    return der::tlv(tagRetrieveNotifications, criteria);
}

Result<RetrieveNotificationsListRequest> RetrieveNotificationsListRequest::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("RetrieveNotificationsList: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagRetrieveNotifications, "RetrieveNotificationsListRequest");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one RetrieveNotificationsListRequest"));
    der::Reader r(top->content);
    RetrieveNotificationsListRequest out;
    if (auto criteria = r.optional(0xA0)) {
        der::Reader c(criteria->content);
        auto chosen = c.next();
        if (!chosen || !c.atEnd())
            return bad(QStringLiteral("the search criteria are malformed"));
        if (chosen->tag == 0x80) {
            auto number = der::readStrictInteger(chosen->content, 0, largestInteger);
            if (!number)
                return bad(number.errorMessage());
            out.sequenceNumber = number.value();
        } else if (chosen->tag == 0x81) {
            auto events = readEvents(chosen->content);
            if (!events)
                return bad(events.errorMessage());
            out.operations = events.value();
        } else {
            return bad(QStringLiteral("the search criteria name neither a sequence number nor an operation"));
        }
    }
    if (!r.atEnd())
        return bad(QStringLiteral("trailing data"));
    return out;
}

QByteArray OtherSignedNotification::encode() const
{
    return der::sequence(QByteArray(signedData() + der::tlv(tagSignature, signature) + euiccCertificate + eumCertificate));
}

Result<OtherSignedNotification> OtherSignedNotification::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("a signed notification: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(0x30, "OtherSignedNotification");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one OtherSignedNotification"));
    der::Reader r(top->content);
    auto tbs = r.expect(tagNotificationMetadata, "tbsOtherNotification");
    auto signature = tbs ? r.expect(tagSignature, "euiccNotificationSignature") : tbs;
    auto euicc = signature ? r.expect(0x30, "euiccCertificate") : signature;
    auto eum = euicc ? r.expect(0x30, "eumCertificate") : euicc;
    if (!eum || !r.atEnd())
        return bad(eum ? QStringLiteral("trailing data") : eum.errorMessage());
    auto metadata = NotificationMetadata::decode(tbs->encoded);
    if (!metadata)
        return bad(metadata.errorMessage());
    if (metadata->event == NotificationEvent::Install)
        return bad(QStringLiteral("an installation travels as its ProfileInstallationResult, not as another notification"));
    OtherSignedNotification out;
    out.metadata = metadata.value();
    out.signature = signature->content.toByteArray();
    out.euiccCertificate = euicc->encoded.toByteArray();
    out.eumCertificate = eum->encoded.toByteArray();
    // The signature covers the bytes as sent; they must be what this encoder writes (DER).
    if (out.signedData() != tbs->encoded)
        return bad(QStringLiteral("tbsOtherNotification is not in DER"));
    return out;
}

NotificationMetadata PendingNotification::metadata() const
{
    if (const auto *result = std::get_if<ProfileInstallationResult>(&content))
        return { result->sequenceNumber, NotificationEvent::Install, result->notificationAddress, result->iccid };
    return std::get<OtherSignedNotification>(content).metadata;
}

QByteArray PendingNotification::encode() const
{
    if (const auto *result = std::get_if<ProfileInstallationResult>(&content))
        return result->encode();
    return std::get<OtherSignedNotification>(content).encode();
}

Result<PendingNotification> PendingNotification::decode(QByteArrayView bytes)
{
    // The CHOICE has a tagged alternative, so no automatic tags: 'BF37' or the SEQUENCE's '30'.
    der::Reader peek(bytes);
    auto first = peek.next();
    if (!first)
        return fail(QStringLiteral("a pending notification: %1").arg(first.errorMessage()));
    if (first->tag == tagInstallationResult) {
        auto result = ProfileInstallationResult::decode(bytes);
        if (!result)
            return result.error();
        return PendingNotification { result.value() };
    }
    auto other = OtherSignedNotification::decode(bytes);
    if (!other)
        return other.error();
    return PendingNotification { other.value() };
}

QByteArray RetrieveNotificationsListResponse::encode() const
{
    QByteArray items;
    for (const PendingNotification &n : notifications)
        items += n.encode();
    return listAnswer(tagRetrieveNotifications, items);
}

QByteArray RetrieveNotificationsListResponse::encodeError(int code)
{
    return errorAnswer(tagRetrieveNotifications, code);
}

Result<RetrieveNotificationsListResponse> RetrieveNotificationsListResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the device's pending notifications: %1").arg(why)); };
    auto list = listOrError(bytes, tagRetrieveNotifications, "RetrieveNotificationsListResponse", "retrieve its notifications");
    if (!list)
        return bad(list.errorMessage());
    RetrieveNotificationsListResponse out;
    der::Reader r(list->content);
    while (!r.atEnd()) {
        auto item = r.next();
        if (!item)
            return bad(item.errorMessage());
        auto pending = PendingNotification::decode(item->encoded);
        if (!pending)
            return bad(pending.errorMessage());
        out.notifications.append(pending.value());
    }
    return out;
}

QByteArray NotificationSentRequest::encode() const
{
    return der::tlv(tagNotificationSent, der::integer(sequenceNumber, 0x80));
}

Result<NotificationSentRequest> NotificationSentRequest::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("RemoveNotificationFromList: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagNotificationSent, "NotificationSentRequest");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one NotificationSentRequest"));
    der::Reader r(top->content);
    auto seq = r.expect(0x80, "seqNumber");
    if (!seq || !r.atEnd())
        return bad(seq ? QStringLiteral("trailing data") : seq.errorMessage());
    auto number = der::readStrictInteger(seq->content, 0, largestInteger);
    if (!number)
        return bad(number.errorMessage());
    return NotificationSentRequest { number.value() };
}

QByteArray NotificationSentResponse::encode() const
{
    // One untagged component: automatic tag [0].
    return der::tlv(tagNotificationSent, der::integer(status, 0x80));
}

Result<NotificationSentResponse> NotificationSentResponse::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the device's answer to RemoveNotificationFromList: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagNotificationSent, "NotificationSentResponse");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one NotificationSentResponse"));
    der::Reader r(top->content);
    auto status = r.expect(0x80, "deleteNotificationStatus");
    if (!status || !r.atEnd())
        return bad(status ? QStringLiteral("trailing data") : status.errorMessage());
    auto value = der::readStrictInteger(status->content, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!value)
        return bad(value.errorMessage());
    return NotificationSentResponse { int(value.value()) };
}

} // namespace simfleet::protocol
