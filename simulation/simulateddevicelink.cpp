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
devices::Answer<T> SimulatedDeviceLink::ask(std::function<Result<T>(SimulatedDevice &)> answer)
{
    if (!m_device)
        return devices::Answer<T>::ready(fail(QStringLiteral("no device %1 in the field").arg(m_eid)));
    const Fault fault = m_device->spec().fault;
    if (fault == Fault::Offline)
        return devices::Answer<T>::pending().first; // never settled: the caller's deadline ends it
    if (fault != Fault::Slow)
        return devices::Answer<T>::deferred([device = m_device, answer = std::move(answer)] { return answer(*device); });
    auto [pending, settle] = devices::Answer<T>::pending();
    const auto latency = m_field->timing().slowLatency;
    m_field->deviceThreads().start([settle = settle, device = m_device, answer = std::move(answer), latency] {
        Result<T> result = answer(*device);
        QThread::msleep(static_cast<unsigned long>(latency.count()));
        settle(std::move(result));
    });
    return pending;
}

devices::Answer<devices::DeviceInfo> SimulatedDeviceLink::info()
{
    return ask<devices::DeviceInfo>([](SimulatedDevice &d) { return d.info(); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::attest(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.attest(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::profilesInfo(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.profilesInfo(request); });
}

// The three operations reach the same handler, which reads which one from the request's tag,
// as the eUICC does.
devices::Answer<QByteArray> SimulatedDeviceLink::enableProfile(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.changeProfile(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::disableProfile(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.changeProfile(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::deleteProfile(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.changeProfile(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::listNotifications(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.listNotifications(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::retrieveNotifications(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.retrieveNotifications(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::removeNotification(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.removeNotification(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::euiccInfo1()
{
    return ask<QByteArray>([](SimulatedDevice &d) { return d.euiccInfo1(); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::challenge()
{
    return ask<QByteArray>([](SimulatedDevice &d) { return d.challenge(); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::prepareDownload(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.prepareDownload(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::authenticateServer(const QByteArray &request)
{
    return ask<QByteArray>([request](SimulatedDevice &d) { return d.authenticateServer(request); });
}

devices::Answer<QByteArray> SimulatedDeviceLink::loadBoundPackage(const QByteArray &boundProfilePackage)
{
    return ask<QByteArray>([boundProfilePackage](SimulatedDevice &d) { return d.loadBoundPackage(boundProfilePackage); });
}

devices::Answer<devices::AttachReport> SimulatedDeviceLink::attach(const QByteArray &rand, const QByteArray &autn)
{
    return ask<devices::AttachReport>([rand, autn](SimulatedDevice &d) { return d.attach(rand, autn); });
}

} // namespace simfleet::simulation
