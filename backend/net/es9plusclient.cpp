#include "es9plusclient.h"

namespace simfleet::net {

namespace es9 = protocol::es9plus;

Es9PlusClient::Es9PlusClient(QUrl base, QList<QSslCertificate> roots, QString peerName, std::chrono::milliseconds timeout)
    : m_http(std::move(base), std::move(roots), std::move(peerName), timeout)
{
    m_http.setPeerRole(QStringLiteral("the profile server"));
}

Result<QJsonObject> Es9PlusClient::call(es9::Function function, const QByteArray &requestBody)
{
    return m_http.call(es9::functionPath(function), requestBody, "ES9+", es9::maxResponseBytes);
}

Result<es9::InitiateAuthenticationResponse> Es9PlusClient::initiateAuthentication(const es9::InitiateAuthenticationRequest &request)
{
    return es9Answer<es9::InitiateAuthenticationResponse>(call(es9::Function::InitiateAuthentication, request.toJson()));
}

Result<es9::AuthenticateClientResponse> Es9PlusClient::authenticateClient(const es9::AuthenticateClientRequest &request)
{
    return es9Answer<es9::AuthenticateClientResponse>(call(es9::Function::AuthenticateClient, request.toJson()));
}

Result<es9::GetBoundProfilePackageResponse> Es9PlusClient::getBoundProfilePackage(const es9::GetBoundProfilePackageRequest &request)
{
    return es9Answer<es9::GetBoundProfilePackageResponse>(call(es9::Function::GetBoundProfilePackage, request.toJson()));
}

Result<void> Es9PlusClient::handleNotification(const es9::HandleNotificationRequest &request)
{
    auto reply = post(es9::functionPath(es9::Function::HandleNotification), request.toJson());
    if (!reply)
        return reply.error();
    if (reply->status != 204)
        return failWith(ErrorCode::ProfileServerRefused,
                        QStringLiteral("the profile server answered handleNotification with HTTP %1, not 204").arg(reply->status));
    return {};
}

Result<void> Es9PlusClient::cancelSession(const es9::CancelSessionRequest &request)
{
    auto members = call(es9::Function::CancelSession, request.toJson());
    if (!members)
        return members.error();
    return {};
}

} // namespace simfleet::net
