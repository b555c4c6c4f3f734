#pragma once

#include "es9plusfunctions.h"

#include <memory>

namespace simfleet::profiles {
class Es9PlusService;
}

namespace simfleet::net {

// simfleet's own profile server's ES9+ in this process, called as a client over HTTPS would call
// it (the same JSON in and out, the same checks), with no network between: the eIM relaying an
// IPA's download to a profile server the workspace runs itself.
class LocalEs9Plus : public Es9PlusFunctions
{
public:
    explicit LocalEs9Plus(std::shared_ptr<profiles::Es9PlusService> service) : m_service(std::move(service)) { }

    Result<protocol::es9plus::InitiateAuthenticationResponse>
    initiateAuthentication(const protocol::es9plus::InitiateAuthenticationRequest &request) override;
    Result<protocol::es9plus::AuthenticateClientResponse> authenticateClient(const protocol::es9plus::AuthenticateClientRequest &request) override;
    Result<protocol::es9plus::GetBoundProfilePackageResponse>
    getBoundProfilePackage(const protocol::es9plus::GetBoundProfilePackageRequest &request) override;
    Result<void> handleNotification(const protocol::es9plus::HandleNotificationRequest &request) override;
    Result<void> cancelSession(const protocol::es9plus::CancelSessionRequest &request) override;

    profiles::Es9PlusService &service() const { return *m_service; }

private:
    Result<QJsonObject> call(protocol::es9plus::Function function, const QByteArray &body);
    std::shared_ptr<profiles::Es9PlusService> m_service;
};

} // namespace simfleet::net
