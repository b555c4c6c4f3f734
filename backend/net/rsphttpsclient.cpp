#include "rsphttpsclient.h"

#include "netlog.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>

namespace simfleet::net {

namespace binding = protocol::jsonbinding;

RspHttpsClient::RspHttpsClient(QUrl base, QList<QSslCertificate> roots, QString peerName, std::chrono::milliseconds timeout)
    : m_base(std::move(base)),
      m_roots(std::move(roots)),
      m_peerName(std::move(peerName)),
      m_timeout(timeout),
      m_network(std::make_unique<QNetworkAccessManager>())
{
}

RspHttpsClient::~RspHttpsClient() = default;

QString RspHttpsClient::who() const
{
    return QStringLiteral("%1 at %2").arg(m_role, m_base.authority());
}

Result<RspHttpsClient::HttpReply> RspHttpsClient::post(const QString &path, const QByteArray &body, const QByteArray &contentType,
                                                       const QByteArray &adminProtocol, qsizetype maxResponseBytes)
{
    if (m_base.scheme() != QLatin1StringView("https"))
        return fail(QStringLiteral("%1 is reached over HTTPS only, not %2").arg(m_role, m_base.toString()));
    // A base with a path of its own (an operator's https://host/rsp) goes before the function's.
    QString prefix = m_base.path(QUrl::FullyDecoded);
    if (prefix.endsWith(u'/'))
        prefix.chop(1);
    QUrl url = m_base;
    url.setPath(prefix + path, QUrl::DecodedMode);
    QNetworkRequest request(url);
    // SGP.22 section 2.6.6: TLS 1.2 or later, the server authenticated against the roots given
    // (a profile server's TLS certificate chains to the GSMA CI or a public root it names).
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(m_roots);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (m_identity) {
        tls.setLocalCertificate(m_identity->certificate);
        tls.setLocalCertificateChain(QList<QSslCertificate> { m_identity->certificate } + m_identity->chain);
        tls.setPrivateKey(m_identity->key);
    }
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
        return failWith(ErrorCode::ProfileServerUntrusted, QStringLiteral("%1 is not who it should be: %2").arg(who(), tlsProblem));
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return failWith(ErrorCode::ProfileServerUnreachable, QStringLiteral("%1 did not answer: %2").arg(who(), reply->errorString()));
    HttpReply out;
    out.status = status.toInt();
    out.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    out.body = reply->read(maxResponseBytes + 1);
    return out;
}

Result<QJsonObject> RspHttpsClient::call(const QString &path, const QByteArray &requestBody, const char *interfaceName,
                                         qsizetype maxResponseBytes)
{
    const QString name = path.section(u'/', -1);
    auto reply = post(path, requestBody, "application/json", binding::adminProtocol, maxResponseBytes);
    if (!reply)
        return reply.error();
    if (reply->status == 204)
        return QJsonObject();
    if (reply->status != 200)
        return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("%1 answered %2 with HTTP %3: %4")
                        .arg(who(), name)
                        .arg(reply->status)
                        .arg(QString::fromUtf8(reply->body.left(200)).trimmed()));
    return functionMembers(reply->body, who(), name, interfaceName, maxResponseBytes);
}

Result<QJsonObject> functionMembers(QByteArrayView body, const QString &who, const QString &function, const char *interfaceName,
                                    qsizetype maxBytes)
{
    auto read = binding::readResponse(body, maxBytes);
    if (auto *problem = std::get_if<QString>(&read))
        return failWith(ErrorCode::ProfileServerRefused,
                        QStringLiteral("%1's answer to %2 is not %3: %4").arg(who, function, QLatin1StringView(interfaceName), *problem));
    auto &response = std::get<binding::ResponseBody>(read);
    if (response.failed)
        return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("%1 refused %2: %3/%4 %5 %6")
                        .arg(who, function, response.failed->subjectCode, response.failed->reasonCode, response.failed->subjectIdentifier,
                             response.failed->message)
                        .simplified());
    return response.members;
}

} // namespace simfleet::net
