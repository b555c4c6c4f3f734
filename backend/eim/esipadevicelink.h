#pragma once

#include "devices/devicelink.h"

#include <memory>

namespace simfleet::eim {

class EsipaService;

// A device on the network behind simfleet's eIM (SGP.32): every call becomes an eIM package
// queued for the device, and its Answer settles when the device's IPA next checks in, runs it and
// provides the result; a device that does not check in before the caller's deadline times out
// like any. ES10c's operations travel as PSMOs in signed eUICC packages (their results signed by
// the eUICC), attestation and the attach report in simfleet's own package, the device's
// description as IpaEuiccData. The answers are the DER a device in this process gives, so
// everything above devices/ runs unchanged. The IPA delivers the eUICC's notifications itself
// (ESipa's handleNotification): the notification calls find none pending. The download is the
// IPA's to drive (SGP.32's indirect download, relayed by the eIM), not the backend's: the ES10b
// calls are refused with a message saying so.
class EsipaDeviceLink : public devices::DeviceLink
{
public:
    EsipaDeviceLink(std::shared_ptr<EsipaService> service, QString eid);

    QString eid() const override { return m_eid; }
    devices::Answer<devices::DeviceInfo> info() override;
    devices::Answer<QByteArray> attest(const QByteArray &request) override;
    devices::Answer<QByteArray> profilesInfo(const QByteArray &request) override;
    devices::Answer<QByteArray> enableProfile(const QByteArray &request) override;
    devices::Answer<QByteArray> disableProfile(const QByteArray &request) override;
    devices::Answer<QByteArray> deleteProfile(const QByteArray &request) override;
    devices::Answer<QByteArray> listNotifications(const QByteArray &request) override;
    devices::Answer<QByteArray> retrieveNotifications(const QByteArray &request) override;
    devices::Answer<QByteArray> removeNotification(const QByteArray &request) override;
    devices::Answer<QByteArray> euiccInfo1() override;
    devices::Answer<QByteArray> challenge() override;
    devices::Answer<QByteArray> authenticateServer(const QByteArray &request) override;
    devices::Answer<QByteArray> prepareDownload(const QByteArray &request) override;
    devices::Answer<QByteArray> loadBoundPackage(const QByteArray &boundProfilePackage) override;
    devices::Answer<devices::AttachReport> attach(const QByteArray &rand, const QByteArray &autn) override;

private:
    devices::Answer<QByteArray> profileOperation(const QByteArray &request);
    devices::Answer<QByteArray> downloadIsTheIpas() const;

    std::shared_ptr<EsipaService> m_service;
    QString m_eid;
};

// The devices of a workspace on the network, all behind one eIM.
class EsipaDeviceLinks : public devices::DeviceLinkProvider
{
public:
    explicit EsipaDeviceLinks(std::shared_ptr<EsipaService> service) : m_service(std::move(service)) { }
    std::unique_ptr<devices::DeviceLink> linkTo(const QString &eid) override;
    EsipaService &service() const { return *m_service; }

private:
    std::shared_ptr<EsipaService> m_service;
};

} // namespace simfleet::eim
