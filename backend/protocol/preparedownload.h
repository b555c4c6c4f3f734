#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace simfleet::protocol {

// ES10b.PrepareDownload's request (SGP.22 section 5.7.5, PrepareDownloadRequest, tag 'BF21'):
// smdpSigned2 signed by the profile server's binding key (CERT.DPpb) over smdpSigned2 and the
// eUICC's euiccSignature1 data object, with that certificate.
struct PrepareDownloadRequest
{
    QByteArray transactionId;
    bool confirmationCodeRequired = false;
    QByteArray smdpSignature2;    // ECDSA r || s
    QByteArray smdpCertificate;   // CERT.DPpb, DER

    QByteArray smdpSigned2() const;
    // What smdpSignature2 covers: smdpSigned2, then euiccSignature1 as its '5F37' data object.
    QByteArray signedData(QByteArrayView euiccSignature1Object) const;
    // smdpSignature2 as a data object (tag '5F37'), which euiccSignature2 covers.
    QByteArray signatureObject() const;
    QByteArray encode() const;
    static Result<PrepareDownloadRequest> decode(QByteArrayView der);
};

// Its answer (PrepareDownloadResponse, tag 'BF21', the ok choice): the eUICC's one-time key
// for this download, signed over euiccSigned2 and smdpSignature2's data object.
struct PrepareDownloadResponse
{
    QByteArray transactionId;
    QByteArray euiccOneTimePublicKey; // otPK.EUICC.ECKA, an uncompressed P-256 point
    QByteArray euiccSignature2;       // ECDSA r || s

    QByteArray euiccSigned2() const;
    QByteArray signedData(QByteArrayView smdpSignature2Object) const;
    QByteArray encode() const;
    static Result<PrepareDownloadResponse> decode(QByteArrayView der);
};

} // namespace simfleet::protocol
