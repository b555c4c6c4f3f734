#pragma once

#include "core/result.h"
#include "crypto/secretbytes.h"
#include "dertree.h"

#include <QList>
#include <QString>
#include <QStringList>

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
    int mncDigits = 2;              // of the IMSI's MNC: EF.AD byte 4 (3GPP TS 31.102 section 4.2.18)
};

// One profile element of a package as a person reads it.
struct ProfileElementSummary
{
    QString kind;           // the ProfileElement alternative: "header", "mf", "usim", "akaParameter", ...
    int identification = 0; // from its PEHeader; 0 for the header
    bool mandated = false;
};

struct ProfilePackageSummary
{
    int majorVersion = 0;
    int minorVersion = 0;
    QString profileType;
    QString iccid;
    QStringList mandatoryServices; // ServicesList names, e.g. "usim", "milenage"
    QList<ProfileElementSummary> elements;
};

// A profile package in the TCA eUICC Profile Package interoperable format
// (../shared/spec/PEDefinitions.asn1, versions 2 and 3): a sequence of DER ProfileElement
// values, the header first and PE-End last, each read to the bottom. Every alternative of the
// module is understood; what it holds is kept as read, so a package encodes back to exactly
// the bytes it came from (the GSMA TS.48 test profiles among them).
class ProfilePackage
{
public:
    static Result<ProfilePackage> decode(QByteArrayView package);
    QByteArray encode() const;
    ProfilePackageSummary summary() const;

    const QList<der::Node> &elements() const { return m_elements; }
    QList<der::Node> &elements() { return m_elements; }

private:
    QList<der::Node> m_elements;
};

// The alternative a ProfileElement tag names, or empty when the module has none.
QString profileElementKind(quint16 tag);

// The bytes a File (TCA section 8.3.2) fills in, from its fillFileContent and fillFileOffset
// entries in order; empty when it fills nothing in.
QByteArray fileContent(const der::Node &file);

// A profile package personalised from simfleet's built-in template (ProfileTemplate::builtIn):
// header, MF with EF.ICCID and EF.DIR, PIN and PUK codes, USIM with EF.IMSI, EF.AD, EF.UST,
// EF.SPN, EF.ACC and the rest the USIM template needs, Milenage AKA parameters, End. The result
// holds Ki and OPc, so it is secret.
Result<crypto::SecretBytes> encodeProfilePackage(const ProfileContent &content);

// The device side: reads a package back, checking its structure, the header version, the
// ICCID (header and EF.ICCID agree) and IMSI codings and the Milenage parameters. A package
// that mandates a service this secure element lacks (an AKA algorithm other than Milenage) or
// holds an element the module does not define is refused.
Result<ProfileContent> decodeProfilePackage(QByteArrayView package);

// EF.ICCID coding (ETSI TS 102 221 section 13.2): BCD with nibbles swapped, padded with F.
QByteArray iccidToEfIccid(QStringView iccid);
// Back to digits; empty when a nibble before the padding is not a digit.
QString efIccidToIccid(QByteArrayView bytes);
// The ProfileHeader's iccid: the digits as BCD in reading order, padded with F (the coding the
// TS.48 profiles and other profile makers use there, unlike EF.ICCID's).
QByteArray iccidToHeaderIccid(QStringView iccid);
QString headerIccidToIccid(QByteArrayView bytes);
// EF.IMSI coding (3GPP TS 31.102 section 4.2.2): length, then parity/type nibble and digits.
QByteArray imsiToEfImsi(QStringView imsi);
QString efImsiToImsi(QByteArrayView bytes);

} // namespace simfleet::protocol
