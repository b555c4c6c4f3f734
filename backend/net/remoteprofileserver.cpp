#include "remoteprofileserver.h"

#include "es9plusclient.h"
#include "es9plusdownload.h"

#include "store/operatorrepository.h"
#include "store/records.h"
#include "store/workspace.h"

#include <QUrl>

namespace simfleet::net {

Result<RemoteProfileServer> RemoteProfileServer::ofOperator(const store::Workspace &workspace, const store::OperatorRecord &op,
                                                            std::chrono::milliseconds timeout)
{
    if (op.profileServerAddress.isEmpty())
        return fail(QStringLiteral("%1's profile server is simfleet's own, not one that runs elsewhere").arg(op.name));
    auto rootDer = store::OperatorRepository(workspace.database()).profileServerRoot(op.id);
    if (!rootDer)
        return rootDer.error();
    const QSslCertificate root(rootDer.value(), QSsl::Der);
    if (root.isNull())
        return fail(QStringLiteral("%1's profile server has no readable root certificate; record it again with operators "
                                   "set-profile-server %1 --address %2 --root FILE")
                        .arg(op.name, op.profileServerAddress));
    return RemoteProfileServer(op.profileServerAddress, { root }, timeout);
}

RemoteProfileServer::RemoteProfileServer(QString address, QList<QSslCertificate> roots, std::chrono::milliseconds timeout)
    : m_address(std::move(address)), m_roots(std::move(roots)), m_timeout(timeout)
{
}

namespace {

class ClientPerCall : public Es9PlusFunctions
{
public:
    explicit ClientPerCall(RemoteProfileServer server, QList<QSslCertificate> roots, std::chrono::milliseconds timeout)
        : m_server(std::move(server)), m_roots(std::move(roots)), m_timeout(timeout)
    {
    }
    Result<protocol::es9plus::InitiateAuthenticationResponse>
    initiateAuthentication(const protocol::es9plus::InitiateAuthenticationRequest &r) override { return client().initiateAuthentication(r); }
    Result<protocol::es9plus::AuthenticateClientResponse> authenticateClient(const protocol::es9plus::AuthenticateClientRequest &r) override
    {
        return client().authenticateClient(r);
    }
    Result<protocol::es9plus::GetBoundProfilePackageResponse>
    getBoundProfilePackage(const protocol::es9plus::GetBoundProfilePackageRequest &r) override { return client().getBoundProfilePackage(r); }
    Result<void> handleNotification(const protocol::es9plus::HandleNotificationRequest &r) override { return client().handleNotification(r); }
    Result<void> cancelSession(const protocol::es9plus::CancelSessionRequest &r) override { return client().cancelSession(r); }

private:
    Es9PlusClient client() const
    {
        return Es9PlusClient(QUrl(QStringLiteral("https://%1").arg(m_server.address())), m_roots, {}, m_timeout);
    }
    RemoteProfileServer m_server;
    QList<QSslCertificate> m_roots;
    std::chrono::milliseconds m_timeout;
};

} // namespace

std::shared_ptr<Es9PlusFunctions> RemoteProfileServer::functions() const
{
    return std::make_shared<ClientPerCall>(*this, m_roots, m_timeout);
}

Result<QString> RemoteProfileServer::download(devices::DeviceLink &link, const QString &smdpAddress, const QString &matchingId,
                                              std::chrono::milliseconds deviceTimeout) const
{
    Es9PlusClient client(QUrl(QStringLiteral("https://%1").arg(m_address)), m_roots, {}, m_timeout);
    return downloadThroughEs9Plus(client, link, smdpAddress, deviceTimeout, matchingId);
}

} // namespace simfleet::net
