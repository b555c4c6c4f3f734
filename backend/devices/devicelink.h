#pragma once

#include "answer.h"
#include "core/result.h"
#include "store/records.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace simfleet::devices {

// What a device says about itself when asked (DESIGN.md "The devices behind the backend").
struct DeviceInfo
{
    QString eid;
    QString imei;
    store::SecureElementKind secureElement = store::SecureElementKind::IntegratedUicc;
    qint64 freeMemoryBytes = 0;
    QList<QByteArray> certificateChain; // DER, the device's own certificate first
};

// A profile as the device's secure element reports it (ES10c.GetProfilesInfo, read by
// devices/euiccprofiles.h).
struct InstalledProfile
{
    QString iccid;
    QString state; // "enabled" or "disabled"
    QString plmn;  // the network the profile belongs to (MCC || MNC)
};

// What a device reports after trying to attach with its enabled profile: the network ran
// AKA (3GPP TS 33.102) with the challenge the backend made from the profile's credentials, and
// the device answered with RES. A device that finds no coverage falls back to the profile it
// ran before (SGP.22 v3 fallback attribute) and says so.
struct AttachReport
{
    QString iccid; // the profile the device is attached with now
    QByteArray res;
    bool fellBack = false;
    QString detail;
};

// The conversation the backend has with one device. Every call is asynchronous: it returns at
// once with the Answer the device owes, which the caller follows with a continuation or waits
// for, and a device that never answers becomes a "timeout" error at the caller's deadline, never
// a hang. Nothing above devices/ may assume the device is in-process.
class DeviceLink
{
public:
    virtual ~DeviceLink() = default;
    virtual QString eid() const = 0;

    virtual Answer<DeviceInfo> info() = 0;
    // Remote attestation in simfleet's own messages (protocol/SimfleetDefinitions.asn1): an
    // AttestationRequest with the nonce in, an AttestationResponse with the Entity Attestation
    // Token (RFC 9711, COSE_Sign1/ES256) or an error out, both DER.
    virtual Answer<QByteArray> attest(const QByteArray &request) = 0;
    // ES10c, the eUICC's local profile management, as SGP.22 section 5.7 encodes it (DER, the
    // codecs in protocol/profilemanagement.h; devices/euiccprofiles.h asks in C++ values):
    // GetProfilesInfo (ProfileInfoListRequest and Response 'BF2D'), EnableProfile ('BF31'),
    // DisableProfile ('BF32') and DeleteProfile ('BF33'), each answered with the module's
    // result code.
    virtual Answer<QByteArray> profilesInfo(const QByteArray &request) = 0;
    virtual Answer<QByteArray> enableProfile(const QByteArray &request) = 0;
    virtual Answer<QByteArray> disableProfile(const QByteArray &request) = 0;
    virtual Answer<QByteArray> deleteProfile(const QByteArray &request) = 0;
    // The notifications the eUICC keeps after each installation, enable, disable and delete
    // until they are delivered (SGP.22 section 3.5; protocol/notifications.h): ListNotification
    // ('BF28'), RetrieveNotificationsList ('BF2B': installation results and signed
    // notifications), RemoveNotificationFromList ('BF30').
    virtual Answer<QByteArray> listNotifications(const QByteArray &request) = 0;
    virtual Answer<QByteArray> retrieveNotifications(const QByteArray &request) = 0;
    virtual Answer<QByteArray> removeNotification(const QByteArray &request) = 0;

    // The download (DESIGN.md "Binding and download"), ES10b as SGP.22 encodes it:
    // GetEUICCInfo (EUICCInfo1 'BF20': the certificate issuers the eUICC verifies and signs
    // under), GetEUICCChallenge (GetEuiccChallengeResponse 'BF2E' with the 16-byte challenge),
    // AuthenticateServer (request and response 'BF38'), PrepareDownload ('BF21'),
    // LoadBoundProfilePackage with the bound profile package ('BF36'). The last answers with the ProfileInstallationResult ('BF37'), signed by the eUICC:
    // the profile installed, disabled, after every segment verified, or why not.
    virtual Answer<QByteArray> euiccInfo1() = 0;
    virtual Answer<QByteArray> challenge() = 0;
    virtual Answer<QByteArray> authenticateServer(const QByteArray &request) = 0;
    virtual Answer<QByteArray> prepareDownload(const QByteArray &request) = 0;
    virtual Answer<QByteArray> loadBoundPackage(const QByteArray &boundProfilePackage) = 0;
    // Attach with the enabled profile, answering the network's AKA challenge (RAND, AUTN).
    virtual Answer<AttachReport> attach(const QByteArray &rand, const QByteArray &autn) = 0;
};

// Hands out links by EID; the simulated field is one, a TLS transport to device agents another.
class DeviceLinkProvider
{
public:
    virtual ~DeviceLinkProvider() = default;
    virtual std::unique_ptr<DeviceLink> linkTo(const QString &eid) = 0;
};

// Opens the devices a workspace's jobs talk to. The programs choose which (the simulated field
// beside the workspace, devices on the network); the layers above the backend only call it, so
// none of them depends on where the devices live. The message says what to do on failure.
using DeviceLinksOpener = std::function<Result<std::unique_ptr<DeviceLinkProvider>>(const QString &workspacePath)>;

// Reaches no device: for reading campaigns and reports, which never talk to equipment.
class NoDeviceLinks : public DeviceLinkProvider
{
public:
    std::unique_ptr<DeviceLink> linkTo(const QString &) override { return nullptr; }
};

// Waits for a device's answer at most timeout; a silent device becomes an error that says so.
template<typename T>
Result<T> awaitAnswer(const Answer<T> &answer, std::chrono::milliseconds timeout, const QString &eid)
{
    return answer.wait(timeout, eid);
}

} // namespace simfleet::devices
