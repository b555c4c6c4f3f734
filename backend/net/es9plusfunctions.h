#pragma once

#include "core/result.h"
#include "protocol/es9plus.h"

namespace simfleet::net {

// The ES9+ functions as the LPA calls them (SGP.22 section 5.6), whoever carries them: a profile
// server over HTTPS (Es9PlusClient), simfleet's own in this process (LocalEs9Plus), or an eIM's
// ESipa relay for an IPA (SGP.32's indirect download). Errors keep the ProfileServer* codes.
class Es9PlusFunctions
{
public:
    virtual ~Es9PlusFunctions() = default;
    virtual Result<protocol::es9plus::InitiateAuthenticationResponse>
    initiateAuthentication(const protocol::es9plus::InitiateAuthenticationRequest &request) = 0;
    virtual Result<protocol::es9plus::AuthenticateClientResponse>
    authenticateClient(const protocol::es9plus::AuthenticateClientRequest &request) = 0;
    virtual Result<protocol::es9plus::GetBoundProfilePackageResponse>
    getBoundProfilePackage(const protocol::es9plus::GetBoundProfilePackageRequest &request) = 0;
    virtual Result<void> handleNotification(const protocol::es9plus::HandleNotificationRequest &request) = 0;
    virtual Result<void> cancelSession(const protocol::es9plus::CancelSessionRequest &request) = 0;
};

// A function's answer read as its type, from the members its JSON carried.
template<typename T>
Result<T> es9Answer(Result<QJsonObject> members)
{
    if (!members)
        return members.error();
    auto read = T::fromMembers(members.value());
    if (auto *problem = std::get_if<QString>(&read))
        return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("the profile server's answer is not ES9+: %1").arg(*problem));
    return std::get<T>(std::move(read));
}

} // namespace simfleet::net
