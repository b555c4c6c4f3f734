#include "es9plus.h"

namespace simfleet::protocol::es9plus {

namespace {

constexpr jsonbinding::FunctionName<Function> functions[] = {
    { Function::InitiateAuthentication, "initiateAuthentication" },
    { Function::AuthenticateClient, "authenticateClient" },
    { Function::GetBoundProfilePackage, "getBoundProfilePackage" },
    { Function::HandleNotification, "handleNotification" },
    { Function::CancelSession, "cancelSession" },
};

template<typename T, typename Fill>
Parsed<T> parse(QByteArrayView json, Fill fill)
{
    return jsonbinding::parse<T>(json, maxRequestBytes, "ES9+", fill);
}

using jsonbinding::base64;
using jsonbinding::BodyReader;
using jsonbinding::compact;
using jsonbinding::hex;
using jsonbinding::MembersReader;
using jsonbinding::read;

StatusCode code(const char *subject, const char *reason, const QString &identifier, const QString &message)
{
    return jsonbinding::statusCode(subject, reason, identifier, message);
}

} // namespace

QString functionName(Function function)
{
    return jsonbinding::functionName(functions, function);
}

std::optional<Function> functionFromName(QStringView name)
{
    return jsonbinding::functionFromName(functions, name);
}

QString functionPath(Function function)
{
    return QStringLiteral("/gsma/rsp2/es9plus/") + functionName(function);
}

namespace status {
// Section 6.5.2.6 (InitiateAuthentication).
StatusCode invalidSmdpAddress(const QString &why) { return code("8.8.1", "3.8", QStringLiteral("smdpAddress"), why); }
StatusCode unsupportedCiKey(const QString &why) { return code("8.8.2", "3.1", QStringLiteral("euiccInfo1"), why); }
StatusCode unsupportedVersion(const QString &why) { return code("8.8.3", "3.1", QStringLiteral("euiccInfo1"), why); }
// Sections 6.5.2.7 to 6.5.2.10.
StatusCode euiccVerificationFailed(const QString &why) { return code("8.1", "6.1", {}, why); }
StatusCode eidRefused(const QString &why) { return code("8.1.1", "3.8", QStringLiteral("EID"), why); }
StatusCode matchingIdRefused(const QString &why) { return code("8.2.6", "3.8", QStringLiteral("matchingId"), why); }
StatusCode profileNotAllowed(const QString &why) { return code("8.2", "1.2", {}, why); }
StatusCode unknownTransaction(const QString &why) { return code("8.10.1", "3.9", QStringLiteral("transactionId"), why); }
StatusCode orderExpired(const QString &why) { return code("8.8.5", "4.10", {}, why); }
StatusCode executionError(const QString &why) { return code("8.8", "4.2", {}, why); }
} // namespace status

std::variant<ResponseBody, QString> readResponse(QByteArrayView json)
{
    return jsonbinding::readResponse(json, maxResponseBytes);
}

QByteArray InitiateAuthenticationRequest::toJson() const
{
    return compact({ { QStringLiteral("euiccChallenge"), base64(euiccChallenge) },
                     { QStringLiteral("euiccInfo1"), base64(euiccInfo1) },
                     { QStringLiteral("smdpAddress"), smdpAddress } });
}

Parsed<InitiateAuthenticationRequest> InitiateAuthenticationRequest::fromJson(QByteArrayView json)
{
    return parse<InitiateAuthenticationRequest>(json, [](BodyReader &r, InitiateAuthenticationRequest &v) {
        v.euiccChallenge = r.base64(QStringLiteral("euiccChallenge"));
        v.euiccInfo1 = r.base64(QStringLiteral("euiccInfo1"));
        v.smdpAddress = r.string(QStringLiteral("smdpAddress")).value_or(QString());
    });
}

QByteArray InitiateAuthenticationResponse::toJson() const
{
    return successResponse({ { QStringLiteral("transactionId"), hex(transactionId) },
                             { QStringLiteral("serverSigned1"), base64(serverSigned1) },
                             { QStringLiteral("serverSignature1"), base64(serverSignature1) },
                             { QStringLiteral("euiccCiPKIdToBeUsed"), base64(euiccCiPKIdToBeUsed) },
                             { QStringLiteral("serverCertificate"), base64(serverCertificate) } });
}

std::variant<InitiateAuthenticationResponse, QString> InitiateAuthenticationResponse::fromMembers(const QJsonObject &members)
{
    return read<InitiateAuthenticationResponse>(members, [](MembersReader &r, InitiateAuthenticationResponse &v) {
        v.transactionId = r.transactionId();
        v.serverSigned1 = r.base64(QStringLiteral("serverSigned1"));
        v.serverSignature1 = r.base64(QStringLiteral("serverSignature1"));
        v.euiccCiPKIdToBeUsed = r.base64(QStringLiteral("euiccCiPKIdToBeUsed"));
        v.serverCertificate = r.base64(QStringLiteral("serverCertificate"));
    });
}

QByteArray AuthenticateClientRequest::toJson() const
{
    return compact({ { QStringLiteral("transactionId"), hex(transactionId) },
                     { QStringLiteral("authenticateServerResponse"), base64(authenticateServerResponse) } });
}

Parsed<AuthenticateClientRequest> AuthenticateClientRequest::fromJson(QByteArrayView json)
{
    return parse<AuthenticateClientRequest>(json, [](BodyReader &r, AuthenticateClientRequest &v) {
        v.transactionId = r.transactionId();
        v.authenticateServerResponse = r.base64(QStringLiteral("authenticateServerResponse"));
    });
}

QByteArray AuthenticateClientResponse::toJson() const
{
    return successResponse({ { QStringLiteral("transactionId"), hex(transactionId) },
                             { QStringLiteral("profileMetadata"), base64(profileMetadata) },
                             { QStringLiteral("smdpSigned2"), base64(smdpSigned2) },
                             { QStringLiteral("smdpSignature2"), base64(smdpSignature2) },
                             { QStringLiteral("smdpCertificate"), base64(smdpCertificate) } });
}

std::variant<AuthenticateClientResponse, QString> AuthenticateClientResponse::fromMembers(const QJsonObject &members)
{
    return read<AuthenticateClientResponse>(members, [](MembersReader &r, AuthenticateClientResponse &v) {
        v.transactionId = r.transactionId();
        v.profileMetadata = r.base64(QStringLiteral("profileMetadata"));
        v.smdpSigned2 = r.base64(QStringLiteral("smdpSigned2"));
        v.smdpSignature2 = r.base64(QStringLiteral("smdpSignature2"));
        v.smdpCertificate = r.base64(QStringLiteral("smdpCertificate"));
    });
}

QByteArray GetBoundProfilePackageRequest::toJson() const
{
    return compact({ { QStringLiteral("transactionId"), hex(transactionId) },
                     { QStringLiteral("prepareDownloadResponse"), base64(prepareDownloadResponse) } });
}

Parsed<GetBoundProfilePackageRequest> GetBoundProfilePackageRequest::fromJson(QByteArrayView json)
{
    return parse<GetBoundProfilePackageRequest>(json, [](BodyReader &r, GetBoundProfilePackageRequest &v) {
        v.transactionId = r.transactionId();
        v.prepareDownloadResponse = r.base64(QStringLiteral("prepareDownloadResponse"));
    });
}

QByteArray GetBoundProfilePackageResponse::toJson() const
{
    return successResponse({ { QStringLiteral("transactionId"), hex(transactionId) },
                             { QStringLiteral("boundProfilePackage"), base64(boundProfilePackage) } });
}

std::variant<GetBoundProfilePackageResponse, QString> GetBoundProfilePackageResponse::fromMembers(const QJsonObject &members)
{
    return read<GetBoundProfilePackageResponse>(members, [](MembersReader &r, GetBoundProfilePackageResponse &v) {
        v.transactionId = r.transactionId();
        v.boundProfilePackage = r.base64(QStringLiteral("boundProfilePackage"));
    });
}

QByteArray HandleNotificationRequest::toJson() const
{
    return compact({ { QStringLiteral("pendingNotification"), base64(pendingNotification) } });
}

Parsed<HandleNotificationRequest> HandleNotificationRequest::fromJson(QByteArrayView json)
{
    return parse<HandleNotificationRequest>(json, [](BodyReader &r, HandleNotificationRequest &v) {
        v.pendingNotification = r.base64(QStringLiteral("pendingNotification"));
    });
}

QByteArray CancelSessionRequest::toJson() const
{
    return compact({ { QStringLiteral("transactionId"), hex(transactionId) },
                     { QStringLiteral("cancelSessionResponse"), base64(cancelSessionResponse) } });
}

Parsed<CancelSessionRequest> CancelSessionRequest::fromJson(QByteArrayView json)
{
    return parse<CancelSessionRequest>(json, [](BodyReader &r, CancelSessionRequest &v) {
        v.transactionId = r.transactionId();
        v.cancelSessionResponse = r.base64(QStringLiteral("cancelSessionResponse"));
    });
}

} // namespace simfleet::protocol::es9plus
