#include "simulateddevice.h"
#include "protocol/attestationmessage.h"
#include "protocol/authenticateserver.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/der.h"
#include "protocol/eimpackage.h"
#include "protocol/euiccinfo.h"
#include "protocol/notifications.h"
#include "protocol/profileinstallationresult.h"
#include "simulationlog.h"
#include "euiccsession.h"
#include "flashlog.h"

#include "crypto/aes.h"
#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/constanttime.h"
#include "crypto/ecdsa.h"
#include "crypto/eckey.h"
#include "crypto/milenage.h"
#include "crypto/sha256.h"

#include <algorithm>

namespace simfleet::simulation {

namespace {

const QString enabledState = QStringLiteral("enabled");
const QString disabledState = QStringLiteral("disabled");

using protocol::NotificationEvent;
using protocol::ProfileOperation;
using protocol::ProfileOperationResult;

// What a pending notification keeps: an installation result ('BF37'), or another notification.
bool isInstallationResult(QByteArrayView data)
{
    return data.size() >= 2 && quint8(data[0]) == 0xBF && quint8(data[1]) == 0x37;
}

NotificationEvent eventOf(ProfileOperation operation)
{
    switch (operation) {
    case ProfileOperation::Enable: return NotificationEvent::Enable;
    case ProfileOperation::Disable: return NotificationEvent::Disable;
    case ProfileOperation::Delete: return NotificationEvent::Delete;
    }
    return NotificationEvent::Enable;
}

// A request the device cannot read is refused without an answer (a malformed command).
Error malformed(const QString &eid, const QString &why)
{
    return fail(QStringLiteral("device %1 refused a malformed request: %2").arg(eid, why));
}

} // namespace

std::optional<SimulatedDevice::Memory::Notification> SimulatedDevice::Memory::Notification::fromData(QByteArray data)
{
    if (isInstallationResult(data)) {
        auto result = protocol::ProfileInstallationResult::decode(data);
        if (!result)
            return std::nullopt;
        return Notification { { result->sequenceNumber, NotificationEvent::Install, result->notificationAddress, result->iccid },
                              std::move(data) };
    }
    protocol::der::Reader r(data);
    auto metadata = r.expect(0xBF2F, "tbsOtherNotification");
    auto decoded = metadata ? protocol::NotificationMetadata::decode(metadata->encoded) : Result<protocol::NotificationMetadata>(metadata.error());
    if (!decoded)
        return std::nullopt;
    return Notification { decoded.value(), std::move(data) };
}

SimulatedDevice::SimulatedDevice(FieldDevice spec, std::shared_ptr<const FieldManufacturer> manufacturer,
                                 QByteArray fieldSeed, DeviceSurroundings *surroundings)
    : m_spec(std::move(spec)),
      m_manufacturer(std::move(manufacturer)),
      m_fieldSeed(std::move(fieldSeed)),
      m_surroundings(surroundings)
{
}

SimulatedDevice::~SimulatedDevice() = default;

QList<protocol::Measurement> SimulatedDevice::firmwareMeasurements(const QString &hwmodel, const QString &swversion)
{
    QList<protocol::Measurement> out;
    for (const char *component : { "bootloader", "se-os", "usim-host" }) {
        out.append({ QString::fromLatin1(component),
                     crypto::sha256(QStringLiteral("simfleet-firmware:%1:%2:%3")
                                        .arg(hwmodel, swversion, QLatin1StringView(component))
                                        .toUtf8()) });
    }
    return out;
}

QByteArray SimulatedDevice::certificateSerial(const QString &eid)
{
    QByteArray serial = crypto::sha256(QByteArray(QByteArrayLiteral("simfleet-device-certificate:") + eid.toLatin1())).first(16);
    serial[0] = char((serial[0] & 0x7f) | 0x01); // positive, and never a leading zero byte
    return serial;
}

SimulatedDevice::Memory SimulatedDevice::memory() const
{
    QMutexLocker lock(&m_mutex);
    return m_memory;
}

void SimulatedDevice::restore(Memory memory)
{
    QMutexLocker lock(&m_mutex);
    m_memory = std::move(memory);
}

void SimulatedDevice::replay(const FlashRecord &record)
{
    QMutexLocker lock(&m_mutex);
    Memory &m = m_memory;
    const auto profile = std::find_if(m.profiles.begin(), m.profiles.end(),
                                      [&record](const devices::InstalledProfile &p) { return p.iccid == record.iccid; });
    switch (record.kind) {
    case FlashRecord::Kind::Certified:
        m.certDer = record.data;
        break;
    case FlashRecord::Kind::Installed:
        if (profile == m.profiles.end())
            m.profiles.append({ record.iccid, disabledState, record.plmn });
        m.credentials.insert(record.iccid, record.data);
        if (!record.metadata.isEmpty())
            m.metadata.insert(record.iccid, record.metadata);
        break;
    case FlashRecord::Kind::Enabled:
        for (devices::InstalledProfile &p : m.profiles)
            p.state = p.iccid == record.iccid ? enabledState : disabledState;
        m.fallbackIccid = record.fallback;
        break;
    case FlashRecord::Kind::Disabled:
        if (profile != m.profiles.end())
            profile->state = disabledState;
        break;
    case FlashRecord::Kind::Deleted:
        if (profile != m.profiles.end())
            m.profiles.erase(profile);
        m.credentials.remove(record.iccid);
        m.metadata.remove(record.iccid);
        if (m.fallbackIccid == record.iccid)
            m.fallbackIccid.clear();
        break;
    case FlashRecord::Kind::Crashed:
        m.crashedBefore = true;
        break;
    case FlashRecord::Kind::Notified:
        m.lastSequenceNumber = std::max(m.lastSequenceNumber, record.sequenceNumber);
        if (std::none_of(m.notifications.cbegin(), m.notifications.cend(),
                         [&](const Memory::Notification &n) { return n.metadata.sequenceNumber == record.sequenceNumber; })) {
            if (auto notification = Memory::Notification::fromData(record.data))
                m.notifications.append(std::move(*notification));
        }
        break;
    case FlashRecord::Kind::NotificationRemoved:
        m.notifications.removeIf([&](const Memory::Notification &n) { return n.metadata.sequenceNumber == record.sequenceNumber; });
        break;
    case FlashRecord::Kind::EimCounter: {
        qint64 &counter = m.eimCounters[QString::fromUtf8(record.data)];
        counter = std::max(counter, record.sequenceNumber);
        break;
    }
    }
}

Result<void> SimulatedDevice::ensureCertified()
{
    QByteArray certDer;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_key.isNull() && !m_memory.certDer.isEmpty())
            return {};
        certDer = m_memory.certDer;
    }
    // The key is derived, never stored: the field's seed and the EID give it back after a restart.
    crypto::SecretBytes scalar(crypto::sha256(QByteArray(m_fieldSeed + QByteArrayLiteral(":device-key:") + m_spec.eid.toLatin1())));
    auto key = crypto::EcPrivateKey::fromScalar(scalar);
    if (!key)
        return key.error();
    if (certDer.isEmpty()) {
        if (!m_manufacturer)
            return fail(QStringLiteral("device %1 names a manufacturer the field does not know").arg(m_spec.eid));
        crypto::CertificateTemplate t;
        t.role = crypto::CertificateRole::Device;
        t.subject = { {}, m_manufacturer->eum.certificate.subject().organization, {}, {}, m_spec.eid };
        t.subjectKey = key->publicKey();
        t.notBefore = m_manufacturer->eum.certificate.notBefore();
        t.notAfter = m_manufacturer->eum.certificate.notAfter();
        t.serialNumber = certificateSerial(m_spec.eid);
        auto cert = crypto::issueCertificate(t, m_manufacturer->eum.certificate, m_manufacturer->eum.key);
        if (!cert)
            return cert.error();
        certDer = cert->toDer();
        // Written by the device alone, outside any backend transaction.
        FlashRecord certified;
        certified.kind = FlashRecord::Kind::Certified;
        certified.eid = m_spec.eid;
        certified.data = certDer;
        if (auto ok = m_surroundings->commit(certified); !ok)
            return ok;
    }
    QMutexLocker lock(&m_mutex);
    if (m_memory.certDer.isEmpty())
        m_memory.certDer = certDer;
    if (m_key.isNull())
        m_key = key.value();
    return {};
}

QList<QByteArray> SimulatedDevice::certificateChain() const
{
    QList<QByteArray> chain { m_memory.certDer };
    if (m_manufacturer)
        chain.append(m_manufacturer->eum.certificate.toDer());
    return chain;
}

crypto::SecretBytes SimulatedDevice::storageKey() const
{
    return crypto::SecretBytes(crypto::sha256(QByteArray(m_fieldSeed + QByteArrayLiteral(":se-storage:") + m_spec.eid.toLatin1())));
}

Result<devices::DeviceInfo> SimulatedDevice::info()
{
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    QMutexLocker lock(&m_mutex);
    devices::DeviceInfo info;
    info.eid = m_spec.eid;
    info.imei = m_spec.imei;
    info.secureElement = m_spec.secureElement;
    // An integrated UICC holds several profiles; a trusted environment hosts fewer.
    const qint64 capacity = m_spec.secureElement == store::SecureElementKind::IntegratedUicc ? 512 * 1024 : 128 * 1024;
    info.freeMemoryBytes = capacity - 40 * 1024 * m_memory.profiles.size();
    info.certificateChain = certificateChain();
    return info;
}

Result<QByteArray> SimulatedDevice::attest(const QByteArray &requestBytes)
{
    auto request = protocol::AttestationRequest::decode(requestBytes);
    if (!request)
        return request.error();
    auto token = evidence(request->nonce);
    if (!token)
        return token.error();
    protocol::AttestationResponse response;
    response.evidence = token.value();
    return response.encode();
}

Result<QByteArray> SimulatedDevice::evidence(const QByteArray &nonce)
{
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    protocol::EatClaims claims;
    claims.nonce = nonce;
    claims.ueid = protocol::ueidForEid(m_spec.eid);
    claims.oemid = m_manufacturer ? m_manufacturer->oemid : 0;
    claims.hwmodel = m_spec.hwmodel;
    claims.hwversion = m_spec.hwversion;
    claims.swname = m_spec.swname;
    claims.swversion = m_spec.swversion;
    claims.measurements = firmwareMeasurements(m_spec.hwmodel, m_spec.swversion);
    if (m_spec.fault == Fault::TamperedFirmware)
        claims.measurements[0].digest = crypto::sha256(QByteArray(QByteArrayLiteral("patched bootloader ") + m_spec.eid.toLatin1()));
    claims.debug = m_spec.fault == Fault::DebugEnabled ? protocol::DebugStatus::Enabled : protocol::DebugStatus::DisabledPermanently;
    claims.secureBoot = true;
    claims.tampered = m_tamperTripped.load();
    claims.issuedAt = m_surroundings->now().addSecs(m_spec.fault == Fault::ClockSkew ? m_surroundings->timing().clockSkewSeconds : 0);
    // A fresh fix with every token, on the device's own clock.
    claims.location = position();
    if (claims.location)
        claims.location->measuredAt = claims.issuedAt;
    crypto::EcPrivateKey key;
    QList<QByteArray> chain;
    {
        QMutexLocker lock(&m_mutex);
        key = m_key;
        chain = certificateChain();
    }
    return protocol::signCoseSign1(protocol::encodeClaims(claims), chain, key);
}

void SimulatedDevice::moveTo(double latitude, double longitude)
{
    QMutexLocker lock(&m_mutex);
    // A GNSS receiver's horizontal accuracy in the open, in metres.
    m_position = protocol::ReportedLocation { latitude, longitude, 8.0, {} };
}

std::optional<protocol::ReportedLocation> SimulatedDevice::position() const
{
    QMutexLocker lock(&m_mutex);
    return m_position;
}

Result<QList<devices::InstalledProfile>> SimulatedDevice::listProfiles() const
{
    QMutexLocker lock(&m_mutex);
    return m_memory.profiles;
}

QByteArray SimulatedDevice::isdpAid(const QString &iccid)
{
    return QByteArray::fromHex("a0000005591010ffffffff89") + crypto::sha256(iccid.toLatin1()).first(4);
}

Result<QByteArray> SimulatedDevice::profilesInfo(const QByteArray &requestBytes)
{
    // ES10c.GetProfilesInfo (SGP.22 section 5.7.15): what the eUICC knows of each profile, from
    // its state and the metadata it stored at installation.
    auto request = protocol::ProfileInfoListRequest::decode(requestBytes);
    if (!request)
        return malformed(m_spec.eid, request.errorMessage());
    Memory m;
    {
        QMutexLocker lock(&m_mutex);
        m.profiles = m_memory.profiles;
        m.metadata = m_memory.metadata;
    }
    protocol::ProfileInfoListResponse response;
    for (const devices::InstalledProfile &p : std::as_const(m.profiles)) {
        if ((!request->iccid.isEmpty() && request->iccid != p.iccid)
            || (!request->isdpAid.isEmpty() && request->isdpAid != isdpAid(p.iccid))
            || (request->profileClass && *request->profileClass != protocol::ProfileClass::Operational))
            continue;
        protocol::ProfileInfo info;
        info.iccid = p.iccid;
        info.isdpAid = isdpAid(p.iccid);
        info.state = p.state == enabledState ? protocol::ProfileState::Enabled : protocol::ProfileState::Disabled;
        info.profileClass = protocol::ProfileClass::Operational;
        info.ownerPlmn = p.plmn;
        if (auto metadata = protocol::ProfileMetadata::decode(m.metadata.value(p.iccid))) {
            info.serviceProviderName = metadata->serviceProviderName;
            info.profileName = metadata->profileName;
            info.notificationConfiguration = metadata->notifications;
        }
        response.profiles.append(info);
    }
    return response.encode(request->tagList);
}

Result<QByteArray> SimulatedDevice::changeProfile(const QByteArray &requestBytes)
{
    auto request = protocol::ProfileOperationRequest::decode(requestBytes);
    if (!request)
        return malformed(m_spec.eid, request.errorMessage());
    QString iccid = request->iccid;
    if (iccid.isEmpty()) {
        QMutexLocker lock(&m_mutex);
        for (const devices::InstalledProfile &p : std::as_const(m_memory.profiles)) {
            if (isdpAid(p.iccid) == request->isdpAid)
                iccid = p.iccid;
        }
    }
    auto result = iccid.isEmpty() ? Result<ProfileOperationResult>(ProfileOperationResult::IccidOrAidNotFound)
                                  : changeProfile(iccid, request->operation);
    if (!result)
        return result.error();
    return protocol::ProfileOperationResponse { request->operation, int(result.value()) }.encode();
}

Result<ProfileOperationResult> SimulatedDevice::changeProfile(const QString &iccid, ProfileOperation operation)
{
    // The profile's notification address, read before a delete takes its metadata away.
    QString address;
    {
        QMutexLocker lock(&m_mutex);
        if (auto metadata = protocol::ProfileMetadata::decode(m_memory.metadata.value(iccid)))
            address = metadata->notificationAddress(eventOf(operation));
    }
    Change changed = applyProfileChange(iccid, operation);
    if (!changed.before)
        return changed.result; // refused, or nothing to change
    FlashRecord record;
    record.eid = m_spec.eid;
    record.iccid = iccid;
    switch (operation) {
    case ProfileOperation::Delete:
        record.kind = FlashRecord::Kind::Deleted;
        break;
    case ProfileOperation::Disable:
        record.kind = FlashRecord::Kind::Disabled;
        break;
    case ProfileOperation::Enable: {
        record.kind = FlashRecord::Kind::Enabled;
        QMutexLocker lock(&m_mutex);
        record.fallback = m_memory.fallbackIccid;
        break;
    }
    }
    if (auto stored = m_surroundings->commit(record); !stored) {
        // What the device could not commit did not happen.
        QMutexLocker lock(&m_mutex);
        m_memory = std::move(*changed.before);
        return stored.error();
    }
    // SGP.22 section 3.5: done, the eUICC notifies where the profile's metadata asks it to. One
    // notification per operation asked for, on the profile it names.
    if (auto notified = notify(eventOf(operation), iccid, address); !notified)
        qCWarning(lcSimulation) << "device" << m_spec.eid << "kept no notification of its" << profileOperationName(operation)
                                << "of" << iccid << ":" << notified.errorMessage();
    return ProfileOperationResult::Ok;
}

SimulatedDevice::Change SimulatedDevice::applyProfileChange(const QString &iccid, ProfileOperation operation)
{
    QMutexLocker lock(&m_mutex);
    Memory before = m_memory;
    Memory &m = m_memory;
    const auto it = std::find_if(m.profiles.begin(), m.profiles.end(),
                                 [&iccid](const devices::InstalledProfile &p) { return p.iccid == iccid; });
    if (it == m.profiles.end())
        return { ProfileOperationResult::IccidOrAidNotFound, std::nullopt };
    switch (operation) {
    case ProfileOperation::Enable:
        if (m_spec.fault == Fault::RejectsEnable)
            return { ProfileOperationResult::DisallowedByPolicy, std::nullopt };
        if (it->state == enabledState)
            return { ProfileOperationResult::ProfileNotInRequiredState, std::nullopt }; // profileNotInDisabledState
        // One enabled profile at a time (SGP.22 section 3.2.1): enabling one disables the other,
        // which stays as the fallback until the new one has attached.
        for (devices::InstalledProfile &p : m.profiles) {
            if (p.state == enabledState)
                m.fallbackIccid = p.iccid;
            p.state = p.iccid == iccid ? enabledState : disabledState;
        }
        break;
    case ProfileOperation::Disable:
        if (it->state != enabledState)
            return { ProfileOperationResult::ProfileNotInRequiredState, std::nullopt }; // profileNotInEnabledState
        it->state = disabledState;
        break;
    case ProfileOperation::Delete:
        if (it->state == enabledState)
            return { ProfileOperationResult::ProfileNotInRequiredState, std::nullopt }; // profileNotInDisabledState
        m.credentials.remove(iccid);
        m.metadata.remove(iccid);
        if (m.fallbackIccid == iccid)
            m.fallbackIccid.clear();
        m.profiles.erase(it);
        break;
    }
    return { ProfileOperationResult::Ok, std::move(before) };
}

qint64 SimulatedDevice::takeSequenceNumber()
{
    QMutexLocker lock(&m_mutex);
    return ++m_memory.lastSequenceNumber;
}

Result<void> SimulatedDevice::notify(NotificationEvent event, const QString &iccid, const QString &address)
{
    if (address.isEmpty())
        return {};
    if (auto ok = ensureCertified(); !ok)
        return ok;
    const protocol::NotificationMetadata metadata { takeSequenceNumber(), event, address, iccid };
    crypto::EcPrivateKey key;
    {
        QMutexLocker lock(&m_mutex);
        key = m_key;
    }
    // euiccNotificationSignature, over tbsOtherNotification as encoded.
    const QByteArray tbs = metadata.encode();
    auto signature = crypto::ecdsaSign(key, tbs, crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    return keepNotification({ metadata, tbs + protocol::der::tlv(0x5F37, signature.value()) });
}

Result<void> SimulatedDevice::keepNotification(Memory::Notification notification)
{
    FlashRecord record;
    record.kind = FlashRecord::Kind::Notified;
    record.eid = m_spec.eid;
    record.iccid = notification.metadata.iccid;
    record.sequenceNumber = notification.metadata.sequenceNumber;
    record.data = notification.data;
    if (auto ok = m_surroundings->commit(record); !ok)
        return ok;
    QMutexLocker lock(&m_mutex);
    m_memory.notifications.append(std::move(notification));
    return {};
}

Result<QByteArray> SimulatedDevice::listNotifications(const QByteArray &requestBytes)
{
    auto request = protocol::ListNotificationRequest::decode(requestBytes);
    if (!request)
        return malformed(m_spec.eid, request.errorMessage());
    protocol::ListNotificationResponse response;
    QMutexLocker lock(&m_mutex);
    for (const Memory::Notification &n : std::as_const(m_memory.notifications)) {
        if (!request->operations || (*request->operations & protocol::eventBit(n.metadata.event)))
            response.notifications.append(n.metadata);
    }
    return response.encode();
}

Result<QByteArray> SimulatedDevice::retrieveNotifications(const QByteArray &requestBytes)
{
    auto request = protocol::RetrieveNotificationsListRequest::decode(requestBytes);
    if (!request)
        return malformed(m_spec.eid, request.errorMessage());
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    QByteArray items;
    QMutexLocker lock(&m_mutex);
    const QByteArray certificates = m_memory.certDer + (m_manufacturer ? m_manufacturer->eum.certificate.toDer() : QByteArray());
    for (const Memory::Notification &n : std::as_const(m_memory.notifications)) {
        if ((request->sequenceNumber && *request->sequenceNumber != n.metadata.sequenceNumber)
            || (request->operations && !(*request->operations & protocol::eventBit(n.metadata.event))))
            continue;
        // An installation result as it was signed; another notification as an
        // OtherSignedNotification with the eUICC's certificate and its manufacturer's.
        items += isInstallationResult(n.data) ? n.data : protocol::der::sequence(QByteArray(n.data + certificates));
    }
    // RetrieveNotificationsListResponse: notificationList, [0] by the CHOICE's automatic tags.
    return protocol::der::tlv(0xBF2B, protocol::der::tlv(0xA0, items));
}

Result<QByteArray> SimulatedDevice::removeNotification(const QByteArray &requestBytes)
{
    auto request = protocol::NotificationSentRequest::decode(requestBytes);
    if (!request)
        return malformed(m_spec.eid, request.errorMessage());
    using Response = protocol::NotificationSentResponse;
    {
        QMutexLocker lock(&m_mutex);
        if (std::none_of(m_memory.notifications.cbegin(), m_memory.notifications.cend(),
                         [&](const Memory::Notification &n) { return n.metadata.sequenceNumber == request->sequenceNumber; }))
            return Response { Response::NothingToDelete }.encode();
    }
    FlashRecord record;
    record.kind = FlashRecord::Kind::NotificationRemoved;
    record.eid = m_spec.eid;
    record.sequenceNumber = request->sequenceNumber;
    if (auto ok = m_surroundings->commit(record); !ok)
        return ok.error();
    QMutexLocker lock(&m_mutex);
    m_memory.notifications.removeIf([&](const Memory::Notification &n) { return n.metadata.sequenceNumber == request->sequenceNumber; });
    return Response { Response::Ok }.encode();
}

Result<QByteArray> SimulatedDevice::euiccInfo1()
{
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    if (!m_surroundings->issuerTrust())
        return failWith(ErrorCode::ServerNotAuthenticated,
                        QStringLiteral("this simulated field was made before devices carried their certificate issuer; "
                                       "create the demo workspace again"));
    // The CIs whose keys it carries from the factory verify profile servers (SGP.22 section
    // 4.5.2.2); its own chain runs to the CI that certified its manufacturer.
    protocol::EuiccInfo1 info;
    for (const crypto::Certificate &ci : m_surroundings->issuerTrust()->trustAnchors())
        info.ciKeyIdsForVerification.append(ci.keyIdentifier());
    info.ciKeyIdsForSigning = { m_manufacturer ? m_manufacturer->eum.certificate.authorityKeyIdentifier()
                                               : m_surroundings->certificateIssuer().keyIdentifier() };
    return info.encode();
}

Result<QByteArray> SimulatedDevice::challenge()
{
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    QMutexLocker session(&m_sessionMutex);
    if (!m_session) {
        QMutexLocker lock(&m_mutex);
        m_session = std::make_unique<EuiccSession>(EuiccSession::Identity { m_spec.eid, m_key, certificateChain() });
    }
    return protocol::encodeGetEuiccChallengeResponse(m_session->challenge());
}

Result<QByteArray> SimulatedDevice::authenticateServer(const QByteArray &request)
{
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    const crypto::ChainVerifier *issuerTrust = m_surroundings->issuerTrust();
    if (!issuerTrust)
        return failWith(ErrorCode::ServerNotAuthenticated,
                        QStringLiteral("this simulated field was made before devices carried their certificate issuer; "
                                       "create the demo workspace again"));
    QMutexLocker session(&m_sessionMutex);
    if (!m_session)
        return failWith(ErrorCode::ServerNotAuthenticated, QStringLiteral("the device issued no challenge"));
    const qint64 skew = m_spec.fault == Fault::ClockSkew ? m_surroundings->timing().clockSkewSeconds : 0;
    return m_session->authenticateServer(request, *issuerTrust, m_surroundings->now().addSecs(skew));
}

Result<QByteArray> SimulatedDevice::prepareDownload(const QByteArray &request)
{
    const crypto::ChainVerifier *issuerTrust = m_surroundings->issuerTrust();
    if (!issuerTrust)
        return failWith(ErrorCode::ServerNotAuthenticated, QStringLiteral("this simulated field carries no certificate issuer"));
    QMutexLocker session(&m_sessionMutex);
    if (!m_session)
        return failWith(ErrorCode::ServerNotAuthenticated, QStringLiteral("the device has no download session open"));
    const qint64 skew = m_spec.fault == Fault::ClockSkew ? m_surroundings->timing().clockSkewSeconds : 0;
    return m_session->prepareDownload(request, *issuerTrust, m_surroundings->now().addSecs(skew));
}

Result<QByteArray> SimulatedDevice::loadBoundPackage(const QByteArray &boundProfilePackage)
{
    auto package = protocol::BoundProfilePackage::decode(boundProfilePackage);
    if (!package)
        return failWith(ErrorCode::PackageRejected, package.errorMessage());
    QString serverAddress; // the profile server this session authenticated, which is told
    {
        QMutexLocker session(&m_sessionMutex);
        if (m_session)
            serverAddress = m_session->serverAddress();
    }
    auto installed = install(package.value());
    // A device that restarted mid-load answers nothing; up again, its eUICC holds the result of
    // the interrupted installation (ErrorReason installFailedDueToInterruption) among its pending
    // notifications, for the LPA or IPA to deliver, as it would any other.
    const bool restarted = !installed && installed.error().code == ErrorCode::DeviceRestarted;
    // SGP.22 section 5.5: the installation result, signed, whatever the outcome; it is also the
    // install notification, pending until it is delivered (section 3.5).
    using Pir = protocol::ProfileInstallationResult;
    Pir result;
    result.transactionId = package->initialiseSecureChannel.transactionId;
    result.serverOid = protocol::simfleetObjectIdentifier();
    result.notificationAddress = serverAddress;
    result.sequenceNumber = takeSequenceNumber();
    if (installed) {
        result.iccid = installed.value();
        result.isdpAid = isdpAid(installed.value());
    } else {
        result.success = false;
        switch (installed.error().code) {
        case ErrorCode::AlreadyInstalled: result.reason = Pir::ErrorReason::IccidAlreadyExists; break;
        case ErrorCode::NoMemory: result.reason = Pir::ErrorReason::InsufficientMemory; break;
        case ErrorCode::DeviceRestarted: result.reason = Pir::ErrorReason::Interruption; break;
        default:
            result.reason = Pir::ErrorReason::Scp03tSecurityError;
            result.failedCommand = Pir::BppCommand::LoadProfileElements;
            break;
        }
    }
    crypto::EcPrivateKey key;
    {
        QMutexLocker lock(&m_mutex);
        key = m_key;
    }
    auto signature = crypto::ecdsaSign(key, result.resultData(), crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    result.signature = signature.value();
    QByteArray answer = result.encode();
    if (auto kept = keepNotification({ { result.sequenceNumber, NotificationEvent::Install, serverAddress, result.iccid }, answer }); !kept)
        qCWarning(lcSimulation) << "device" << m_spec.eid << "kept no install notification:" << kept.errorMessage();
    if (restarted)
        return installed.error();
    return answer;
}

Result<QString> SimulatedDevice::install(const protocol::BoundProfilePackage &boundProfilePackage)
{
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    QMutexLocker session(&m_sessionMutex);
    if (!m_session)
        return failWith(ErrorCode::PackageRejected, QStringLiteral("no download session is open on the device"));
    bool crashNow = false;
    {
        QMutexLocker lock(&m_mutex);
        crashNow = m_spec.fault == Fault::CrashesMidDownload && !m_memory.crashedBefore;
        if (crashNow)
            m_memory.crashedBefore = true;
    }
    if (crashNow) {
        // Remembered in the device's own flash, so the retry after a restart succeeds.
        FlashRecord crashed;
        crashed.kind = FlashRecord::Kind::Crashed;
        crashed.eid = m_spec.eid;
        if (auto ok = m_surroundings->commit(crashed); !ok)
            return ok.error();
    }
    auto loaded = m_session->load(boundProfilePackage, [crashNow](int segment) { return crashNow && segment == 2; });
    m_session.reset(); // a load ends the session, whatever its outcome; the next download starts afresh
    if (!loaded)
        return loaded.error();
    const LoadedProfile &profile = loaded.value();
    const QString &iccid = profile.metadata.iccid;
    // The metadata as the device understood it: what GetProfilesInfo tells, and where the
    // profile's later notifications go.
    const QByteArray storedMetadata = profile.metadata.encode();

    // Seal the credentials under the secure element's storage key, bound to device and ICCID.
    QByteArray both; // built in place: toByteArray() temporaries would be freed unwiped
    both.reserve(qsizetype(profile.content.ki.size() + profile.content.opc.size()));
    both.append(profile.content.ki.view());
    both.append(profile.content.opc.view());
    auto sealed = crypto::aesGcmSeal(storageKey().view(), both, (m_spec.eid + u':' + iccid).toLatin1());
    crypto::wipeBytes(both);
    if (!sealed)
        return sealed.error();
    {
        QMutexLocker lock(&m_mutex);
        for (const devices::InstalledProfile &p : m_memory.profiles) {
            if (p.iccid == iccid)
                return failWith(ErrorCode::AlreadyInstalled,
                                QStringLiteral("profile %1 is already installed on %2").arg(p.iccid, m_spec.eid));
        }
        const qint64 capacity = m_spec.secureElement == store::SecureElementKind::IntegratedUicc ? 8 : 2;
        if (m_memory.profiles.size() >= capacity)
            return failWith(ErrorCode::NoMemory,
                            QStringLiteral("the secure element of %1 has no room for another profile; delete one first").arg(m_spec.eid));
        m_memory.profiles.append({ iccid, disabledState, profile.metadata.plmn });
        m_memory.credentials.insert(iccid, sealed.value());
        m_memory.metadata.insert(iccid, storedMetadata);
    }
    FlashRecord installed;
    installed.kind = FlashRecord::Kind::Installed;
    installed.eid = m_spec.eid;
    installed.iccid = iccid;
    installed.plmn = profile.metadata.plmn;
    installed.data = sealed.value();
    installed.metadata = storedMetadata;
    if (auto ok = m_surroundings->commit(installed); !ok) {
        QMutexLocker lock(&m_mutex); // not committed, not installed
        m_memory.profiles.removeIf([&](const devices::InstalledProfile &p) { return p.iccid == iccid; });
        m_memory.credentials.remove(iccid);
        m_memory.metadata.remove(iccid);
        return ok.error();
    }
    return iccid;
}

Result<devices::AttachReport> SimulatedDevice::attach(const QByteArray &rand, const QByteArray &autn)
{
    devices::InstalledProfile enabled;
    QByteArray sealed;
    QString fallback;
    {
        QMutexLocker lock(&m_mutex);
        for (const devices::InstalledProfile &p : m_memory.profiles) {
            if (p.state == enabledState)
                enabled = p;
        }
        if (enabled.iccid.isEmpty())
            return failWith(ErrorCode::NoEnabledProfile, QStringLiteral("device %1 has no enabled profile").arg(m_spec.eid));
        sealed = m_memory.credentials.value(enabled.iccid);
        fallback = m_memory.fallbackIccid;
    }
    if (m_spec.fault == Fault::NoCoverage && m_spec.faultOperator == enabled.plmn) {
        // No network of this operator here: the device goes back to the profile it ran before.
        if (fallback.isEmpty())
            return failWith(ErrorCode::NoCoverage,
                            QStringLiteral("device %1 finds no network %2 and has no profile to fall back to").arg(m_spec.eid, enabled.plmn));
        auto fellBack = changeProfile(fallback, ProfileOperation::Enable);
        if (!fellBack)
            return fellBack.error();
        if (auto ok = protocol::ProfileOperationResponse { ProfileOperation::Enable, int(fellBack.value()) }.outcome(m_spec.eid, fallback); !ok)
            return ok.error();
        return devices::AttachReport { fallback, {}, true,
                                       QStringLiteral("no coverage of network %1 here; fell back to profile %2").arg(enabled.plmn, fallback) };
    }
    // AKA on the USIM (3GPP TS 33.102 section 6.3.3): recover SQN with AK, check MAC-A, answer RES.
    auto opened = crypto::aesGcmOpen(storageKey().view(), sealed, (m_spec.eid + u':' + enabled.iccid).toLatin1());
    if (!opened || opened->size() != 32)
        return failWith(ErrorCode::AttachFailed, QStringLiteral("the profile's credentials on %1 are unreadable").arg(m_spec.eid));
    // No challenge from simfleet: the profile came from an operator's own profile server, whose
    // network (not simulated here) challenges the device with credentials simfleet never held.
    if (rand.isEmpty() && autn.isEmpty())
        return devices::AttachReport { enabled.iccid, {}, false,
                                       QStringLiteral("attached to network %1, authenticated by its operator").arg(enabled.plmn) };
    auto milenage = crypto::Milenage::withOpc(crypto::SecretBytes(opened->view().first(16)), crypto::SecretBytes(opened->view().sliced(16)));
    if (!milenage || autn.size() != 16 || rand.size() != 16)
        return failWith(ErrorCode::AttachFailed, QStringLiteral("the network's challenge is malformed"));
    const QByteArray amf = autn.sliced(6, 2);
    auto first = milenage->compute(rand, QByteArray(6, 0), amf);
    if (!first)
        return first.error();
    QByteArray sqn(6, 0);
    for (int i = 0; i < 6; ++i)
        sqn[i] = char(autn[i] ^ first->ak[i]);
    auto vector = milenage->compute(rand, sqn, amf);
    if (!vector)
        return vector.error();
    if (!crypto::equalConstantTime(vector->macA, autn.sliced(8, 8)))
        return failWith(ErrorCode::AttachFailed,
                        QStringLiteral("the network failed authentication (MAC mismatch): the profile's credentials differ"));
    return devices::AttachReport { enabled.iccid, vector->res, false, QStringLiteral("attached to network %1").arg(enabled.plmn) };
}

Result<QByteArray> SimulatedDevice::loadEuiccPackage(const QByteArray &requestBytes)
{
    using protocol::EuiccPackageErrorData;
    auto request = protocol::EuiccPackageRequest::decode(requestBytes);
    if (!request)
        return malformed(m_spec.eid, request.errorMessage());
    const protocol::EuiccPackageSigned &package = request->content;
    QMutexLocker one(&m_packageMutex);

    // SGP.32 section 2.11.2.1: a package the eUICC cannot attribute to an eIM it knows, or whose
    // signature does not verify under that eIM's key, gets an unsigned error and changes nothing.
    protocol::EuiccPackageResult answer;
    const EimTrust *eim = m_surroundings->eimTrust(package.eimId);
    if (!eim
        || !crypto::ecdsaVerify(eim->publicKey, protocol::EuiccPackageRequest::signedData(request->receivedSigned),
                                request->eimSignature, crypto::SignatureFormat::Raw)) {
        answer.content = protocol::EuiccPackageErrorUnsigned { package.eimId, std::nullopt };
        return answer.encode();
    }
    if (auto ok = ensureCertified(); !ok)
        return ok.error();
    crypto::EcPrivateKey key;
    {
        QMutexLocker lock(&m_mutex);
        key = m_key;
    }
    // euiccSignEPR / euiccSignEPE: over the data and the request's eimSignature.
    const auto signedAnswer = [&](QByteArray data) -> Result<QByteArray> {
        auto signature = crypto::ecdsaSign(key, protocol::EuiccPackageResult::signedData(data, request->eimSignature),
                                           crypto::SignatureFormat::Raw);
        if (!signature)
            return signature.error();
        answer.euiccSignature = std::move(signature).value();
        return answer.encode();
    };
    const auto refuse = [&](int code) {
        EuiccPackageErrorData error { package.eimId, package.counterValue, package.transactionId, code };
        const QByteArray data = error.encode();
        answer.content = std::move(error);
        return signedAnswer(data);
    };
    if (package.eid != m_spec.eid)
        return refuse(EuiccPackageErrorData::InvalidEid);
    // The eUICC handles counters up to 0x7FFFFF at least (section 2.11.1.1); simfleet's go no higher.
    constexpr qint64 highestCounter = 0x7FFFFF;
    if (package.counterValue < 1 || package.counterValue > highestCounter)
        return refuse(EuiccPackageErrorData::CounterValueOutOfRange);
    qint64 last = 0;
    {
        QMutexLocker lock(&m_mutex);
        last = m_memory.eimCounters.value(package.eimId);
    }
    if (package.counterValue <= last)
        return refuse(EuiccPackageErrorData::ReplayError);
    FlashRecord counted;
    counted.kind = FlashRecord::Kind::EimCounter;
    counted.eid = m_spec.eid;
    counted.data = package.eimId.toUtf8();
    counted.sequenceNumber = package.counterValue;
    if (auto ok = m_surroundings->commit(counted); !ok)
        return ok.error();
    {
        QMutexLocker lock(&m_mutex);
        m_memory.eimCounters[package.eimId] = package.counterValue;
    }

    protocol::EuiccPackageResultData result { package.eimId, package.counterValue, package.transactionId, 0, {} };
    if (package.psmos.isEmpty()) // eCOs only: simfleet's eUICCs take their eIM from the factory
        result.results.append({ protocol::EuiccResultData::Kind::ProcessingTerminated,
                                protocol::EuiccResultData::UnknownOrDamagedCommand, {}, false, {} });
    for (const protocol::Psmo &psmo : package.psmos) {
        auto ran = runPsmo(psmo);
        if (!ran) {
            qCWarning(lcSimulation) << "device" << m_spec.eid << "stopped an eUICC package:" << ran.errorMessage();
            result.results.append({ protocol::EuiccResultData::Kind::ProcessingTerminated,
                                    protocol::EuiccResultData::Interruption, {}, false, {} });
            break;
        }
        result.results.append(ran.value());
        if (ran->kind == protocol::EuiccResultData::Kind::ProcessingTerminated)
            break;
    }
    result.seqNumber = takeSequenceNumber();
    const QByteArray data = result.encode();
    answer.content = std::move(result);
    return signedAnswer(data);
}

Result<protocol::EuiccResultData> SimulatedDevice::runPsmo(const protocol::Psmo &psmo)
{
    using Kind = protocol::EuiccResultData::Kind;
    const auto operate = [&](ProfileOperation operation, Kind kind) -> Result<protocol::EuiccResultData> {
        auto done = changeProfile(psmo.iccid, operation);
        if (!done)
            return done.error();
        // EnableProfileResult and its siblings know ok, iccidOrAidNotFound, the state codes and
        // undefinedError; a refusal by policy is the last.
        const int code = int(done.value());
        return protocol::EuiccResultData { kind, code <= 2 ? code : int(ProfileOperationResult::UndefinedError), {}, false, {} };
    };
    switch (psmo.kind) {
    case protocol::Psmo::Kind::Enable:
        // The profile enabled before stays as the fallback either way (rollbackFlag only lets
        // the IPA roll back to it, SGP.32 section 5.9.16).
        return operate(ProfileOperation::Enable, Kind::Enable);
    case protocol::Psmo::Kind::Disable:
        return operate(ProfileOperation::Disable, Kind::Disable);
    case protocol::Psmo::Kind::Delete:
        return operate(ProfileOperation::Delete, Kind::Delete);
    case protocol::Psmo::Kind::ListProfileInfo: {
        auto listed = profilesInfo(psmo.listRequest.encode());
        if (!listed)
            return listed.error();
        auto response = protocol::ProfileInfoListResponse::decode(listed.value());
        if (!response)
            return protocol::EuiccResultData { Kind::ListProfileInfo, 127, {}, true, {} };
        return protocol::EuiccResultData { Kind::ListProfileInfo, 0, response->profiles, false, {} };
    }
    case protocol::Psmo::Kind::Other:
        break;
    }
    // getRAT and configureAutoEnable: not offered by simfleet's eUICCs.
    return protocol::EuiccResultData { Kind::ProcessingTerminated, protocol::EuiccResultData::UnknownOrDamagedCommand, {}, false, {} };
}

} // namespace simfleet::simulation
