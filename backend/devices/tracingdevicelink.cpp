#include "tracingdevicelink.h"

#include "protocol/authenticateserver.h"

namespace simfleet::devices {

namespace {
using Direction = ProtocolTrace::Direction;
}

TracingDeviceLink::TracingDeviceLink(std::unique_ptr<DeviceLink> inner, Recorder recorder)
    : m_inner(std::move(inner)), m_recorder(std::move(recorder)), m_eid(m_inner->eid())
{
}

Answer<QByteArray> TracingDeviceLink::answered(const char *answerType, const Answer<QByteArray> &answer)
{
    return answer.map<QByteArray>([recorder = m_recorder, eid = m_eid, answerType](const QByteArray &bytes) -> Result<QByteArray> {
        recorder(eid, Direction::FromDevice, answerType, bytes);
        return bytes;
    });
}

// The request is recorded before the call: a device in this process may answer at once.
template<typename Call>
Answer<QByteArray> TracingDeviceLink::exchange(const char *requestType, const QByteArray &request, const char *answerType, Call call)
{
    m_recorder(m_eid, Direction::ToDevice, requestType, request);
    return answered(answerType, call());
}

QString TracingDeviceLink::eid() const
{
    return m_eid;
}

Answer<DeviceInfo> TracingDeviceLink::info()
{
    return m_inner->info();
}

Answer<QByteArray> TracingDeviceLink::attest(const QByteArray &request)
{
    return exchange("SimfleetDefinitions.AttestationRequest", request, "SimfleetDefinitions.AttestationResponse", [&] { return m_inner->attest(request); });
}

Answer<QByteArray> TracingDeviceLink::profilesInfo(const QByteArray &request)
{
    return exchange("RSPDefinitions.ProfileInfoListRequest", request, "RSPDefinitions.ProfileInfoListResponse", [&] { return m_inner->profilesInfo(request); });
}

Answer<QByteArray> TracingDeviceLink::enableProfile(const QByteArray &request)
{
    return exchange("RSPDefinitions.EnableProfileRequest", request, "RSPDefinitions.EnableProfileResponse", [&] { return m_inner->enableProfile(request); });
}

Answer<QByteArray> TracingDeviceLink::disableProfile(const QByteArray &request)
{
    return exchange("RSPDefinitions.DisableProfileRequest", request, "RSPDefinitions.DisableProfileResponse", [&] { return m_inner->disableProfile(request); });
}

Answer<QByteArray> TracingDeviceLink::deleteProfile(const QByteArray &request)
{
    return exchange("RSPDefinitions.DeleteProfileRequest", request, "RSPDefinitions.DeleteProfileResponse", [&] { return m_inner->deleteProfile(request); });
}

Answer<QByteArray> TracingDeviceLink::listNotifications(const QByteArray &request)
{
    return exchange("RSPDefinitions.ListNotificationRequest", request, "RSPDefinitions.ListNotificationResponse", [&] { return m_inner->listNotifications(request); });
}

Answer<QByteArray> TracingDeviceLink::retrieveNotifications(const QByteArray &request)
{
    return exchange("RSPDefinitions.RetrieveNotificationsListRequest", request, "RSPDefinitions.RetrieveNotificationsListResponse", [&] { return m_inner->retrieveNotifications(request); });
}

Answer<QByteArray> TracingDeviceLink::removeNotification(const QByteArray &request)
{
    // ES10b.RemoveNotificationFromList carries NotificationSentRequest and its answer.
    return exchange("RSPDefinitions.NotificationSentRequest", request, "RSPDefinitions.NotificationSentResponse", [&] { return m_inner->removeNotification(request); });
}

Answer<QByteArray> TracingDeviceLink::euiccInfo1()
{
    return exchange("RSPDefinitions.GetEuiccInfo1Request", protocol::getEuiccInfo1Request.toByteArray(), "RSPDefinitions.EUICCInfo1",
                    [&] { return m_inner->euiccInfo1(); });
}

Answer<QByteArray> TracingDeviceLink::challenge()
{
    return exchange("RSPDefinitions.GetEuiccChallengeRequest", protocol::getEuiccChallengeRequest.toByteArray(),
                    "RSPDefinitions.GetEuiccChallengeResponse", [&] { return m_inner->challenge(); });
}

Answer<QByteArray> TracingDeviceLink::authenticateServer(const QByteArray &request)
{
    return exchange("RSPDefinitions.AuthenticateServerRequest", request, "RSPDefinitions.AuthenticateServerResponse", [&] { return m_inner->authenticateServer(request); });
}

Answer<QByteArray> TracingDeviceLink::prepareDownload(const QByteArray &request)
{
    return exchange("RSPDefinitions.PrepareDownloadRequest", request, "RSPDefinitions.PrepareDownloadResponse", [&] { return m_inner->prepareDownload(request); });
}

Answer<QByteArray> TracingDeviceLink::loadBoundPackage(const QByteArray &boundProfilePackage)
{
    // The package as sent: its profile elements encrypted under the session keys.
    return exchange("RSPDefinitions.BoundProfilePackage", boundProfilePackage, "RSPDefinitions.ProfileInstallationResult",
                    [&] { return m_inner->loadBoundPackage(boundProfilePackage); });
}

Answer<AttachReport> TracingDeviceLink::attach(const QByteArray &rand, const QByteArray &autn)
{
    return m_inner->attach(rand, autn);
}

TracingLinkProvider::TracingLinkProvider(DeviceLinkProvider &inner, std::shared_ptr<ProtocolTrace> trace)
    : m_inner(inner), m_trace(std::move(trace))
{
}

std::unique_ptr<DeviceLink> TracingLinkProvider::linkTo(const QString &eid)
{
    std::unique_ptr<DeviceLink> link = m_inner.linkTo(eid);
    if (!link)
        return link;
    return std::make_unique<TracingDeviceLink>(
        std::move(link), [trace = m_trace](const QString &device, ProtocolTrace::Direction direction, const char *type,
                                           const QByteArray &der) { trace->record(device, direction, type, der); });
}

} // namespace simfleet::devices
