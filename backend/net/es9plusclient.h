#pragma once

#include "core/result.h"
#include "protocol/es9plus.h"

#include <QList>
#include <QSslCertificate>
#include <QUrl>

#include <chrono>
#include <memory>

class QNetworkAccessManager;

namespace simfleet::net {

// An ES9+ client (the LPA's side, or simfleet relaying for a device, SGP.32's indirect
// download): POSTs the JSON bodies over HTTPS and reads the answers. The server's certificate
// must chain to one of the roots given (and to nothing else); verification is never turned off.
// Synchronous: each call runs its own event loop until the answer or the timeout. One thread.
class Es9PlusClient
{
public:
    // base: https://HOST:PORT. peerName: the name the certificate must carry when it differs
    // from the host connected to (a loopback address serving a named server).
    Es9PlusClient(QUrl base, QList<QSslCertificate> roots, QString peerName = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~Es9PlusClient();

    // One HTTP exchange as it happened, for callers and tests that look at the transport.
    struct HttpReply
    {
        int status = 0;
        QByteArray contentType;
        QByteArray body;
    };
    Result<HttpReply> post(const QString &path, const QByteArray &body, const QByteArray &contentType = "application/json",
                           const QByteArray &adminProtocol = protocol::es9plus::adminProtocol);

    // One function: the answer's members, or an error naming the server's status code.
    Result<QJsonObject> call(protocol::es9plus::Function function, const QByteArray &requestBody);

    Result<protocol::es9plus::InitiateAuthenticationResponse>
    initiateAuthentication(const protocol::es9plus::InitiateAuthenticationRequest &request);
    Result<protocol::es9plus::AuthenticateClientResponse> authenticateClient(const protocol::es9plus::AuthenticateClientRequest &request);
    Result<protocol::es9plus::GetBoundProfilePackageResponse>
    getBoundProfilePackage(const protocol::es9plus::GetBoundProfilePackageRequest &request);
    Result<void> handleNotification(const protocol::es9plus::HandleNotificationRequest &request);
    Result<void> cancelSession(const protocol::es9plus::CancelSessionRequest &request);

private:
    QUrl m_base;
    QList<QSslCertificate> m_roots;
    QString m_peerName;
    std::chrono::milliseconds m_timeout;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace simfleet::net
