#include "profileinstallationresult.h"
#include "der.h"
#include "notifications.h"

namespace simfleet::protocol {

namespace {
constexpr quint16 tagResult = 0xBF37;
constexpr quint16 tagResultData = 0xBF27;
constexpr quint16 tagNotificationMetadata = 0xBF2F;
constexpr quint16 tagSignature = 0x5F37;
} // namespace

QByteArray ProfileInstallationResult::resultData() const
{
    const QByteArray metadata = NotificationMetadata { sequenceNumber, NotificationEvent::Install, notificationAddress, iccid }.encode();
    // finalResult [2] is a CHOICE, so its tag is explicit; its alternatives take the automatic
    // tags [0] and [1]. ErrorResult's own fields are automatically tagged too.
    const QByteArray outcome = success
        ? der::tlv(0xA0, QByteArray(der::tlv(0x4F, isdpAid) + der::tlv(0x04, QByteArray::fromHex("9000"))))
        : der::tlv(0xA1, QByteArray(der::integer(qint64(failedCommand), 0x80) + der::integer(qint64(reason), 0x81)));
    return der::tlv(tagResultData, QByteArray(der::tlv(0x80, transactionId) + metadata
                                              + der::tlv(0x06, serverOid) + der::tlv(0xA2, outcome)));
}

QByteArray ProfileInstallationResult::encode() const
{
    return der::tlv(tagResult, QByteArray(resultData() + der::tlv(tagSignature, signature)));
}

Result<ProfileInstallationResult> ProfileInstallationResult::decode(QByteArrayView bytes)
{
    const auto bad = [](const QString &why) { return fail(QStringLiteral("the installation result: %1").arg(why)); };
    der::Reader outer(bytes);
    auto top = outer.expect(tagResult, "ProfileInstallationResult");
    if (!top || !outer.atEnd())
        return bad(QStringLiteral("not one ProfileInstallationResult"));
    der::Reader r(top->content);
    auto data = r.expect(tagResultData, "profileInstallationResultData");
    auto signature = data ? r.expect(tagSignature, "euiccSignPIR") : data;
    if (!signature || !r.atEnd())
        return bad(signature ? QStringLiteral("trailing data") : signature.errorMessage());
    der::Reader d(data->content);
    auto tid = d.expect(0x80, "transactionId");
    auto metadata = tid ? d.expect(tagNotificationMetadata, "notificationMetadata") : tid;
    auto oid = metadata ? d.expect(0x06, "smdpOid") : metadata;
    auto final = oid ? d.expect(0xA2, "finalResult") : oid;
    if (!final || !d.atEnd())
        return bad(final ? QStringLiteral("trailing data in the result") : final.errorMessage());
    ProfileInstallationResult out;
    out.transactionId = tid->content.toByteArray();
    out.serverOid = oid->content.toByteArray();
    out.signature = signature->content.toByteArray();
    auto notification = NotificationMetadata::decode(metadata->encoded);
    if (!notification)
        return bad(notification.errorMessage());
    if (notification->event != NotificationEvent::Install)
        return bad(QStringLiteral("its notification reports %1, not an installation").arg(notificationEventName(notification->event)));
    out.sequenceNumber = notification->sequenceNumber;
    out.notificationAddress = notification->notificationAddress;
    out.iccid = notification->iccid;
    der::Reader f(final->content);
    auto choice = f.next();
    if (!choice || !f.atEnd())
        return bad(QStringLiteral("the final result is neither a success nor an error"));
    der::Reader c(choice->content);
    if (choice->tag == 0xA0) {
        auto aid = c.expect(0x4F, "aid");
        auto sima = aid ? c.expect(0x04, "simaResponse") : aid;
        if (!sima || !c.atEnd() || aid->content.size() < 5 || aid->content.size() > 16)
            return bad(QStringLiteral("the success result is malformed"));
        out.isdpAid = aid->content.toByteArray();
    } else if (choice->tag == 0xA1) {
        auto command = c.expect(0x80, "bppCommandId");
        auto reason = command ? c.expect(0x81, "errorReason") : command;
        if (!reason)
            return bad(reason.errorMessage());
        c.optional(0x82);
        auto commandValue = der::readInteger(command->content);
        auto reasonValue = der::readInteger(reason->content);
        if (!commandValue || !reasonValue || !c.atEnd())
            return bad(QStringLiteral("the error result is malformed"));
        out.success = false;
        out.failedCommand = BppCommand(commandValue.value());
        out.reason = ErrorReason(reasonValue.value());
    } else {
        return bad(QStringLiteral("the final result is neither a success nor an error"));
    }
    out.receivedData = data->encoded.toByteArray();
    return out;
}

} // namespace simfleet::protocol
