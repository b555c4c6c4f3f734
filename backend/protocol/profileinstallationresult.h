#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace simfleet::protocol {

// What the eUICC answers LoadBoundProfilePackage with (SGP.22 section 5.5, ProfileInstallationResult,
// tag 'BF37'): the result data ('BF27': transaction, the install notification's metadata with the
// ICCID, the profile server's OID, and success with the ISD-P's AID or an error naming the BPP
// command and the reason), signed by the eUICC over the result data as encoded.
struct ProfileInstallationResult
{
    // ErrorReason of the module, the values simfleet's devices give.
    enum class ErrorReason {
        IncorrectInputValues = 1,
        InvalidSignature = 2,
        InvalidTransactionId = 3,
        Scp03tSecurityError = 8,
        IccidAlreadyExists = 9,
        InsufficientMemory = 10,
        Interruption = 11,
        UnknownError = 127,
    };
    // BppCommandId: the step of the package that failed.
    enum class BppCommand { InitialiseSecureChannel = 0, ConfigureIsdp = 1, StoreMetadata = 2, ReplaceSessionKeys = 4, LoadProfileElements = 5 };

    QByteArray transactionId;
    qint64 sequenceNumber = 0;  // of the install notification
    QString notificationAddress; // the profile server that is told
    QString iccid;
    QByteArray serverOid;        // DER content octets
    bool success = true;
    QByteArray isdpAid;          // success: the ISD-P the profile lives in, 5 to 16 bytes
    BppCommand failedCommand = BppCommand::LoadProfileElements;
    ErrorReason reason = ErrorReason::UnknownError;
    QByteArray signature;        // euiccSignPIR, ECDSA r || s
    QByteArray receivedData;     // decode: the result data as it arrived, which the signature covers

    // ProfileInstallationResultData as this encoder writes it: what euiccSignPIR covers.
    QByteArray resultData() const;
    QByteArray encode() const;
    static Result<ProfileInstallationResult> decode(QByteArrayView der);
};

} // namespace simfleet::protocol
