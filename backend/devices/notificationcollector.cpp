#include "notificationcollector.h"
#include "devicelink.h"
#include "deviceslog.h"

#include "crypto/chainverifier.h"
#include "crypto/ecdsa.h"

namespace simfleet::devices {

NotificationCollector::NotificationCollector(DeviceLink &link, const crypto::ChainVerifier &deviceTrust,
                                             std::chrono::milliseconds timeout)
    : m_link(link), m_deviceTrust(deviceTrust), m_timeout(timeout)
{
}

void NotificationCollector::trust(const crypto::Certificate &euiccCertificate)
{
    if (euiccCertificate.isNull())
        return;
    m_certificate = euiccCertificate;
    m_certificateDer = euiccCertificate.toDer();
}

Result<crypto::EcPublicKey> NotificationCollector::signerOf(const protocol::OtherSignedNotification &notification,
                                                            const QDateTime &now)
{
    if (!m_certificate.isNull() && notification.euiccCertificate == m_certificateDer)
        return m_certificate.publicKey();
    const QString eid = m_link.eid();
    auto leaf = crypto::Certificate::fromDer(notification.euiccCertificate);
    auto manufacturer = crypto::Certificate::fromDer(notification.eumCertificate);
    if (!leaf || !manufacturer)
        return fail(QStringLiteral("its certificates do not parse"));
    if (auto chain = m_deviceTrust.verifyAt(leaf.value(), { manufacturer.value() }, now); !chain)
        return fail(QStringLiteral("its certificate does not chain to a trusted certificate issuer: %1").arg(chain.errorMessage()));
    if (auto range = crypto::checkEidInManufacturerRange(leaf.value(), manufacturer.value()); !range)
        return range.error();
    if (leaf->subject().serialNumber != eid)
        return fail(QStringLiteral("it is signed by device %1, not %2").arg(leaf->subject().serialNumber, eid));
    trust(leaf.value());
    return m_certificate.publicKey();
}

void NotificationCollector::remove(qint64 sequenceNumber)
{
    // ES10b.RemoveNotificationFromList (SGP.22 section 5.7.12): delivered, so off the list. A
    // device that does not answer keeps it, and the next collection delivers it again.
    const QString eid = m_link.eid();
    auto answer = m_link.removeNotification(protocol::NotificationSentRequest { sequenceNumber }.encode()).wait(m_timeout, eid);
    auto status = answer ? protocol::NotificationSentResponse::decode(answer.value())
                         : Result<protocol::NotificationSentResponse>(answer.error());
    if (!status)
        qCInfo(lcDevices) << "device" << eid << "did not remove notification" << sequenceNumber << ":" << status.errorMessage();
    else if (status->status != protocol::NotificationSentResponse::Ok)
        qCInfo(lcDevices) << "device" << eid << "had no notification" << sequenceNumber << "to remove (status" << status->status << ")";
}

Result<CollectedNotifications> NotificationCollector::collect(const QDateTime &now)
{
    const QString eid = m_link.eid();
    auto answer = m_link.retrieveNotifications(protocol::RetrieveNotificationsListRequest {}.encode()).wait(m_timeout, eid);
    if (!answer)
        return answer.error();
    auto list = protocol::RetrieveNotificationsListResponse::decode(answer.value());
    if (!list)
        return fail(QStringLiteral("device %1: %2").arg(eid, list.errorMessage()));
    CollectedNotifications out;
    for (const protocol::PendingNotification &pending : std::as_const(list->notifications)) {
        const protocol::NotificationMetadata metadata = pending.metadata();
        const QString what = QStringLiteral("notification %1 (%2 of %3)")
                                 .arg(metadata.sequenceNumber)
                                 .arg(protocol::notificationEventName(metadata.event), metadata.iccid);
        Result<void> verified = fail({});
        if (const auto *result = std::get_if<protocol::ProfileInstallationResult>(&pending.content)) {
            // An installation result carries no certificate: it verifies against the one the
            // download authenticated, or not at all.
            verified = m_certificate.isNull()
                ? Result<void>(fail(QStringLiteral("an installation result, and no certificate of the device is known to check it")))
                : crypto::ecdsaVerify(m_certificate.publicKey(), result->receivedData, result->signature, crypto::SignatureFormat::Raw);
        } else {
            const auto &other = std::get<protocol::OtherSignedNotification>(pending.content);
            auto key = signerOf(other, now);
            verified = key ? crypto::ecdsaVerify(key.value(), other.signedData(), other.signature, crypto::SignatureFormat::Raw)
                           : Result<void>(key.error());
        }
        if (!verified) {
            out.refused.append(QStringLiteral("%1 does not verify: %2; left on the device")
                                   .arg(what, verified.errorMessage().isEmpty() ? QStringLiteral("bad signature") : verified.errorMessage()));
            continue;
        }
        qCDebug(lcDevices) << "device" << eid << "delivered" << what << "for" << metadata.notificationAddress;
        out.delivered.append(metadata);
        remove(metadata.sequenceNumber);
    }
    return out;
}

} // namespace simfleet::devices
