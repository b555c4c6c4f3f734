#pragma once

#include "jsonbinding.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <variant>

// ES9+ over HTTPS (SGP.22 v2.5 section 6: the HTTP binding of 6.1 and 6.2, the functions of 6.5.2):
// POST /gsma/rsp2/es9plus/<function> with a JSON body; ASN.1 values travel as base64 of their
// DER, the transaction ID as upper-case hex; every response with a body carries
// header.functionExecutionStatus. Pure data in, bytes out: no I/O here.
namespace simfleet::protocol::es9plus {

// The X-Admin-Protocol value simfleet sends and the prefix it accepts (section 6.1.1).
using jsonbinding::adminProtocol;
using jsonbinding::adminProtocolPrefix;
// Requests are small (two certificates at most); a body above this is refused unread.
inline constexpr qsizetype maxRequestBytes = 64 * 1024;
// Responses carry the bound profile package.
inline constexpr qsizetype maxResponseBytes = 16 * 1024 * 1024;

enum class Function { InitiateAuthentication, AuthenticateClient, GetBoundProfilePackage, HandleNotification, CancelSession };

QString functionName(Function function);                       // "initiateAuthentication"
std::optional<Function> functionFromName(QStringView name);
QString functionPath(Function function);                       // "/gsma/rsp2/es9plus/initiateAuthentication"

using jsonbinding::Parsed;
using jsonbinding::ResponseBody;
using jsonbinding::StatusCode;
using jsonbinding::failedResponse;
using jsonbinding::successResponse;

// The codes simfleet answers with (SGP.22 section 6.5.2's tables per function; the generic
// format codes of section 6.5.1.4 for a body that is not what the function takes).
namespace status {
using jsonbinding::invalidFormat;                                         // 1.6 / 2.1
using jsonbinding::missingElement;                                        // 1.6 / 2.2
StatusCode invalidSmdpAddress(const QString &why);                        // 8.8.1 / 3.8
StatusCode unsupportedCiKey(const QString &why);                          // 8.8.2 / 3.1
StatusCode unsupportedVersion(const QString &why);                        // 8.8.3 / 3.1
StatusCode euiccVerificationFailed(const QString &why);                   // 8.1 / 6.1
StatusCode eidRefused(const QString &why);                                // 8.1.1 / 3.8
StatusCode matchingIdRefused(const QString &why);                         // 8.2.6 / 3.8
StatusCode profileNotAllowed(const QString &why);                         // 8.2 / 1.2
StatusCode unknownTransaction(const QString &why);                        // 8.10.1 / 3.9
StatusCode orderExpired(const QString &why);                              // 8.8.5 / 4.10
StatusCode executionError(const QString &why);                            // 8.8 / 4.2
}

// A response as a client reads it: the members besides the header, or the server's status.
// A response that is not an ES9+ response is an error (a string naming what is wrong).
std::variant<ResponseBody, QString> readResponse(QByteArrayView json);

struct InitiateAuthenticationRequest
{
    QByteArray euiccChallenge; // 16 bytes
    QByteArray euiccInfo1;     // EUICCInfo1 'BF20', DER
    QString smdpAddress;

    QByteArray toJson() const;
    static Parsed<InitiateAuthenticationRequest> fromJson(QByteArrayView json);
};

struct InitiateAuthenticationResponse
{
    QByteArray transactionId;
    QByteArray serverSigned1;
    QByteArray serverSignature1;    // the '5F37' data object
    QByteArray euiccCiPKIdToBeUsed; // the SubjectKeyIdentifier, DER (tag '04')
    QByteArray serverCertificate;

    QByteArray toJson() const;
    static std::variant<InitiateAuthenticationResponse, QString> fromMembers(const QJsonObject &members);
};

struct AuthenticateClientRequest
{
    QByteArray transactionId;
    QByteArray authenticateServerResponse; // 'BF38', DER

    QByteArray toJson() const;
    static Parsed<AuthenticateClientRequest> fromJson(QByteArrayView json);
};

struct AuthenticateClientResponse
{
    QByteArray transactionId;
    QByteArray profileMetadata; // StoreMetadataRequest 'BF25'
    QByteArray smdpSigned2;
    QByteArray smdpSignature2;  // the '5F37' data object
    QByteArray smdpCertificate;

    QByteArray toJson() const;
    static std::variant<AuthenticateClientResponse, QString> fromMembers(const QJsonObject &members);
};

struct GetBoundProfilePackageRequest
{
    QByteArray transactionId;
    QByteArray prepareDownloadResponse; // 'BF21', DER

    QByteArray toJson() const;
    static Parsed<GetBoundProfilePackageRequest> fromJson(QByteArrayView json);
};

struct GetBoundProfilePackageResponse
{
    QByteArray transactionId;
    QByteArray boundProfilePackage; // 'BF36', DER

    QByteArray toJson() const;
    static std::variant<GetBoundProfilePackageResponse, QString> fromMembers(const QJsonObject &members);
};

struct HandleNotificationRequest
{
    QByteArray pendingNotification; // 'BF37' or an OtherSignedNotification, DER

    QByteArray toJson() const;
    static Parsed<HandleNotificationRequest> fromJson(QByteArrayView json);
};

struct CancelSessionRequest
{
    QByteArray transactionId;
    QByteArray cancelSessionResponse; // 'BF41', DER

    QByteArray toJson() const;
    static Parsed<CancelSessionRequest> fromJson(QByteArrayView json);
};

} // namespace simfleet::protocol::es9plus
