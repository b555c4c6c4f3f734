#pragma once

#include "core/result.h"
#include "crypto/certificate.h"
#include "protocol/notifications.h"

#include <QDateTime>
#include <QList>
#include <QStringList>

#include <chrono>

namespace simfleet::crypto {
class ChainVerifier;
}

namespace simfleet::devices {

class DeviceLink;

// What one collection found: the notifications checked and removed from the device, and those
// refused (left on the device), each with why.
struct CollectedNotifications
{
    QList<protocol::NotificationMetadata> delivered;
    QStringList refused;
};

// The notifications one device keeps after each profile operation (SGP.22 section 3.5),
// collected as an LPA or IPA collects them: one RetrieveNotificationsList for all that are
// pending, each one's signature checked against the device's certificate (as the profile server
// checks it on ES9+.HandleNotification, section 5.6.4), then RemoveNotificationFromList for each
// one that verified. A certificate is checked once: the chain to a certificate issuer of
// deviceTrust, the EID in its manufacturer's range and the device's own EID; the download's
// AuthenticateClient hands over the one it checked (trust), so a notification after a download
// costs one verification.
class NotificationCollector
{
public:
    NotificationCollector(DeviceLink &link, const crypto::ChainVerifier &deviceTrust, std::chrono::milliseconds timeout);

    // The device's certificate as the download's authentication verified it.
    void trust(const crypto::Certificate &euiccCertificate);
    // Fails only when the device did not answer the retrieve or answered nonsense; a
    // notification that does not verify is refused and left where it is.
    Result<CollectedNotifications> collect(const QDateTime &now);

private:
    // The key the notification must be signed with: the trusted certificate's, or the one it
    // carries once its chain checked out.
    Result<crypto::EcPublicKey> signerOf(const protocol::OtherSignedNotification &notification, const QDateTime &now);
    void remove(qint64 sequenceNumber);

    DeviceLink &m_link;
    const crypto::ChainVerifier &m_deviceTrust;
    std::chrono::milliseconds m_timeout;
    crypto::Certificate m_certificate; // null until trusted
    QByteArray m_certificateDer;
};

} // namespace simfleet::devices
