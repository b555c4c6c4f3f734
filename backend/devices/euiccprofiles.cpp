#include "euiccprofiles.h"

#include "protocol/profilemanagement.h"

namespace simfleet::devices {

namespace {

using protocol::ProfileOperation;

Answer<void> operate(DeviceLink &link, ProfileOperation operation, const QString &iccid)
{
    const QByteArray request = protocol::ProfileOperationRequest { operation, iccid, {}, true }.encode();
    Answer<QByteArray> answer = operation == ProfileOperation::Enable    ? link.enableProfile(request)
                                : operation == ProfileOperation::Disable ? link.disableProfile(request)
                                                                         : link.deleteProfile(request);
    return answer.map<void>([eid = link.eid(), iccid, operation](const QByteArray &bytes) -> Result<void> {
        auto response = protocol::ProfileOperationResponse::decode(bytes);
        if (!response)
            return fail(QStringLiteral("device %1: %2").arg(eid, response.errorMessage()));
        if (response->operation != operation)
            return fail(QStringLiteral("device %1 answered the request to %2 profile %3 with another operation's answer")
                            .arg(eid, protocol::profileOperationName(operation), iccid));
        return response->outcome(eid, iccid);
    });
}

} // namespace

Answer<QList<InstalledProfile>> listProfiles(DeviceLink &link)
{
    // Only what the backend reads: the ICCID, the state, and the owner (its MCC and MNC).
    protocol::ProfileInfoListRequest request;
    request.tagList = QByteArray::fromHex("5a9f70b7");
    return link.profilesInfo(request.encode()).map<QList<InstalledProfile>>([eid = link.eid()](const QByteArray &bytes)
                                                                               -> Result<QList<InstalledProfile>> {
        auto response = protocol::ProfileInfoListResponse::decode(bytes);
        if (!response)
            return fail(QStringLiteral("device %1: %2").arg(eid, response.errorMessage()));
        QList<InstalledProfile> out;
        for (const protocol::ProfileInfo &p : std::as_const(response->profiles)) {
            if (p.iccid.isEmpty() || !p.state)
                return fail(QStringLiteral("device %1 lists a profile without its ICCID or its state").arg(eid));
            out.append({ p.iccid, *p.state == protocol::ProfileState::Enabled ? QStringLiteral("enabled") : QStringLiteral("disabled"),
                         p.ownerPlmn });
        }
        return out;
    });
}

Answer<void> enableProfile(DeviceLink &link, const QString &iccid)
{
    return operate(link, ProfileOperation::Enable, iccid);
}

Answer<void> disableProfile(DeviceLink &link, const QString &iccid)
{
    return operate(link, ProfileOperation::Disable, iccid);
}

Answer<void> deleteProfile(DeviceLink &link, const QString &iccid)
{
    return operate(link, ProfileOperation::Delete, iccid);
}

} // namespace simfleet::devices
