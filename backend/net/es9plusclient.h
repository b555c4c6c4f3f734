#pragma once

#include "es9plusfunctions.h"
#include "rsphttpsclient.h"

#include "core/result.h"
#include "protocol/es9plus.h"

#include <QList>
#include <QSslCertificate>
#include <QUrl>

#include <chrono>

namespace simfleet::net {

// An ES9+ client (the LPA's side, or simfleet relaying for a device, SGP.32's indirect
// download): the five functions of SGP.22 section 6.5.2 over RspHttpsClient, which verifies the
// profile server against the roots given and nothing else. Synchronous, one thread.
class Es9PlusClient : public Es9PlusFunctions
{
public:
    // base: https://HOST:PORT. peerName: the name the certificate must carry when it differs
    // from the host connected to (a loopback address serving a named server).
    Es9PlusClient(QUrl base, QList<QSslCertificate> roots, QString peerName = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

    using HttpReply = RspHttpsClient::HttpReply;
    Result<HttpReply> post(const QString &path, const QByteArray &body, const QByteArray &contentType = "application/json",
                           const QByteArray &adminProtocol = protocol::es9plus::adminProtocol)
    {
        return m_http.post(path, body, contentType, adminProtocol, protocol::es9plus::maxResponseBytes);
    }

    // One function: the answer's members, or an error naming the server's status code.
    Result<QJsonObject> call(protocol::es9plus::Function function, const QByteArray &requestBody);

    Result<protocol::es9plus::InitiateAuthenticationResponse>
    initiateAuthentication(const protocol::es9plus::InitiateAuthenticationRequest &request) override;
    Result<protocol::es9plus::AuthenticateClientResponse> authenticateClient(const protocol::es9plus::AuthenticateClientRequest &request) override;
    Result<protocol::es9plus::GetBoundProfilePackageResponse>
    getBoundProfilePackage(const protocol::es9plus::GetBoundProfilePackageRequest &request) override;
    Result<void> handleNotification(const protocol::es9plus::HandleNotificationRequest &request) override;
    Result<void> cancelSession(const protocol::es9plus::CancelSessionRequest &request) override;

private:
    RspHttpsClient m_http;
};

} // namespace simfleet::net
