#pragma once

#include "core/result.h"
#include "profileinstallationresult.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

namespace simfleet::protocol {

// NotificationEvent (SGP.22 section 5.7.9): the profile operation a notification reports, by its
// bit in the module's named bit list.
enum class NotificationEvent { Install = 0, Enable = 1, Disable = 2, Delete = 3 };
// Several of them as a mask, bit (1 << event) each: a list's filter, or the operations one
// notification address serves.
using NotificationEvents = quint32;
constexpr NotificationEvents eventBit(NotificationEvent event)
{
    return NotificationEvents(1) << int(event);
}
QString notificationEventName(NotificationEvent event); // "install", "enable", ...

// NotificationMetadata ('BF2F'): which notification, which operation on which profile, and the
// address (the profile server's FQDN) it is for.
struct NotificationMetadata
{
    qint64 sequenceNumber = 0;
    NotificationEvent event = NotificationEvent::Install;
    QString notificationAddress;
    QString iccid; // empty: none

    QByteArray encode() const;
    static Result<NotificationMetadata> decode(QByteArrayView der);
};

// NotificationConfigurationInformation: where the notifications of some operations go, as a
// profile's metadata names it (StoreMetadata and ProfileInfo, tag 'B6', a SEQUENCE OF these).
struct NotificationConfiguration
{
    NotificationEvents operations = 0;
    QString address;

    bool operator==(const NotificationConfiguration &) const = default;
};
QByteArray encodeNotificationConfigurations(const QList<NotificationConfiguration> &list, quint16 tag);
// The content octets of the SEQUENCE OF.
Result<QList<NotificationConfiguration>> decodeNotificationConfigurations(QByteArrayView content);

// ES10b.ListNotification (SGP.22 section 5.7.10), request 'BF28': the metadata of the pending
// notifications, all of them or those of some operations.
struct ListNotificationRequest
{
    std::optional<NotificationEvents> operations;

    QByteArray encode() const;
    static Result<ListNotificationRequest> decode(QByteArrayView der);
};

// Its answer ('BF28'): notificationMetadataList, or listNotificationsResultError, which decode
// refuses with its code in the message.
struct ListNotificationResponse
{
    QList<NotificationMetadata> notifications;

    QByteArray encode() const;
    static QByteArray encodeError(int code); // undefinedError(127)
    static Result<ListNotificationResponse> decode(QByteArrayView der);
};

// ES10b.RetrieveNotificationsList (SGP.22 section 5.7.11), request 'BF2B': the pending
// notifications themselves, all, one by its sequence number, or those of some operations.
struct RetrieveNotificationsListRequest
{
    std::optional<qint64> sequenceNumber;
    std::optional<NotificationEvents> operations; // never with sequenceNumber: one criterion at most

    QByteArray encode() const;
    static Result<RetrieveNotificationsListRequest> decode(QByteArrayView der);
};

// OtherSignedNotification: an enable, disable or delete notification, signed by the eUICC over
// tbsOtherNotification (the metadata as encoded), with its certificate and its manufacturer's,
// so whoever receives it can check it without knowing the device (SGP.22 section 3.5).
struct OtherSignedNotification
{
    NotificationMetadata metadata; // tbsOtherNotification
    QByteArray signature;          // euiccNotificationSignature, ECDSA r || s
    QByteArray euiccCertificate;   // CERT.EUICC, DER
    QByteArray eumCertificate;     // CERT.EUM, DER

    // tbsOtherNotification as a TLV: the bytes the signature covers.
    QByteArray signedData() const { return metadata.encode(); }
    QByteArray encode() const;
    static Result<OtherSignedNotification> decode(QByteArrayView der);
};

// PendingNotification: an installation result ('BF37'), or another signed notification ('30').
struct PendingNotification
{
    std::variant<ProfileInstallationResult, OtherSignedNotification> content;

    bool isInstallationResult() const { return content.index() == 0; }
    // The metadata either carries (an installation result's event is install).
    NotificationMetadata metadata() const;
    QByteArray encode() const;
    static Result<PendingNotification> decode(QByteArrayView der);
};

// Its answer ('BF2B'): notificationList, or notificationsListResultError, which decode refuses.
struct RetrieveNotificationsListResponse
{
    QList<PendingNotification> notifications;

    QByteArray encode() const;
    static QByteArray encodeError(int code);
    static Result<RetrieveNotificationsListResponse> decode(QByteArrayView der);
};

// ES10b.RemoveNotificationFromList (SGP.22 section 5.7.12), NotificationSentRequest 'BF30': the
// notification, delivered, may go.
struct NotificationSentRequest
{
    qint64 sequenceNumber = 0;

    QByteArray encode() const;
    static Result<NotificationSentRequest> decode(QByteArrayView der);
};

// Its answer ('BF30'): deleteNotificationStatus.
struct NotificationSentResponse
{
    enum Status { Ok = 0, NothingToDelete = 1, UndefinedError = 127 };
    int status = Ok;

    QByteArray encode() const;
    static Result<NotificationSentResponse> decode(QByteArrayView der);
};

} // namespace simfleet::protocol
