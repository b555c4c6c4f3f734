#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace simfleet::protocol {

// ES10b.GetEUICCChallenge (SGP.22 section 5.7.7): GetEuiccChallengeRequest 'BF2E' with nothing in
// it; the GetEuiccChallengeResponse carries the eUICC's 16 random bytes as euiccChallenge [0].
inline constexpr QByteArrayView getEuiccChallengeRequest { "\xBF\x2E\x00", 3 };
// ES10b.GetEUICCInfo's request for EUICCInfo1 (section 5.7.8): 'BF20' with nothing in it.
inline constexpr QByteArrayView getEuiccInfo1Request { "\xBF\x20\x00", 3 };
QByteArray encodeGetEuiccChallengeResponse(QByteArrayView challenge);
Result<QByteArray> decodeGetEuiccChallengeResponse(QByteArrayView der);

// ES10b.AuthenticateServer's request (SGP.22 section 5.7.13, AuthenticateServerRequest, tag
// 'BF38'): what ES9+.InitiateAuthentication gave the device's LPA or IPA, signed by the profile
// server's authentication key (CERT.DPauth) over serverSigned1 as encoded.
struct AuthenticateServerRequest
{
    QByteArray transactionId;
    QByteArray euiccChallenge;
    QString serverAddress;
    QByteArray serverChallenge;
    QByteArray serverSignature1; // ECDSA r || s
    QByteArray ciKeyId;          // euiccCiPKIdToBeUsed: the CI the device is to sign under
    QByteArray serverCertificate; // CERT.DPauth, DER
    QString matchingId;          // empty: none
    QByteArray tac;              // the device's type allocation code, 4 bytes
    QByteArray imei;             // 8 bytes BCD as the device reports it, or empty

    // ServerSigned1 as a TLV: the bytes serverSignature1 covers.
    QByteArray serverSigned1() const;
    // CtxParams1 as a TLV, which the device echoes in euiccSigned1.
    QByteArray ctxParams1() const;
    QByteArray encode() const;
    static Result<AuthenticateServerRequest> decode(QByteArrayView der);
};

// What the eUICC says of itself (EUICCInfo2, tag 'BF22'), the parts simfleet's devices fill in.
struct EuiccInfo2
{
    QByteArray ciKeyId; // the CI it verifies and signs under
    QByteArray encode() const;
};

// ES10b.AuthenticateServer's answer (AuthenticateServerResponse, tag 'BF38', the ok choice):
// euiccSigned1 signed by the eUICC's key, with its certificate and its manufacturer's.
struct AuthenticateServerResponse
{
    QByteArray transactionId;
    QString serverAddress;
    QByteArray serverChallenge;
    QByteArray euiccInfo2;       // EUICCInfo2 TLV as sent
    QByteArray ctxParams1;       // CtxParams1 TLV as sent, echoed from the request
    QByteArray euiccSignature1;  // ECDSA r || s
    QByteArray euiccCertificate; // CERT.EUICC, DER
    QByteArray eumCertificate;   // CERT.EUM, DER

    // EuiccSigned1 as a TLV: the bytes euiccSignature1 covers.
    QByteArray euiccSigned1() const;
    // euiccSignature1 as a data object (tag '5F37'), which the next signatures cover.
    QByteArray signatureObject() const;
    // The Matching ID the eUICC echoes in ctxParams1, under its own signature (SGP.22 section
    // 5.6.3: the order the download is for); empty when there is none.
    Result<QString> matchingId() const;
    QByteArray encode() const;
    // An error answer (authenticateResponseError) is refused with its code in the message.
    static Result<AuthenticateServerResponse> decode(QByteArrayView der);
};

} // namespace simfleet::protocol
