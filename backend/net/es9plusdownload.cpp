#include "es9plusdownload.h"

#include "es9plusfunctions.h"
#include "netlog.h"

#include "devices/devicelink.h"
#include "protocol/authenticateserver.h"
#include "protocol/der.h"
#include "protocol/notifications.h"
#include "protocol/profileinstallationresult.h"

namespace simfleet::net {

namespace es9 = protocol::es9plus;

namespace {

// The installation result of a session the eUICC keeps among its pending notifications.
std::optional<protocol::ProfileInstallationResult> pendingInstallationResult(devices::DeviceLink &link, const QByteArray &transactionId,
                                                                             std::chrono::milliseconds deviceTimeout)
{
    auto answer = devices::awaitAnswer(link.retrieveNotifications(protocol::RetrieveNotificationsListRequest {}.encode()), deviceTimeout,
                                       link.eid());
    auto list = answer ? protocol::RetrieveNotificationsListResponse::decode(answer.value())
                       : Result<protocol::RetrieveNotificationsListResponse>(answer.error());
    if (!list)
        return std::nullopt;
    for (const protocol::PendingNotification &pending : std::as_const(list->notifications)) {
        const auto *result = std::get_if<protocol::ProfileInstallationResult>(&pending.content);
        if (result && result->transactionId == transactionId)
            return *result;
    }
    return std::nullopt;
}

// Section 3.1.3: the installation result goes to the server, then leaves the eUICC's list.
Result<void> deliver(Es9PlusFunctions &client, devices::DeviceLink &link, const protocol::ProfileInstallationResult &result,
                     const QByteArray &encoded, std::chrono::milliseconds deviceTimeout)
{
    if (auto told = client.handleNotification({ encoded }); !told)
        return told.error();
    auto removed = devices::awaitAnswer(link.removeNotification(protocol::NotificationSentRequest { result.sequenceNumber }.encode()),
                                        deviceTimeout, link.eid());
    if (!removed)
        qCInfo(lcNet) << "device" << link.eid() << "kept its install notification" << result.sequenceNumber << ":" << removed.errorMessage();
    return {};
}

} // namespace

Result<QString> downloadThroughEs9Plus(Es9PlusFunctions &client, devices::DeviceLink &link, const QString &smdpAddress,
                                       std::chrono::milliseconds deviceTimeout, const QString &matchingId,
                                       QByteArray *installationResult)
{
    const QString eid = link.eid();
    const auto server = [&smdpAddress](const Error &e) {
        return failWith(e.code == ErrorCode::None ? ErrorCode::ServerNotAuthenticated : e.code,
                        QStringLiteral("%1: %2").arg(smdpAddress, e.message));
    };
    // Section 3.1.2: EUICCInfo1 and the challenge first.
    auto info = devices::awaitAnswer(link.euiccInfo1(), deviceTimeout, eid);
    if (!info)
        return info.error();
    auto challengeAnswer = devices::awaitAnswer(link.challenge(), deviceTimeout, eid);
    if (!challengeAnswer)
        return challengeAnswer.error();
    auto challenge = protocol::decodeGetEuiccChallengeResponse(challengeAnswer.value());
    if (!challenge)
        return failWith(ErrorCode::DeviceNotAuthenticated, challenge.errorMessage());

    auto initiated = client.initiateAuthentication({ challenge.value(), info.value(), smdpAddress });
    if (!initiated)
        return server(initiated.error());
    // ES10b.AuthenticateServer's request: the server's signed parts as it sent them, and the
    // LPA's own CtxParams1 (section 5.7.13).
    protocol::AuthenticateServerRequest context;
    context.tac = QByteArray::fromHex("35000000");
    context.matchingId = matchingId;
    const QByteArray authenticateServer = protocol::der::tlv(
        0xBF38, QByteArray(initiated->serverSigned1 + initiated->serverSignature1 + initiated->euiccCiPKIdToBeUsed
                           + initiated->serverCertificate + context.ctxParams1()));
    auto authenticated = devices::awaitAnswer(link.authenticateServer(authenticateServer), deviceTimeout, eid);
    if (!authenticated)
        return authenticated.error().code == ErrorCode::None ? failWith(ErrorCode::ServerNotAuthenticated, authenticated.errorMessage())
                                                             : authenticated.error();

    auto clientAuthenticated = client.authenticateClient({ initiated->transactionId, authenticated.value() });
    if (!clientAuthenticated)
        return failWith(clientAuthenticated.error().code == ErrorCode::None ? ErrorCode::DeviceNotAuthenticated
                                                                            : clientAuthenticated.error().code,
                        QStringLiteral("%1: %2").arg(smdpAddress, clientAuthenticated.errorMessage()));
    // ES10b.PrepareDownload's request (section 5.7.5), spliced from the server's parts.
    const QByteArray prepareDownload = protocol::der::tlv(
        0xBF21, QByteArray(clientAuthenticated->smdpSigned2 + clientAuthenticated->smdpSignature2 + clientAuthenticated->smdpCertificate));
    auto prepared = devices::awaitAnswer(link.prepareDownload(prepareDownload), deviceTimeout, eid);
    if (!prepared)
        return prepared.error().code == ErrorCode::None ? failWith(ErrorCode::ServerNotAuthenticated, prepared.errorMessage())
                                                        : prepared.error();

    auto bound = client.getBoundProfilePackage({ initiated->transactionId, prepared.value() });
    if (!bound)
        return server(bound.error());
    auto loaded = devices::awaitAnswer(link.loadBoundPackage(bound->boundProfilePackage), deviceTimeout, eid);
    if (!loaded && loaded.error().code == ErrorCode::DeviceRestarted) {
        // Up again, the eUICC holds the interrupted installation's result (installFailedDueTo-
        // Interruption): the server is told, so its session ends, and the caller gets it.
        if (auto interrupted = pendingInstallationResult(link, initiated->transactionId, deviceTimeout)) {
            const QByteArray encoded = interrupted->encode();
            if (auto told = deliver(client, link, interrupted.value(), encoded, deviceTimeout); !told)
                qCInfo(lcNet) << "device" << eid << "restarted, and its interrupted installation's result was not taken:" << told.errorMessage();
            if (installationResult)
                *installationResult = encoded;
        }
        return loaded.error();
    }
    if (!loaded)
        return loaded.error().code == ErrorCode::None ? failWith(ErrorCode::PackageRejected, loaded.errorMessage()) : loaded.error();
    auto result = protocol::ProfileInstallationResult::decode(loaded.value());
    if (!result)
        return failWith(ErrorCode::PackageRejected, result.errorMessage());
    if (installationResult)
        *installationResult = loaded.value();
    if (auto told = deliver(client, link, result.value(), loaded.value(), deviceTimeout); !told)
        return server(told.error());
    if (!result->success)
        return failWith(ErrorCode::PackageRejected, QStringLiteral("the device did not install the profile (step %1, reason %2)")
                                                        .arg(int(result->failedCommand))
                                                        .arg(int(result->reason)));
    return result->iccid;
}

} // namespace simfleet::net
