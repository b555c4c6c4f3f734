#pragma once

#include "devices/devicelink.h"

#include <QMutex>

#include <functional>
#include <memory>
#include <vector>

namespace simfleet::simulation {

class SimulatedDevice;
class SimulatedField;

// A DeviceLink to one simulated device. Answers are computed on worker threads, so calls
// return at once; a slow device answers late and an offline device never does.
class SimulatedDeviceLink : public devices::DeviceLink
{
public:
    // device is null for an EID the field does not hold: every call then fails, saying so.
    SimulatedDeviceLink(SimulatedField *field, std::shared_ptr<SimulatedDevice> device, QString eid);
    ~SimulatedDeviceLink() override;

    QString eid() const override { return m_eid; }
    std::future<Result<devices::DeviceInfo>> info() override;
    std::future<Result<QByteArray>> evidence(const QByteArray &nonce) override;
    std::future<Result<QList<devices::InstalledProfile>>> listProfiles() override;
    std::future<Result<void>> enableProfile(const QString &iccid) override;
    std::future<Result<void>> disableProfile(const QString &iccid) override;
    std::future<Result<void>> deleteProfile(const QString &iccid) override;
    std::future<Result<QByteArray>> challenge() override;
    std::future<Result<protocol::DeviceAuthentication>> authenticateServer(const protocol::ServerAuthentication &request) override;
    std::future<Result<QString>> loadBoundPackage(const QList<QByteArray> &segments) override;
    std::future<Result<devices::AttachReport>> attach(const QByteArray &rand, const QByteArray &autn) override;

private:
    template<typename T>
    std::future<Result<T>> ask(std::function<Result<T>(SimulatedDevice &)> answer);

    SimulatedField *m_field;
    std::shared_ptr<SimulatedDevice> m_device;
    QString m_eid;
    QMutex m_mutex;
    std::vector<std::shared_ptr<void>> m_unanswered; // an offline device's calls, never answered
};

} // namespace simfleet::simulation
