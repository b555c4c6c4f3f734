#pragma once

#include "jsonbinding.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <variant>

// ES2+ over HTTPS (SGP.22 v2.5 section 5.3, the operator's orders to the profile server, in the
// JSON binding of section 6.5.1): POST /gsma/rsp2/es2plus/<function>, every request with
// header.functionRequesterIdentifier and header.functionCallIdentifier (6.5.1.3), every response
// with header.functionExecutionStatus (6.5.1.4). Identifiers travel as text: the EID as 32
// digits, the ICCID as 19 or 20 digits (a 20th 'F' pads a 19-digit one), the Matching ID as
// section 4.1's activation code token. Pure data in, bytes out: no I/O here.
namespace simfleet::protocol::es2plus {

using jsonbinding::adminProtocol;
using jsonbinding::adminProtocolPrefix;
// Requests and responses carry identifiers; the largest, handleDownloadProgressInfo with a
// profile installation result, is well under 2 KiB.
inline constexpr qsizetype maxRequestBytes = 16 * 1024;
inline constexpr qsizetype maxResponseBytes = 16 * 1024;

enum class Function { DownloadOrder, ConfirmOrder, CancelOrder, ReleaseProfile, HandleDownloadProgressInfo };

QString functionName(Function function);                       // "downloadOrder"
std::optional<Function> functionFromName(QStringView name);
QString functionPath(Function function);                       // "/gsma/rsp2/es2plus/downloadOrder"

using jsonbinding::Parsed;
using jsonbinding::ResponseBody;
using jsonbinding::StatusCode;
using jsonbinding::failedResponse;
using jsonbinding::successResponse;
using RequestHeader = jsonbinding::BodyReader::RequestHeader;

// A response as a client reads it; one that is not an ES2+ response is an error.
std::variant<ResponseBody, QString> readResponse(QByteArrayView json);

// A Matching ID as SGP.22 section 4.1 writes the activation code's token: 1 to 255 characters
// of 0-9, A-Z and '-' (what an activation code, and a QR code's alphanumeric mode, carries).
bool isMatchingId(QStringView text);

// The codes the profile server answers ES2+ with (SGP.22 sections 5.3.1 to 5.3.4, their tables
// of specific status codes; the subject identifier names the request's member).
namespace status {
using jsonbinding::invalidFormat;                          // 1.6 / 2.1
using jsonbinding::missingElement;                         // 1.6 / 2.2
StatusCode eidInvalid(const QString &why);                 // 8.1.1 / 2.1 EID - Invalid
StatusCode eidMissing(const QString &why);                 // 8.1.1 / 2.2 EID - Mandatory Element Missing
StatusCode eidInvalidAssociation(const QString &why);      // 8.1.1 / 3.10 EID - Invalid Association
StatusCode iccidMissing(const QString &element);           // 8.2.1 / 2.2 (CancelOrder's mandatory inputs)
StatusCode iccidUnavailable(const QString &why);           // 8.2.1 / 3.3 Profile ICCID - Already in Use
StatusCode iccidInvalidTransition(const QString &why);     // 8.2.1 / 3.5 Profile ICCID - Invalid Transition
StatusCode iccidUnknown(const QString &why);               // 8.2.1 / 3.9 Profile ICCID - Unknown
StatusCode profileTypeUnavailable(const QString &why);     // 8.2.5 / 3.7 Profile Type - Unavailable
StatusCode profileTypeRefused(const QString &why);         // 8.2.5 / 3.8 Profile Type - Refused
StatusCode profileTypeUnknown(const QString &why);         // 8.2.5 / 3.9 Profile Type - Unknown
StatusCode matchingIdInvalid(const QString &why);          // 8.2.6 / 2.1 Matching ID - Invalid
StatusCode matchingIdInUse(const QString &why);            // 8.2.6 / 3.3 Matching ID - Already in Use
StatusCode matchingIdInvalidAssociation(const QString &why); // 8.2.6 / 3.10 Matching ID - Invalid Association
StatusCode confirmationCodeUnsupported(const QString &why);  // 8.2.7 / 3.1 Confirmation Code - Unsupported
StatusCode smdsInaccessible(const QString &why);           // 8.9 / 5.1 SM-DS - Inaccessible
StatusCode executionError(const QString &why);             // 8.8 / 4.2 SM-DP+ - Execution Error
}

// ES2+.DownloadOrder (section 5.3.1): a profile reserved for the operator, maybe already for
// one eUICC. Empty members were not sent.
struct DownloadOrderRequest
{
    RequestHeader header;
    QString eid;
    QString iccid;
    QString profileType;

    QByteArray toJson() const;
    static Parsed<DownloadOrderRequest> fromJson(QByteArrayView json);
};

struct DownloadOrderResponse
{
    QString iccid;

    QByteArray toJson() const;
    static std::variant<DownloadOrderResponse, QString> fromMembers(const QJsonObject &members);
};

// ES2+.ConfirmOrder (section 5.3.2): the order confirmed (and released for download when
// releaseFlag is set). A Matching ID sent empty asks for none: the eUICC then downloads by its
// EID alone (section 3.1.1's default SM-DP+ address).
struct ConfirmOrderRequest
{
    RequestHeader header;
    QString iccid;
    QString eid;                               // empty: not sent
    std::optional<QString> matchingId;         // nullopt: not sent (the server makes one)
    std::optional<QString> confirmationCode;
    std::optional<QString> smdsAddress;
    bool releaseFlag = false;

    QByteArray toJson() const;
    static Parsed<ConfirmOrderRequest> fromJson(QByteArrayView json);
};

struct ConfirmOrderResponse
{
    QString eid; // empty: none known
    QString matchingId;
    QString smdpAddress;

    QByteArray toJson() const;
    static std::variant<ConfirmOrderResponse, QString> fromMembers(const QJsonObject &members);
};

// ES2+.CancelOrder (section 5.3.3): what becomes of the profile after the order is cancelled.
enum class FinalProfileStatus { Available, Unavailable };

struct CancelOrderRequest
{
    RequestHeader header;
    QString iccid;
    QString eid;                       // empty: not sent
    std::optional<QString> matchingId; // nullopt: not sent
    FinalProfileStatus finalProfileStatusIndicator = FinalProfileStatus::Unavailable;

    QByteArray toJson() const;
    static Parsed<CancelOrderRequest> fromJson(QByteArrayView json);
};

// ES2+.ReleaseProfile (section 5.3.4): a confirmed order released for download.
struct ReleaseProfileRequest
{
    RequestHeader header;
    QString iccid;

    QByteArray toJson() const;
    static Parsed<ReleaseProfileRequest> fromJson(QByteArrayView json);
};

// ES2+.HandleDownloadProgressInfo (section 5.3.5), which the profile server calls on the
// operator: where a download of its order stands. The points of notificationPointId:
enum class NotificationPoint : int {
    EligibilityCheck = 1,    // eligibility and retry limit check (ES9+.AuthenticateClient)
    ConfirmationFailure = 2, // a wrong confirmation code (simfleet takes none)
    BppDownload = 3,         // the bound profile package delivered (ES9+.GetBoundProfilePackage)
    BppInstallation = 4,     // the eUICC's installation result (ES9+.HandleNotification)
};

struct HandleDownloadProgressInfoRequest
{
    RequestHeader header;
    QString eid; // empty: not sent
    QString iccid;
    QString profileType;
    QDateTime timestamp; // written in UTC, as W3C's YYYY-MM-DDThh:mm:ssTZD
    int notificationPointId = 0;
    std::optional<StatusCode> failure; // notificationPointStatus: Executed-Success when empty
    QByteArray resultData;             // the ProfileInstallationResult, DER; empty: not sent

    QByteArray toJson() const;
    static Parsed<HandleDownloadProgressInfoRequest> fromJson(QByteArrayView json);
};

} // namespace simfleet::protocol::es2plus
