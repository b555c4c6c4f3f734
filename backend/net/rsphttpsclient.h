#pragma once

#include "tlsidentity.h"

#include "core/result.h"
#include "protocol/jsonbinding.h"

#include <QJsonObject>
#include <QList>
#include <QSslCertificate>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace simfleet::net {

// A client of SGP.22 section 6's HTTPS binding (ES9+, ES2+): POSTs JSON bodies and reads the
// answers. The server's certificate must chain to one of the roots given (and to nothing else);
// verification is never turned off. Errors carry the codes ProfileServerUntrusted (TLS),
// ProfileServerUnreachable (no answer) and ProfileServerRefused (an error status, or an answer
// that is not the binding's), named after ES9+ and meaning the same of an operator's ES2+ server.
// Synchronous: each call runs its own event loop until the answer or the timeout. One thread.
class RspHttpsClient
{
public:
    // base: https://HOST:PORT. peerName: the name the certificate must carry when it differs
    // from the host connected to (a loopback address serving a named server).
    RspHttpsClient(QUrl base, QList<QSslCertificate> roots, QString peerName = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~RspHttpsClient();

    // Who answers, in messages ("the profile server"): "<role> at HOST:PORT refused ...".
    void setPeerRole(QString role) { m_role = std::move(role); }
    // Mutual TLS (SGP.22 section 2.6.6, ES2+): the certificate and key this client presents.
    void setClientIdentity(const TlsIdentity &identity) { m_identity = identity; }

    // One HTTP exchange as it happened, for callers and tests that look at the transport.
    struct HttpReply
    {
        int status = 0;
        QByteArray contentType;
        QByteArray body;
    };
    Result<HttpReply> post(const QString &path, const QByteArray &body, const QByteArray &contentType = "application/json",
                           const QByteArray &adminProtocol = protocol::jsonbinding::adminProtocol,
                           qsizetype maxResponseBytes = 16 * 1024 * 1024);

    // One function: the answer's members after header.functionExecutionStatus said
    // Executed-Success, none for an HTTP 204; an error naming the server's status code when it
    // said Failed. interfaceName names the interface in messages ("ES9+").
    Result<QJsonObject> call(const QString &path, const QByteArray &requestBody, const char *interfaceName,
                             qsizetype maxResponseBytes);

private:
    QString who() const;

    QUrl m_base;
    QList<QSslCertificate> m_roots;
    QString m_peerName;
    std::chrono::milliseconds m_timeout;
    QString m_role = QStringLiteral("the server");
    std::optional<TlsIdentity> m_identity;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

// What a function's JSON answer says (section 6.1.4's header.functionExecutionStatus): the
// members besides the header, or an error (ProfileServerRefused) naming the status code or what
// is wrong with the answer. who and function name the parties in messages.
Result<QJsonObject> functionMembers(QByteArrayView body, const QString &who, const QString &function, const char *interfaceName,
                                    qsizetype maxBytes);

} // namespace simfleet::net
