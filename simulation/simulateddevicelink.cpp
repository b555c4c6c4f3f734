#include "simulateddevicelink.h"
#include "simulatedfield.h"

#include <QThread>
#include <QThreadPool>

namespace simfleet::simulation {

SimulatedDeviceLink::SimulatedDeviceLink(SimulatedField *field, QString eid) : m_field(field), m_eid(std::move(eid)) { }

SimulatedDeviceLink::~SimulatedDeviceLink() = default;

template<typename T>
std::future<Result<T>> SimulatedDeviceLink::ask(std::function<Result<T>()> answer)
{
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    const Fault fault = m_field->faultOf(m_eid);
    if (fault == Fault::Offline) {
        QMutexLocker lock(&m_mutex);
        m_unanswered.push_back(promise);
        return future;
    }
    const auto latency = fault == Fault::Slow ? m_field->timing().slowLatency : std::chrono::milliseconds(0);
    if (latency.count() == 0) {
        // A device that answers at once computes its answer when the caller collects it, on the
        // caller's thread: the same answer, without handing work between threads.
        return std::async(std::launch::deferred, std::move(answer));
    }
    m_field->deviceThreads().start([promise, answer = std::move(answer), latency] {
        Result<T> result = answer();
        if (latency.count() > 0)
            QThread::msleep(static_cast<unsigned long>(latency.count()));
        promise->set_value(std::move(result));
    });
    return future;
}

std::future<Result<devices::DeviceInfo>> SimulatedDeviceLink::info()
{
    return ask<devices::DeviceInfo>([field = m_field, eid = m_eid] { return field->answerInfo(eid); });
}

std::future<Result<QByteArray>> SimulatedDeviceLink::evidence(const QByteArray &nonce)
{
    return ask<QByteArray>([field = m_field, eid = m_eid, nonce] { return field->answerEvidence(eid, nonce); });
}

std::future<Result<QList<devices::InstalledProfile>>> SimulatedDeviceLink::listProfiles()
{
    return ask<QList<devices::InstalledProfile>>([field = m_field, eid = m_eid] { return field->answerListProfiles(eid); });
}

std::future<Result<void>> SimulatedDeviceLink::enableProfile(const QString &iccid)
{
    return ask<void>([field = m_field, eid = m_eid, iccid] { return field->answerProfileChange(eid, iccid, QStringLiteral("enable")); });
}

std::future<Result<void>> SimulatedDeviceLink::disableProfile(const QString &iccid)
{
    return ask<void>([field = m_field, eid = m_eid, iccid] { return field->answerProfileChange(eid, iccid, QStringLiteral("disable")); });
}

std::future<Result<void>> SimulatedDeviceLink::deleteProfile(const QString &iccid)
{
    return ask<void>([field = m_field, eid = m_eid, iccid] { return field->answerProfileChange(eid, iccid, QStringLiteral("delete")); });
}

std::future<Result<QByteArray>> SimulatedDeviceLink::challenge()
{
    return ask<QByteArray>([field = m_field, eid = m_eid] { return field->answerChallenge(eid); });
}

std::future<Result<protocol::DeviceAuthentication>> SimulatedDeviceLink::authenticateServer(const protocol::ServerAuthentication &request)
{
    return ask<protocol::DeviceAuthentication>(
        [field = m_field, eid = m_eid, request] { return field->answerAuthenticateServer(eid, request); });
}

std::future<Result<QString>> SimulatedDeviceLink::loadBoundPackage(const QList<QByteArray> &segments)
{
    return ask<QString>([field = m_field, eid = m_eid, segments] { return field->answerLoadBoundPackage(eid, segments); });
}

std::future<Result<devices::AttachReport>> SimulatedDeviceLink::attach(const QByteArray &rand, const QByteArray &autn)
{
    return ask<devices::AttachReport>([field = m_field, eid = m_eid, rand, autn] { return field->answerAttach(eid, rand, autn); });
}

} // namespace simfleet::simulation
