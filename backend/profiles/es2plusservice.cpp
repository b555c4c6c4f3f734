#include "es2plusservice.h"

#include "profileslog.h"

#include "identity/eid.h"

namespace simfleet::profiles {

using namespace protocol::es2plus;

namespace {

QByteArray failed(const StatusCode &status)
{
    qCInfo(lcProfiles) << "ES2+ request refused:" << status.subjectCode << status.reasonCode << status.message;
    return failedResponse(status);
}

template<typename T>
const T *refusedOr(const Parsed<T> &parsed, QByteArray &answer)
{
    if (const auto *refused = std::get_if<StatusCode>(&parsed)) {
        answer = failed(*refused);
        return nullptr;
    }
    return &std::get<T>(parsed);
}

// The EID's check digits (SGP.29), which the codec leaves to the service.
std::optional<StatusCode> eidProblem(const QString &eid)
{
    if (eid.isEmpty())
        return std::nullopt;
    if (auto parsed = identity::Eid::parse(eid); !parsed)
        return status::eidInvalid(parsed.errorMessage());
    return std::nullopt;
}

} // namespace

Es2PlusService::Es2PlusService(std::shared_ptr<DownloadOrderBook> orders, std::shared_ptr<const ProfileServer> server,
                               ProfileAllocator allocate)
    : m_orders(std::move(orders)), m_server(std::move(server)), m_allocate(std::move(allocate))
{
    m_profileType = m_server->profileTemplate().summary().profileType;
    if (m_profileType.isEmpty())
        m_profileType = protocol::ProfileContent().profileType;
}

bool Es2PlusService::provides(Function function)
{
    return function != Function::HandleDownloadProgressInfo;
}

QByteArray Es2PlusService::handle(Function function, QByteArrayView requestBody)
{
    switch (function) {
    case Function::DownloadOrder: return downloadOrder(requestBody);
    case Function::ConfirmOrder: return confirmOrder(requestBody);
    case Function::CancelOrder: return cancelOrder(requestBody);
    case Function::ReleaseProfile: return releaseProfile(requestBody);
    case Function::HandleDownloadProgressInfo: break;
    }
    return failed(status::executionError(QStringLiteral("the profile server does not provide %1; the operator does").arg(functionName(function))));
}

QByteArray Es2PlusService::downloadOrder(QByteArrayView requestBody)
{
    // ES2+.DownloadOrder (SGP.22 section 5.3.1).
    QByteArray answer;
    const auto parsed = DownloadOrderRequest::fromJson(requestBody);
    const DownloadOrderRequest *request = refusedOr(parsed, answer);
    if (!request)
        return answer;
    if (auto problem = eidProblem(request->eid))
        return failed(*problem);
    if (!request->profileType.isEmpty() && request->profileType != m_profileType)
        return failed(status::profileTypeUnknown(
            QStringLiteral("this profile server orders profile type \"%1\" only, not \"%2\"").arg(m_profileType, request->profileType)));
    const QString &requester = request->header.functionRequesterIdentifier;
    std::optional<BookedOrder> booked;
    if (!request->iccid.isEmpty()) {
        auto reserved = m_orders->reserve(request->iccid, request->eid, requester);
        if (const auto *refused = std::get_if<StatusCode>(&reserved))
            return failed(*refused);
        booked = std::get<BookedOrder>(std::move(reserved));
    } else {
        booked = m_orders->reserveAny(request->eid, requester);
    }
    if (!booked) {
        auto made = m_allocate(requester);
        if (!made)
            return failed(made.error().code == ErrorCode::RangeExhausted ? status::profileTypeUnavailable(made.errorMessage())
                                                                        : status::executionError(made.errorMessage()));
        DownloadOrder order = std::move(made).value();
        order.eid = request->eid;
        order.profile.profileType = m_profileType;
        booked = m_orders->addAllocated(std::move(order), m_profileType, requester);
    }
    qCInfo(lcProfiles).noquote() << QStringLiteral("ES2+ order for %1: profile %2 allocated%3")
                                        .arg(requester, booked->order.profile.iccid,
                                             request->eid.isEmpty() ? QString() : QStringLiteral(" for EID %1").arg(request->eid));
    return DownloadOrderResponse { booked->order.profile.iccid }.toJson();
}

QByteArray Es2PlusService::confirmOrder(QByteArrayView requestBody)
{
    // ES2+.ConfirmOrder (SGP.22 section 5.3.2).
    QByteArray answer;
    const auto parsed = ConfirmOrderRequest::fromJson(requestBody);
    const ConfirmOrderRequest *request = refusedOr(parsed, answer);
    if (!request)
        return answer;
    // simfleet relays downloads for M2M devices (SGP.32's indirect download): no user types a
    // code, so the eUICC's PrepareDownloadResponse never carries its hash (hashCc, section
    // 5.7.5) to check.
    if (request->confirmationCode && !request->confirmationCode->isEmpty())
        return failed(status::confirmationCodeUnsupported(
            QStringLiteral("simfleet's downloads carry no confirmation code; confirm the order without one")));
    // Nor does it register events with a discovery server (ES12.RegisterEvent).
    if (request->smdsAddress && !request->smdsAddress->isEmpty())
        return failed(status::smdsInaccessible(
            QStringLiteral("this profile server reaches no SM-DS; give the device the activation code (SM-DP+ address and "
                           "Matching ID) instead of an smdsAddress")));
    if (auto problem = eidProblem(request->eid))
        return failed(*problem);
    auto confirmed = m_orders->confirm(request->iccid, request->eid, request->matchingId, request->releaseFlag);
    if (const auto *refused = std::get_if<StatusCode>(&confirmed))
        return failed(*refused);
    const BookedOrder &order = std::get<BookedOrder>(confirmed);
    qCInfo(lcProfiles) << "ES2+ order for profile" << request->iccid << (request->releaseFlag ? "confirmed and released" : "confirmed");
    return ConfirmOrderResponse { order.order.eid, order.matchingId, m_server->address() }.toJson();
}

QByteArray Es2PlusService::cancelOrder(QByteArrayView requestBody)
{
    // ES2+.CancelOrder (SGP.22 section 5.3.3).
    QByteArray answer;
    const auto parsed = CancelOrderRequest::fromJson(requestBody);
    const CancelOrderRequest *request = refusedOr(parsed, answer);
    if (!request)
        return answer;
    auto cancelled = m_orders->cancel(request->iccid, request->eid, request->matchingId, request->finalProfileStatusIndicator);
    if (const auto *refused = std::get_if<StatusCode>(&cancelled))
        return failed(*refused);
    qCInfo(lcProfiles) << "ES2+ order for profile" << request->iccid << "cancelled, the profile"
                       << (request->finalProfileStatusIndicator == FinalProfileStatus::Available ? "back in stock" : "unavailable");
    return successResponse();
}

QByteArray Es2PlusService::releaseProfile(QByteArrayView requestBody)
{
    // ES2+.ReleaseProfile (SGP.22 section 5.3.4).
    QByteArray answer;
    const auto parsed = ReleaseProfileRequest::fromJson(requestBody);
    const ReleaseProfileRequest *request = refusedOr(parsed, answer);
    if (!request)
        return answer;
    auto released = m_orders->release(request->iccid);
    if (const auto *refused = std::get_if<StatusCode>(&released))
        return failed(*refused);
    qCInfo(lcProfiles) << "ES2+ order for profile" << request->iccid << "released";
    return successResponse();
}

} // namespace simfleet::profiles
