#pragma once

#include "devices/devicelink.h"


#include <functional>
#include <memory>
#include <vector>

namespace simfleet::simulation {

class SimulatedDevice;
class SimulatedField;

// A DeviceLink to one simulated device. Calls return at once: a device that answers at once
// computes its answer on the thread that collects it (a deferred Answer); a slow device answers
// from one of the field's threads after its latency; an offline device never answers, and the
// caller's deadline turns that into a timeout.
class SimulatedDeviceLink : public devices::DeviceLink
{
public:
    // device is null for an EID the field does not hold: every call then fails, saying so.
    SimulatedDeviceLink(SimulatedField *field, std::shared_ptr<SimulatedDevice> device, QString eid);
    ~SimulatedDeviceLink() override;

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
    template<typename T>
    devices::Answer<T> ask(std::function<Result<T>(SimulatedDevice &)> answer);

    SimulatedField *m_field;
    std::shared_ptr<SimulatedDevice> m_device;
    QString m_eid;
};

} // namespace simfleet::simulation
