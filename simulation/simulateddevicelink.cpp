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

devices::Answer<QList<devices::InstalledProfile>> SimulatedDeviceLink::listProfiles()
{
    return ask<QList<devices::InstalledProfile>>([](SimulatedDevice &d) { return d.listProfiles(); });
}

devices::Answer<void> SimulatedDeviceLink::enableProfile(const QString &iccid)
{
    return ask<void>([iccid](SimulatedDevice &d) { return d.changeProfile(iccid, ProfileOperation::Enable); });
}

devices::Answer<void> SimulatedDeviceLink::disableProfile(const QString &iccid)
{
    return ask<void>([iccid](SimulatedDevice &d) { return d.changeProfile(iccid, ProfileOperation::Disable); });
}

devices::Answer<void> SimulatedDeviceLink::deleteProfile(const QString &iccid)
{
    return ask<void>([iccid](SimulatedDevice &d) { return d.changeProfile(iccid, ProfileOperation::Delete); });
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
