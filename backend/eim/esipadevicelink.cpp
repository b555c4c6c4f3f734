#include "esipadevicelink.h"

#include "esipaservice.h"
#include "crypto/certificate.h"
#include "protocol/notifications.h"
#include "protocol/profilemanagement.h"

namespace simfleet::eim {

namespace esipa = protocol::esipa;
using devices::Answer;

namespace {

QString refusalName(int code)
{
    switch (code) {
    case protocol::EuiccPackageErrorData::InvalidEid: return QStringLiteral("invalidEid");
    case protocol::EuiccPackageErrorData::ReplayError: return QStringLiteral("replayError");
    case protocol::EuiccPackageErrorData::CounterValueOutOfRange: return QStringLiteral("counterValueOutOfRange");
    case protocol::EuiccPackageErrorData::SizeOverflow: return QStringLiteral("sizeOverflow");
    default: return QStringLiteral("undefinedError");
    }
}

// The first result of a one-PSMO package, or why there is none.
Result<protocol::EuiccResultData> onlyResult(const QString &eid, const PackageResult &result)
{
    if (result.euicc.refusedWith != 0)
        return fail(QStringLiteral("device %1's eUICC refused the package (%2)").arg(eid, refusalName(result.euicc.refusedWith)));
    if (result.euicc.results.isEmpty())
        return fail(QStringLiteral("device %1's eUICC ran none of the package").arg(eid));
    const protocol::EuiccResultData &first = result.euicc.results.first();
    if (first.kind == protocol::EuiccResultData::Kind::ProcessingTerminated)
        return fail(QStringLiteral("device %1's eUICC stopped the package (processingTerminated %2)").arg(eid).arg(first.result));
    return first;
}

Result<esipa::SimfleetEimPackageResult> simfleetResult(const PackageResult &result)
{
    return esipa::SimfleetEimPackageResult::decode(result.result);
}

} // namespace

EsipaDeviceLink::EsipaDeviceLink(std::shared_ptr<EsipaService> service, QString eid)
    : m_service(std::move(service)), m_eid(std::move(eid))
{
}

Answer<devices::DeviceInfo> EsipaDeviceLink::info()
{
    // SGP.32 section 2.11.1.2: the certificates of the eUICC and its manufacturer.
    return m_service->queueEuiccData(m_eid, EsipaService::certificateTags())
        .map<devices::DeviceInfo>([eid = m_eid](const PackageResult &result) -> Result<devices::DeviceInfo> {
            auto response = protocol::IpaEuiccDataResponse::decode(result.result);
            if (!response)
                return response.error();
            const auto *data = std::get_if<protocol::IpaEuiccData>(&response->content);
            if (!data)
                return fail(QStringLiteral("device %1's IPA could not give its eUICC's data").arg(eid));
            devices::DeviceInfo info;
            info.eid = eid;
            info.certificateChain = { data->euiccCertificate, data->eumCertificate };
            return info;
        });
}

Answer<QByteArray> EsipaDeviceLink::attest(const QByteArray &request)
{
    esipa::SimfleetEimPackage package;
    package.kind = esipa::SimfleetEimPackage::Kind::Attest;
    package.attestationRequest = request;
    return m_service->queueSimfleet(m_eid, std::move(package)).map<QByteArray>([eid = m_eid](const PackageResult &result) -> Result<QByteArray> {
        auto answer = simfleetResult(result);
        if (!answer)
            return answer.error();
        if (answer->kind != esipa::SimfleetEimPackage::Kind::Attest)
            return fail(QStringLiteral("device %1 answered an attestation with an attach report").arg(eid));
        return answer->attestationResponse;
    });
}

Answer<QByteArray> EsipaDeviceLink::profilesInfo(const QByteArray &requestBytes)
{
    auto request = protocol::ProfileInfoListRequest::decode(requestBytes);
    if (!request)
        return Answer<QByteArray>::ready(request.error());
    return m_service->queuePsmos(m_eid, { protocol::Psmo::listProfiles(request.value()) })
        .map<QByteArray>([eid = m_eid, tagList = request->tagList](const PackageResult &result) -> Result<QByteArray> {
            auto first = onlyResult(eid, result);
            if (!first)
                return first.error();
            if (first->kind != protocol::EuiccResultData::Kind::ListProfileInfo)
                return fail(QStringLiteral("device %1 answered a profile list with another result").arg(eid));
            if (first->listError)
                return protocol::ProfileInfoListResponse::encodeError(first->result);
            return protocol::ProfileInfoListResponse { first->profiles }.encode(tagList);
        });
}

Answer<QByteArray> EsipaDeviceLink::profileOperation(const QByteArray &requestBytes)
{
    auto request = protocol::ProfileOperationRequest::decode(requestBytes);
    if (!request)
        return Answer<QByteArray>::ready(request.error());
    // A PSMO names its profile by ICCID only (SGP.32 section 2.11.1.1.3).
    if (request->iccid.isEmpty())
        return Answer<QByteArray>::ready(fail(QStringLiteral("a profile on a device on the network is named by its ICCID, not its ISD-P")));
    protocol::Psmo psmo;
    protocol::EuiccResultData::Kind expected = protocol::EuiccResultData::Kind::Enable;
    switch (request->operation) {
    case protocol::ProfileOperation::Enable:
        psmo = protocol::Psmo::enable(request->iccid, true);
        break;
    case protocol::ProfileOperation::Disable:
        psmo = protocol::Psmo::disable(request->iccid);
        expected = protocol::EuiccResultData::Kind::Disable;
        break;
    case protocol::ProfileOperation::Delete:
        psmo = protocol::Psmo::remove(request->iccid);
        expected = protocol::EuiccResultData::Kind::Delete;
        break;
    }
    return m_service->queuePsmos(m_eid, { psmo })
        .map<QByteArray>([eid = m_eid, iccid = request->iccid, operation = request->operation, expected](const PackageResult &result) -> Result<QByteArray> {
            auto first = onlyResult(eid, result);
            if (!first)
                return first.error();
            if (first->kind != expected)
                return fail(QStringLiteral("device %1 answered a %2 with another result").arg(eid, protocol::profileOperationName(operation)));
            // SGP.32's EnableProfileResult has no disallowedByPolicy: an eUICC that understood the
            // enable and would not do it answers undefinedError, which is the device refusing the
            // enable, as ES10c's disallowedByPolicy is for a device in process.
            if (operation == protocol::ProfileOperation::Enable && first->result == int(protocol::ProfileOperationResult::UndefinedError))
                return failWith(ErrorCode::EnableRejected,
                                QStringLiteral("device %1's eUICC refused to enable profile %2 (undefinedError, SGP.32 names no finer reason)")
                                    .arg(eid, iccid));
            return protocol::ProfileOperationResponse { operation, first->result }.encode();
        });
}

Answer<QByteArray> EsipaDeviceLink::enableProfile(const QByteArray &request)
{
    return profileOperation(request);
}

Answer<QByteArray> EsipaDeviceLink::disableProfile(const QByteArray &request)
{
    return profileOperation(request);
}

Answer<QByteArray> EsipaDeviceLink::deleteProfile(const QByteArray &request)
{
    return profileOperation(request);
}

Answer<QByteArray> EsipaDeviceLink::listNotifications(const QByteArray &)
{
    return Answer<QByteArray>::ready(protocol::ListNotificationResponse {}.encode());
}

Answer<QByteArray> EsipaDeviceLink::retrieveNotifications(const QByteArray &)
{
    return Answer<QByteArray>::ready(protocol::RetrieveNotificationsListResponse {}.encode());
}

Answer<QByteArray> EsipaDeviceLink::removeNotification(const QByteArray &)
{
    return Answer<QByteArray>::ready(protocol::NotificationSentResponse { protocol::NotificationSentResponse::NothingToDelete }.encode());
}

Answer<QByteArray> EsipaDeviceLink::downloadIsTheIpas() const
{
    return Answer<QByteArray>::ready(
        fail(QStringLiteral("device %1 is on the network: its IPA drives a download itself (SGP.32's indirect download), "
                            "which this eIM does not offer yet")
                 .arg(m_eid)));
}

Answer<QByteArray> EsipaDeviceLink::euiccInfo1()
{
    return downloadIsTheIpas();
}

Answer<QByteArray> EsipaDeviceLink::challenge()
{
    return downloadIsTheIpas();
}

Answer<QByteArray> EsipaDeviceLink::authenticateServer(const QByteArray &)
{
    return downloadIsTheIpas();
}

Answer<QByteArray> EsipaDeviceLink::prepareDownload(const QByteArray &)
{
    return downloadIsTheIpas();
}

Answer<QByteArray> EsipaDeviceLink::loadBoundPackage(const QByteArray &)
{
    return downloadIsTheIpas();
}

Answer<devices::AttachReport> EsipaDeviceLink::attach(const QByteArray &rand, const QByteArray &autn)
{
    esipa::SimfleetEimPackage package;
    package.kind = esipa::SimfleetEimPackage::Kind::Attach;
    package.rand = rand;
    package.autn = autn;
    return m_service->queueSimfleet(m_eid, std::move(package))
        .map<devices::AttachReport>([eid = m_eid](const PackageResult &result) -> Result<devices::AttachReport> {
            auto answer = simfleetResult(result);
            if (!answer)
                return answer.error();
            if (answer->kind != esipa::SimfleetEimPackage::Kind::Attach)
                return fail(QStringLiteral("device %1 answered an attach with an attestation").arg(eid));
            if (answer->res.isEmpty() && !answer->fellBack && answer->iccid.isEmpty()) {
                // The device's reason, as the in-process field gives it (attachError, simfleet's module).
                return failWith(esipa::SimfleetEimPackageResult::errorCodeOf(answer->attachError),
                                QStringLiteral("device %1 did not attach: %2").arg(eid, answer->detail));
            }
            return devices::AttachReport { answer->iccid, answer->res, answer->fellBack, answer->detail };
        });
}

std::unique_ptr<devices::DeviceLink> EsipaDeviceLinks::linkTo(const QString &eid)
{
    return std::make_unique<EsipaDeviceLink>(m_service, eid);
}

} // namespace simfleet::eim
