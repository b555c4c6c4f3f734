#pragma once

#include "core/result.h"
#include "eimpackage.h"
#include "ipaeuiccdata.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

// ESipa, between a device's IPA and its eIM (SGP.32 section 6.3), in the ASN.1 binding over
// HTTPS (section 6.1): every request an EsipaMessageFromIpaToEim, every answer an
// EsipaMessageFromEimToIpa, both DER, POSTed to one path. Besides the eIM packages
// (eimpackage.h) ESipa relays the indirect download (SGP.22's ES9+ functions, the eIM between
// the IPA and the profile server) and the eUICC's notifications. Pure data in, bytes out.
//
// simfleet's own extension (SimfleetDefinitions.asn1, beside the standard modules): SGP.32 has no
// eIM package for remote attestation, nor for the attach report simfleet confirms a change with.
// They travel as an extension alternative of the extensible GetEimPackageResponse and
// ProvideEimPackageResult CHOICEs (the modules' EXTENSIBILITY IMPLIED, X.680 clause 29), with
// a PRIVATE tag neither GSMA module uses ('FF21'), so a standard IPA that does not know it skips it.
namespace simfleet::protocol::esipa {

// Section 6.1: the path every ESipa message is POSTed to, its media type, and the admin protocol.
inline constexpr char path[] = "/gsma/rsp2/asn1";
inline constexpr char contentType[] = "application/x-gsma-rsp-asn1";
inline constexpr char adminProtocol[] = "gsma/rsp/v1.0.0";
// Requests are small but for a bound profile package's answer; a larger body is refused unread.
inline constexpr qsizetype maxRequestBytes = 64 * 1024;
inline constexpr qsizetype maxResponseBytes = 16 * 1024 * 1024;

// GetEimPackageRequest ('BF4F'): the IPA asks whether anything waits for its eUICC.
struct GetEimPackageRequest
{
    QString eid;                 // 32 digits
    bool notifyStateChange = false;
    QByteArray rplmn;            // 3 bytes (TS 24.008), empty when absent
};

// simfleet's extension package ('FF21'): attest the device's execution environment (the
// AttestationRequest 'FF20' of SimfleetDefinitions, nonce inside), or attach with the enabled
// profile answering the network's AKA challenge (RAND, AUTN; 3GPP TS 33.102). The transaction
// ID ties the result to the package.
struct SimfleetEimPackage
{
    enum class Kind { Attest, Attach };
    QByteArray eimTransactionId;   // 1 to 16 bytes
    Kind kind = Kind::Attest;
    QByteArray attestationRequest; // Attest: 'FF20' whole
    QByteArray rand;               // Attach: 16 bytes
    QByteArray autn;               // Attach: 16 bytes

    QByteArray encode() const;
    static Result<SimfleetEimPackage> decode(QByteArrayView der);
};

// Its result ('FF21'): the AttestationResponse ('FF20' whole), or the attach report.
struct SimfleetEimPackageResult
{
    QByteArray eimTransactionId;
    SimfleetEimPackage::Kind kind = SimfleetEimPackage::Kind::Attest;
    QByteArray attestationResponse; // Attest
    QString iccid;                  // Attach: the profile attached with now
    QByteArray res;                 // Attach: RES, empty when it did not attach
    bool fellBack = false;          // Attach: back on the profile enabled before (no coverage)
    QString detail;
    // Attach: why it did not attach (attachError), 0 when absent.
    enum AttachError { NoEnabledProfile = 1, NoCoverage = 2, AuthenticationFailed = 3, UndefinedError = 127 };
    int attachError = 0;
    // The reason a device's attach failed, both ways: the IPA writes it, the eIM reads it back.
    static int attachErrorOf(ErrorCode code);
    static ErrorCode errorCodeOf(int attachError);

    QByteArray encode() const;
    static Result<SimfleetEimPackageResult> decode(QByteArrayView der);
};

// GetEimPackageResponse ('BF4F'): one package, or eimPackageError (1: noEimPackageAvailable).
// ipaEuiccDataRequest is IpaEuiccDataRequest's own 'BF52' (ipaeuiccdata.h).
struct GetEimPackageResponse
{
    enum Error { NoEimPackageAvailable = 1, UndefinedError = 127 };
    std::variant<EuiccPackageRequest, ProfileDownloadTriggerRequest, SimfleetEimPackage, IpaEuiccDataRequest, int> content;
};

// ProvideEimPackageResult ('BF50'): the result of the package the IPA ran; an EuiccPackageResult
// may come with the eUICC's pending notifications (ePRAndNotifications). eimPackageError: the
// IPA could not run the package (1 invalidPackageFormat, 2 unknownPackage, 127).
// ipaEuiccDataResponse is the untagged CHOICE IpaEuiccDataResponse inside an explicit 'BF52'.
struct ProvideEimPackageResult
{
    enum Error { InvalidPackageFormat = 1, UnknownPackage = 2, UndefinedError = 127 };
    std::variant<EuiccPackageResult, ProfileDownloadTriggerResult, SimfleetEimPackageResult, IpaEuiccDataResponse, int> content;
    // With an EuiccPackageResult: the notificationList of ePRAndNotifications, each an
    // SGP32-PendingNotification as encoded ('BF37' or '30'); encoded as ePRAndNotifications
    // when not empty.
    QList<QByteArray> notifications;
};

// ProvideEimPackageResultResponse ('BF50'): the sequence numbers the eIM acknowledges
// (eimAcknowledgements 'BF53'), so the eUICC may forget those results and notifications.
struct ProvideEimPackageResultResponse
{
    QList<qint64> acknowledgements;
};

// The indirect download relayed (section 6.3.2.1 to 6.3.2.3, 6.3.2.5): the same values as SGP.22's
// ES9+ carries in JSON (protocol/es9plus.h), here in DER. The SGP.22 messages embedded (EUICCInfo1
// 'BF20', AuthenticateServerResponse 'BF38', PrepareDownloadResponse 'BF21',
// StoreMetadataRequest 'BF25', BoundProfilePackage 'BF36', CancelSessionResponse) are their own
// encodings, whole.
struct InitiateAuthenticationRequest
{
    QByteArray euiccChallenge; // 16 bytes
    QString smdpAddress;       // empty: absent
    QByteArray euiccInfo1;     // 'BF20', empty: absent
};

struct InitiateAuthenticationResponse
{
    enum Error { InvalidDpAddress = 1, EuiccVersionNotSupportedByDp = 2, CiPKIdNotSupported = 3,
                 SmdpAddressMismatch = 50, SmdpOidMismatch = 51 };
    std::optional<int> error;  // initiateAuthenticationErrorEsipa; the rest is absent then
    QByteArray transactionId;
    QByteArray serverSigned1;        // '30' whole
    QByteArray serverSignature1;     // the signature, r || s (the '5F37' data object's value)
    QByteArray euiccCiPKIdToBeUsed;  // the key identifier's octets
    QByteArray serverCertificate;    // '30' whole
    QString matchingId;              // empty: absent
    QByteArray ctxParams1;           // the CtxParams1 CHOICE as encoded (e.g. 'A0' ...), without [2]; empty: absent
};

struct AuthenticateClientRequest
{
    QByteArray transactionId;
    QByteArray authenticateServerResponse; // 'BF38' whole
};

struct AuthenticateClientResponse
{
    enum Error { EumCertificateInvalid = 1, EumCertificateExpired = 2, EuiccCertificateInvalid = 3,
                 EuiccCertificateExpired = 4, EuiccSignatureInvalid = 5, MatchingIdRefused = 6,
                 EidMismatch = 7, NoEligibleProfile = 8, CiPKUnknown = 9, InvalidTransactionId = 10,
                 InsufficientMemory = 11, UndefinedError = 127 };
    std::optional<int> error;        // authenticateClientErrorEsipa
    QByteArray transactionId;
    QByteArray profileMetadata;      // 'BF25' whole, empty: absent
    QByteArray smdpSigned2;          // '30' whole
    QByteArray smdpSignature2;       // r || s
    QByteArray smdpCertificate;      // '30' whole
    QByteArray hashCc;               // Octet32, empty: absent
};

struct GetBoundProfilePackageRequest
{
    QByteArray transactionId;
    QByteArray prepareDownloadResponse; // 'BF21' whole
};

struct GetBoundProfilePackageResponse
{
    enum Error { EuiccSignatureInvalid = 1, ConfirmationCodeMissing = 2, ConfirmationCodeRefused = 3,
                 ConfirmationCodeRetriesExceeded = 4, BppRebindingRefused = 5, DownloadOrderExpired = 6,
                 InvalidTransactionId = 95, UndefinedError = 127 };
    std::optional<int> error;
    QByteArray transactionId;
    QByteArray boundProfilePackage; // 'BF36' whole
};

struct CancelSessionRequest
{
    QByteArray transactionId;
    QByteArray cancelSessionResponse; // as ES10b answered, whole
};

struct CancelSessionResponse
{
    enum Error { InvalidTransactionId = 1, EuiccSignatureInvalid = 2, UndefinedError = 127 };
    std::optional<int> error; // nothing: cancelSessionOk
};

// HandleNotificationEsipa ('BF3D'): one pending notification ('BF37' or '30' whole), or an eIM
// package result delivered as a notification.
struct HandleNotification
{
    std::variant<QByteArray, ProvideEimPackageResult> content;
};

using MessageFromIpa = std::variant<InitiateAuthenticationRequest, AuthenticateClientRequest,
                                    GetBoundProfilePackageRequest, CancelSessionRequest, HandleNotification,
                                    GetEimPackageRequest, ProvideEimPackageResult>;
using MessageFromEim = std::variant<InitiateAuthenticationResponse, AuthenticateClientResponse,
                                    GetBoundProfilePackageResponse, CancelSessionResponse,
                                    GetEimPackageResponse, ProvideEimPackageResultResponse>;

// EsipaMessageFromIpaToEim and EsipaMessageFromEimToIpa, DER. decode refuses anything that is
// not one whole message (trailing bytes too) with an error naming what is wrong; it never trusts
// a length. transferEimPackage (the eIM pushing, section 6.3.3) is not served: decoded as an error.
QByteArray encode(const MessageFromIpa &message);
QByteArray encode(const MessageFromEim &message);
Result<MessageFromIpa> decodeFromIpa(QByteArrayView der);
Result<MessageFromEim> decodeFromEim(QByteArrayView der);

// The message's name as SGP.32 spells it ("getEimPackageRequest"), for logs and errors.
QString messageName(const MessageFromIpa &message);
QString messageName(const MessageFromEim &message);

} // namespace simfleet::protocol::esipa
