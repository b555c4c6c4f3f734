#pragma once

#include "core/result.h"
#include "profilemanagement.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>
#include <variant>

// The eIM packages of SGP.32 section 2.11 (SGP32Definitions in ../shared/spec): what an eIM sends
// an eUICC through its IPA, and what comes back. Pure data in, bytes out: no keys, no I/O. The
// eIM signs (eim/), the eUICC verifies and answers (simulation/), both with these codecs.
namespace simfleet::protocol {

// One Profile State Management Operation (Psmo, section 2.11.1.1.3). simfleet sends enable,
// disable, delete and listProfileInfo; getRAT and configureAutoEnable are decoded as Other, so a
// package carrying one is answered, never misread.
struct Psmo
{
    enum class Kind { Enable, Disable, Delete, ListProfileInfo, Other };
    Kind kind = Kind::ListProfileInfo;
    QString iccid;                       // enable, disable, delete
    bool rollbackFlag = false;           // enable: the eUICC may roll back to the profile enabled before
    ProfileInfoListRequest listRequest;  // listProfileInfo ('BF2D')
    quint16 otherTag = 0;                // Other: the tag of the alternative
    QByteArray other;                    // Other: the alternative as it arrived, written back as is

    static Psmo enable(const QString &iccid, bool rollback = true);
    static Psmo disable(const QString &iccid);
    static Psmo remove(const QString &iccid);
    static Psmo listProfiles(ProfileInfoListRequest request = {});
};

// EuiccPackageSigned (section 2.11.1.1): the eIM, the eUICC it is for, the counter the eUICC
// checks for replay, an optional transaction ID, and the PSMOs. simfleet never sends eCOs (ecoList);
// a package with them decodes with ecoCount set, so the eUICC can answer it.
struct EuiccPackageSigned
{
    QString eimId;
    QString eid;               // 32 decimal digits, as identity::Eid prints it; eidValue is their BCD
    qint64 counterValue = 0;
    QByteArray transactionId;  // empty: absent
    QList<Psmo> psmos;
    int ecoCount = 0;          // decode only

    QByteArray encode() const; // the SEQUENCE ('30') as a whole
    static Result<EuiccPackageSigned> decode(QByteArrayView der);
};

// EuiccPackageRequest ('BF51'): the signed part and eimSignature ('5F37', ECDSA r || s like every
// '5F37' in SGP.22). The signature covers euiccPackageSigned as encoded followed by the
// associationToken data object of the eIM's configuration ('84 01 00' when it has none).
struct EuiccPackageRequest
{
    EuiccPackageSigned content;
    QByteArray eimSignature;
    QByteArray receivedSigned; // decode: euiccPackageSigned as it arrived, which the signature covers

    // What eimSignature covers for this encoded euiccPackageSigned.
    static QByteArray signedData(QByteArrayView euiccPackageSigned, qint64 associationToken = 0);
    QByteArray encode() const;
    static Result<EuiccPackageRequest> decode(QByteArrayView der);
};

// One EuiccResultData (section 2.11.2.1), in the order of the package's PSMOs: the result code of
// enable, disable or delete (ProfileOperationResult's numbers: 0 ok, 1 iccidOrAidNotFound, 2 not in
// the required state, 127), the profiles of listProfileInfo or its error, or processingTerminated
// for a PSMO the eUICC did not run (then no later PSMO ran either).
struct EuiccResultData
{
    enum class Kind { Enable, Disable, Delete, ListProfileInfo, Rollback, ProcessingTerminated, Other };
    enum Terminated { ResultSizeOverflow = 1, UnknownOrDamagedCommand = 2, Interruption = 3, UndefinedError = 127 };
    Kind kind = Kind::Enable;
    int result = 0;              // the code, for every kind but ListProfileInfo without error
    QList<ProfileInfo> profiles; // ListProfileInfo: profileInfoListOk
    bool listError = false;      // ListProfileInfo: profileInfoListError, its code in result
    QByteArray other;            // Other (getRAT, configureAutoEnable and the eCO results): the
                                 // alternative as it arrived, tag included, written back as is
};

// EuiccPackageResultDataSigned: what the eUICC did, bound to the request it answers (the same
// eimId, counterValue and transactionId) and numbered like its notifications (seqNumber).
struct EuiccPackageResultData
{
    QString eimId;
    qint64 counterValue = 0;
    QByteArray transactionId;
    qint64 seqNumber = 0;
    QList<EuiccResultData> results;

    QByteArray encode() const; // the SEQUENCE ('30')
};

// EuiccPackageErrorDataSigned: a package the eUICC refused after verifying the eIM's signature.
struct EuiccPackageErrorData
{
    enum Code { InvalidEid = 3, ReplayError = 4, CounterValueOutOfRange = 6, SizeOverflow = 15, UndefinedError = 127 };
    QString eimId;
    qint64 counterValue = 0;
    QByteArray transactionId;
    int code = UndefinedError;

    QByteArray encode() const; // the SEQUENCE ('30')
};

// EuiccPackageErrorUnsigned: a package the eUICC could not attribute to an eIM it knows, or whose
// signature did not verify; nothing in it is signed, so it proves nothing.
struct EuiccPackageErrorUnsigned
{
    QString eimId;
    std::optional<qint64> associationToken;
};

// EuiccPackageResult (section 2.11.2.1): signed result, signed error or unsigned error. The eUICC
// signs (euiccSignEPR, euiccSignEPE; '5F37', r || s) the data as encoded followed by the
// eimSignature of the request it answers, so a result cannot be replayed for another request.
struct EuiccPackageResult
{
    std::variant<EuiccPackageResultData, EuiccPackageErrorData, EuiccPackageErrorUnsigned> content;
    QByteArray euiccSignature;  // the two signed forms
    QByteArray receivedSigned;  // decode: the signed data as it arrived

    static QByteArray signedData(QByteArrayView dataSigned, QByteArrayView eimSignature);
    // The CHOICE, tagged as ProvideEimPackageResult carries it ('BF51').
    QByteArray encode() const;
    static Result<EuiccPackageResult> decode(QByteArrayView der);
};

// ProfileDownloadTriggerRequest ('BF54', section 2.11.1.3): simfleet sends an activation code
// (SGP.22 4.1) for the IPA to download with, through the eIM's ESipa relay.
struct ProfileDownloadTriggerRequest
{
    QString activationCode;      // empty: profileDownloadData absent; the other alternatives
                                 // (contactDefaultSmdp, contactSmds) are refused on decode
    QByteArray eimTransactionId; // empty: absent

    QByteArray encode() const;
    static Result<ProfileDownloadTriggerRequest> decode(QByteArrayView der);
};

// ProfileDownloadTriggerResult ('BF54', section 2.11.2.3): the eUICC's ProfileInstallationResult
// ('BF37', DER, as protocol/profileinstallationresult.h reads it), or the download's error.
struct ProfileDownloadTriggerResult
{
    QByteArray eimTransactionId;
    QByteArray profileInstallationResult; // 'BF37' whole; empty when the download failed
    QByteArray errorResponse;             // profileDownloadError: what failed, if the IPA says

    QByteArray encode() const;
    static Result<ProfileDownloadTriggerResult> decode(QByteArrayView der);
};

} // namespace simfleet::protocol
