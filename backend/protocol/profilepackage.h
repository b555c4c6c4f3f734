#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"

#include <QString>

namespace simfleet::protocol {

// What one USIM profile carries (DESIGN.md "Credentials"). Ki and OPc are secrets.
struct ProfileContent
{
    QString iccid; // 19 or 20 digits, check digit included
    QString imsi;  // 14 or 15 digits
    crypto::SecretBytes ki;
    crypto::SecretBytes opc;
    QString serviceProviderName;
    QString profileType = QStringLiteral("simfleet M2M USIM");
    bool disableNotAllowed = false; // profile policy rule 1 (SGP.22 section 2.9.2.1)
};

// The profile package after the TCA eUICC Profile Package interoperable format, version 3.3
// (../shared/spec/PEDefinitions.asn1): a sequence of DER-encoded ProfileElement values, the
// header first (ProfileHeader with the ICCID in EF.ICCID coding), then the USIM file system
// (PE-USIM with EF.IMSI, EF.ACC and EF.SPN), the AKA parameters (PE-AKAParameter, Milenage with
// Ki and OPc), and PE-End. The result holds Ki and OPc, so it is secret.
Result<crypto::SecretBytes> encodeProfilePackage(const ProfileContent &content);

// The device side: reads a package back, checking its structure, the header version, the
// ICCID and IMSI codings and the Milenage parameters. Unknown optional elements are refused:
// a secure element installs only what it understands.
Result<ProfileContent> decodeProfilePackage(QByteArrayView package);

// EF.ICCID coding (ETSI TS 102 221 section 13.2): BCD with nibbles swapped, padded with F.
QByteArray iccidToEfIccid(QStringView iccid);
// Back to digits; empty when a nibble before the padding is not a digit.
QString efIccidToIccid(QByteArrayView bytes);
// EF.IMSI coding (3GPP TS 31.102 section 4.2.2): length, then parity/type nibble and digits.
QByteArray imsiToEfImsi(QStringView imsi);

} // namespace simfleet::protocol
