#include "locales9plus.h"

#include "rsphttpsclient.h"
#include "profiles/es9plusservice.h"

namespace simfleet::net {

namespace es9 = protocol::es9plus;

Result<QJsonObject> LocalEs9Plus::call(es9::Function function, const QByteArray &body)
{
    const auto reply = m_service->handle(function, body);
    if (!reply.body)
        return QJsonObject();
    return functionMembers(*reply.body, QStringLiteral("the profile server"), es9::functionName(function), "ES9+",
                           es9::maxResponseBytes);
}

Result<es9::InitiateAuthenticationResponse> LocalEs9Plus::initiateAuthentication(const es9::InitiateAuthenticationRequest &request)
{
    return es9Answer<es9::InitiateAuthenticationResponse>(call(es9::Function::InitiateAuthentication, request.toJson()));
}

Result<es9::AuthenticateClientResponse> LocalEs9Plus::authenticateClient(const es9::AuthenticateClientRequest &request)
{
    return es9Answer<es9::AuthenticateClientResponse>(call(es9::Function::AuthenticateClient, request.toJson()));
}

Result<es9::GetBoundProfilePackageResponse> LocalEs9Plus::getBoundProfilePackage(const es9::GetBoundProfilePackageRequest &request)
{
    return es9Answer<es9::GetBoundProfilePackageResponse>(call(es9::Function::GetBoundProfilePackage, request.toJson()));
}

Result<void> LocalEs9Plus::handleNotification(const es9::HandleNotificationRequest &request)
{
    auto members = call(es9::Function::HandleNotification, request.toJson());
    return members ? Result<void>() : Result<void>(members.error());
}

Result<void> LocalEs9Plus::cancelSession(const es9::CancelSessionRequest &request)
{
    auto members = call(es9::Function::CancelSession, request.toJson());
    return members ? Result<void>() : Result<void>(members.error());
}

} // namespace simfleet::net
