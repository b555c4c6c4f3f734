#include "es2plusclient.h"

namespace simfleet::net {

namespace es2 = protocol::es2plus;

Es2PlusClient::Es2PlusClient(QUrl base, QList<QSslCertificate> roots, TlsIdentity identity, QString peerName,
                             std::chrono::milliseconds timeout)
    : m_http(std::move(base), std::move(roots), std::move(peerName), timeout)
{
    m_http.setPeerRole(QStringLiteral("the ES2+ server"));
    m_http.setClientIdentity(identity);
}

Result<QJsonObject> Es2PlusClient::call(es2::Function function, const QByteArray &requestBody)
{
    return m_http.call(es2::functionPath(function), requestBody, "ES2+", es2::maxResponseBytes);
}

Result<QString> Es2PlusClient::downloadOrder(const es2::DownloadOrderRequest &request)
{
    auto members = call(es2::Function::DownloadOrder, request.toJson());
    if (!members)
        return members.error();
    auto read = es2::DownloadOrderResponse::fromMembers(members.value());
    if (auto *problem = std::get_if<QString>(&read))
        return fail(*problem);
    return std::get<es2::DownloadOrderResponse>(read).iccid;
}

Result<es2::ConfirmOrderResponse> Es2PlusClient::confirmOrder(const es2::ConfirmOrderRequest &request)
{
    auto members = call(es2::Function::ConfirmOrder, request.toJson());
    if (!members)
        return members.error();
    auto read = es2::ConfirmOrderResponse::fromMembers(members.value());
    if (auto *problem = std::get_if<QString>(&read))
        return fail(*problem);
    return std::get<es2::ConfirmOrderResponse>(std::move(read));
}

Result<void> Es2PlusClient::cancelOrder(const es2::CancelOrderRequest &request)
{
    auto members = call(es2::Function::CancelOrder, request.toJson());
    return members ? Result<void>() : Result<void>(members.error());
}

Result<void> Es2PlusClient::releaseProfile(const es2::ReleaseProfileRequest &request)
{
    auto members = call(es2::Function::ReleaseProfile, request.toJson());
    return members ? Result<void>() : Result<void>(members.error());
}

Result<void> Es2PlusClient::handleDownloadProgressInfo(const es2::HandleDownloadProgressInfoRequest &request)
{
    // SGP.22 section 6.2: a function without output is answered with HTTP 204; an operator's
    // server that answers 200 with Executed-Success is taken at its word too.
    auto members = call(es2::Function::HandleDownloadProgressInfo, request.toJson());
    return members ? Result<void>() : Result<void>(members.error());
}

} // namespace simfleet::net
