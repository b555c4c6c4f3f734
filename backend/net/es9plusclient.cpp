#include "es9plusclient.h"

#include "netlog.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QTimer>

namespace simfleet::net {

namespace es9 = protocol::es9plus;

namespace {

template<typename T>
Result<T> typed(Result<QJsonObject> members)
{
    if (!members)
        return members.error();
    auto read = T::fromMembers(members.value());
    if (auto *problem = std::get_if<QString>(&read))
        return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("the profile server's answer is not ES9+: %1").arg(*problem));
    return std::get<T>(std::move(read));
}

} // namespace

Es9PlusClient::Es9PlusClient(QUrl base, QList<QSslCertificate> roots, QString peerName, std::chrono::milliseconds timeout)
    : m_base(std::move(base)),
      m_roots(std::move(roots)),
      m_peerName(std::move(peerName)),
      m_timeout(timeout),
      m_network(std::make_unique<QNetworkAccessManager>())
{
}

Es9PlusClient::~Es9PlusClient() = default;

Result<Es9PlusClient::HttpReply> Es9PlusClient::post(const QString &path, const QByteArray &body, const QByteArray &contentType,
                                                     const QByteArray &adminProtocol)
{
    if (m_base.scheme() != QLatin1StringView("https"))
        return fail(QStringLiteral("ES9+ is reached over HTTPS only, not %1").arg(m_base.toString()));
    QUrl url = m_base;
    url.setPath(path);
    QNetworkRequest request(url);
    // SGP.22 section 2.6.6: TLS 1.2 or later, the server authenticated against the roots given
    // (a profile server's TLS certificate chains to the GSMA CI or a public root it names).
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(m_roots);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    request.setSslConfiguration(tls);
    if (!m_peerName.isEmpty())
        request.setPeerVerifyName(m_peerName);
    request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    request.setRawHeader("X-Admin-Protocol", adminProtocol);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("simfleet"));
    request.setTransferTimeout(int(m_timeout.count()));

    QEventLoop loop;
    std::unique_ptr<QNetworkReply> reply(m_network->post(request, body));
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QString tlsProblem;
    QObject::connect(reply.get(), &QNetworkReply::sslErrors, &loop, [&tlsProblem](const QList<QSslError> &errors) {
        QStringList texts;
        for (const QSslError &e : errors)
            texts.append(e.errorString());
        tlsProblem = texts.join(QStringLiteral("; "));
    });
    loop.exec();
    if (!tlsProblem.isEmpty())
        return failWith(ErrorCode::ProfileServerUntrusted,
                        QStringLiteral("the profile server at %1 is not who it should be: %2").arg(m_base.authority(), tlsProblem));
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return failWith(ErrorCode::ProfileServerUnreachable,
                        QStringLiteral("the profile server at %1 did not answer: %2").arg(m_base.authority(), reply->errorString()));
    HttpReply out;
    out.status = status.toInt();
    out.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    out.body = reply->read(es9::maxResponseBytes + 1);
    return out;
}

Result<QJsonObject> Es9PlusClient::call(es9::Function function, const QByteArray &requestBody)
{
    const QString name = es9::functionName(function);
    auto reply = post(es9::functionPath(function), requestBody);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("the profile server answered %1 with HTTP %2: %3")
                        .arg(name)
                        .arg(reply->status)
                        .arg(QString::fromUtf8(reply->body.left(200)).trimmed()));
    auto read = es9::readResponse(reply->body);
    if (auto *problem = std::get_if<QString>(&read))
        return failWith(ErrorCode::ProfileServerRefused,
                        QStringLiteral("the profile server's answer to %1 is not ES9+: %2").arg(name, *problem));
    auto &response = std::get<es9::ResponseBody>(read);
    if (response.failed)
        return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("the profile server refused %1: %2/%3 %4 %5")
                        .arg(name, response.failed->subjectCode, response.failed->reasonCode, response.failed->subjectIdentifier,
                             response.failed->message)
                        .simplified());
    return response.members;
}

Result<es9::InitiateAuthenticationResponse> Es9PlusClient::initiateAuthentication(const es9::InitiateAuthenticationRequest &request)
{
    return typed<es9::InitiateAuthenticationResponse>(call(es9::Function::InitiateAuthentication, request.toJson()));
}

Result<es9::AuthenticateClientResponse> Es9PlusClient::authenticateClient(const es9::AuthenticateClientRequest &request)
{
    return typed<es9::AuthenticateClientResponse>(call(es9::Function::AuthenticateClient, request.toJson()));
}

Result<es9::GetBoundProfilePackageResponse> Es9PlusClient::getBoundProfilePackage(const es9::GetBoundProfilePackageRequest &request)
{
    return typed<es9::GetBoundProfilePackageResponse>(call(es9::Function::GetBoundProfilePackage, request.toJson()));
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
