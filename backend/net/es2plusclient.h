#pragma once

#include "rsphttpsclient.h"
#include "tlsidentity.h"

#include "core/result.h"
#include "protocol/es2plus.h"

#include <QList>
#include <QSslCertificate>
#include <QUrl>

#include <chrono>

namespace simfleet::net {

// An ES2+ client (SGP.22 section 5.3 in the binding of 6.5.1): the operator's side, ordering
// from a profile server, or the profile server's, telling the operator where its downloads stand
// (handleDownloadProgressInfo). ES2+ is mutually authenticated (section 2.6.6): the client
// presents its identity, and verifies the other side against the roots given and nothing else.
// Synchronous, one thread.
class Es2PlusClient
{
public:
    Es2PlusClient(QUrl base, QList<QSslCertificate> roots, TlsIdentity identity, QString peerName = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

    RspHttpsClient &http() { return m_http; }

    Result<QString> downloadOrder(const protocol::es2plus::DownloadOrderRequest &request); // the ICCID
    Result<protocol::es2plus::ConfirmOrderResponse> confirmOrder(const protocol::es2plus::ConfirmOrderRequest &request);
    Result<void> cancelOrder(const protocol::es2plus::CancelOrderRequest &request);
    Result<void> releaseProfile(const protocol::es2plus::ReleaseProfileRequest &request);
    Result<void> handleDownloadProgressInfo(const protocol::es2plus::HandleDownloadProgressInfoRequest &request);

private:
    Result<QJsonObject> call(protocol::es2plus::Function function, const QByteArray &requestBody);

    RspHttpsClient m_http;
};

} // namespace simfleet::net
