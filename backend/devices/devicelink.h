#pragma once

#include "core/result.h"
#include "store/records.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <future>
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

// A profile as the device's secure element reports it.
struct InstalledProfile
{
    QString iccid;
    QString state; // "enabled" or "disabled"
};

// The conversation the backend has with one device. Every call is asynchronous: the answer
// arrives through the future, and a device that never answers is turned into a timeout by
// awaitAnswer(), never a hang. Nothing above devices/ may assume the device is in-process.
class DeviceLink
{
public:
    virtual ~DeviceLink() = default;
    virtual QString eid() const = 0;

    virtual std::future<Result<DeviceInfo>> info() = 0;
    // Entity Attestation Token bytes for this nonce (RFC 9711, COSE_Sign1/ES256).
    virtual std::future<Result<QByteArray>> evidence(const QByteArray &nonce) = 0;
    virtual std::future<Result<QList<InstalledProfile>>> listProfiles() = 0;
    virtual std::future<Result<void>> enableProfile(const QString &iccid) = 0;
    virtual std::future<Result<void>> disableProfile(const QString &iccid) = 0;
    virtual std::future<Result<void>> deleteProfile(const QString &iccid) = 0;
};

// Hands out links by EID; the simulated field is one, a TLS transport to device agents another.
class DeviceLinkProvider
{
public:
    virtual ~DeviceLinkProvider() = default;
    virtual std::unique_ptr<DeviceLink> linkTo(const QString &eid) = 0;
};

// Waits for a device's answer at most timeout; a silent device becomes an error that says so.
template<typename T>
Result<T> awaitAnswer(std::future<Result<T>> &answer, std::chrono::milliseconds timeout, const QString &eid)
{
    if (answer.wait_for(timeout) != std::future_status::ready)
        return fail(QStringLiteral("device %1 did not answer within %2 s").arg(eid).arg(double(timeout.count()) / 1000.0));
    return answer.get();
}

} // namespace simfleet::devices
