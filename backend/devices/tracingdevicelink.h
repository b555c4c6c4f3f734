#pragma once

#include "devicelink.h"
#include "protocoltrace.h"

#include <functional>
#include <memory>

namespace simfleet::devices {

// A device link that hands every message it carries, both ways, to a recorder, with the ASN.1
// type it is ("RSPDefinitions.AuthenticateServerRequest"), and otherwise passes everything
// through untouched. The calls that carry no bytes are recorded as the empty requests SGP.22 has
// for them (GetEuiccChallengeRequest, GetEuiccInfo1Request). A device's error or silence is not
// a message and is not recorded; nor are the attach (radio, not ASN.1) and the device's own
// description (info()).
class TracingDeviceLink : public DeviceLink
{
public:
    using Recorder = std::function<void(const QString &eid, ProtocolTrace::Direction, const char *type, const QByteArray &der)>;

    TracingDeviceLink(std::unique_ptr<DeviceLink> inner, Recorder recorder);

    QString eid() const override;
    Answer<DeviceInfo> info() override;
    Answer<QByteArray> attest(const QByteArray &request) override;
    Answer<QByteArray> profilesInfo(const QByteArray &request) override;
    Answer<QByteArray> enableProfile(const QByteArray &request) override;
    Answer<QByteArray> disableProfile(const QByteArray &request) override;
    Answer<QByteArray> deleteProfile(const QByteArray &request) override;
    Answer<QByteArray> listNotifications(const QByteArray &request) override;
    Answer<QByteArray> retrieveNotifications(const QByteArray &request) override;
    Answer<QByteArray> removeNotification(const QByteArray &request) override;
    Answer<QByteArray> euiccInfo1() override;
    Answer<QByteArray> challenge() override;
    Answer<QByteArray> authenticateServer(const QByteArray &request) override;
    Answer<QByteArray> prepareDownload(const QByteArray &request) override;
    Answer<QByteArray> loadBoundPackage(const QByteArray &boundProfilePackage) override;
    Answer<AttachReport> attach(const QByteArray &rand, const QByteArray &autn) override;

private:
    template<typename Call>
    Answer<QByteArray> exchange(const char *requestType, const QByteArray &request, const char *answerType, Call call);
    Answer<QByteArray> answered(const char *answerType, const Answer<QByteArray> &answer);

    std::unique_ptr<DeviceLink> m_inner;
    Recorder m_recorder;
    QString m_eid;
};

// Links whose messages all go into one protocol trace (a campaign run with --trace).
class TracingLinkProvider : public DeviceLinkProvider
{
public:
    TracingLinkProvider(DeviceLinkProvider &inner, std::shared_ptr<ProtocolTrace> trace);
    std::unique_ptr<DeviceLink> linkTo(const QString &eid) override;

private:
    DeviceLinkProvider &m_inner;
    std::shared_ptr<ProtocolTrace> m_trace;
};

} // namespace simfleet::devices
