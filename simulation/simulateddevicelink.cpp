#include "simulateddevicelink.h"
#include "simulatedfield.h"

#include <QThread>
#include <QThreadPool>

namespace simfleet::simulation {

SimulatedDeviceLink::SimulatedDeviceLink(SimulatedField *field, std::shared_ptr<SimulatedDevice> device, QString eid)
    : m_field(field), m_device(std::move(device)), m_eid(std::move(eid))
{
}

SimulatedDeviceLink::~SimulatedDeviceLink() = default;

template<typename T>
std::future<Result<T>> SimulatedDeviceLink::ask(std::function<Result<T>(SimulatedDevice &)> answer)
{
    if (!m_device) {
        std::promise<Result<T>> absent;
        absent.set_value(fail(QStringLiteral("no device %1 in the field").arg(m_eid)));
        return absent.get_future();
    }
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    const Fault fault = m_device->spec().fault;
    if (fault == Fault::Offline) {
        QMutexLocker lock(&m_mutex);
        m_unanswered.push_back(promise);
        return future;
    }
    const auto latency = fault == Fault::Slow ? m_field->timing().slowLatency : std::chrono::milliseconds(0);
    if (latency.count() == 0) {
        // A device that answers at once computes its answer when the caller collects it, on the
        // caller's thread: the same answer, without handing work between threads.
        return std::async(std::launch::deferred, [device = m_device, answer = std::move(answer)] { return answer(*device); });
    }
    m_field->deviceThreads().start([promise, device = m_device, answer = std::move(answer), latency] {
        Result<T> result = answer(*device);
        QThread::msleep(static_cast<unsigned long>(latency.count()));
        promise->set_value(std::move(result));
    });
    return future;
}

std::future<Result<devices::DeviceInfo>> SimulatedDeviceLink::info()
{
    return ask<devices::DeviceInfo>([](SimulatedDevice &d) { return d.info(); });
}

std::future<Result<QByteArray>> SimulatedDeviceLink::evidence(const QByteArray &nonce)
{
    return ask<QByteArray>([nonce](SimulatedDevice &d) { return d.evidence(nonce); });
}

std::future<Result<QList<devices::InstalledProfile>>> SimulatedDeviceLink::listProfiles()
{
    return ask<QList<devices::InstalledProfile>>([](SimulatedDevice &d) { return d.listProfiles(); });
}

std::future<Result<void>> SimulatedDeviceLink::enableProfile(const QString &iccid)
{
    return ask<void>([iccid](SimulatedDevice &d) { return d.changeProfile(iccid, ProfileOperation::Enable); });
}

std::future<Result<void>> SimulatedDeviceLink::disableProfile(const QString &iccid)
{
    return ask<void>([iccid](SimulatedDevice &d) { return d.changeProfile(iccid, ProfileOperation::Disable); });
}

std::future<Result<void>> SimulatedDeviceLink::deleteProfile(const QString &iccid)
{
    return ask<void>([iccid](SimulatedDevice &d) { return d.changeProfile(iccid, ProfileOperation::Delete); });
}

std::future<Result<QByteArray>> SimulatedDeviceLink::challenge()
{
    return ask<QByteArray>([](SimulatedDevice &d) { return d.challenge(); });
}

std::future<Result<protocol::DeviceAuthentication>> SimulatedDeviceLink::authenticateServer(const protocol::ServerAuthentication &request)
{
    return ask<protocol::DeviceAuthentication>([request](SimulatedDevice &d) { return d.authenticateServer(request); });
}

std::future<Result<QString>> SimulatedDeviceLink::loadBoundPackage(const QList<QByteArray> &segments)
{
    return ask<QString>([segments](SimulatedDevice &d) { return d.loadBoundPackage(segments); });
}

std::future<Result<devices::AttachReport>> SimulatedDeviceLink::attach(const QByteArray &rand, const QByteArray &autn)
{
    return ask<devices::AttachReport>([rand, autn](SimulatedDevice &d) { return d.attach(rand, autn); });
}

} // namespace simfleet::simulation
