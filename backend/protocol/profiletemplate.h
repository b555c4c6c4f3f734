#pragma once

#include "profilepackage.h"

namespace simfleet::protocol {

// An unpersonalised profile package that simfleet personalises per device (TCA eUICC Profile
// Package format, ../shared/spec/PEDefinitions.asn1): an operator's own (`operators
// set-profile-template`), or simfleet's built-in one. Personalising writes what is the device's
// own and what follows from it, and keeps everything else as the operator made it:
// - the ICCID in the header and in EF.ICCID;
// - the IMSI in EF.IMSI, the access class in EF.ACC (3GPP TS 22.011 section 4.2), the MNC
//   length in EF.AD, the service provider name in EF.SPN, of every USIM;
// - Ki and OPc in every AKA parameter set, with Milenage as the algorithm, since simfleet issues
//   Milenage credentials (DESIGN.md "Credentials"); the header then mandates Milenage and no
//   longer the algorithms it replaced (TUAK, the test algorithm);
// - the profile policy's "disabling not allowed" rule from the operator's setting.
// Copies share the parsed package; personalising leaves the template as it was.
class ProfileTemplate
{
public:
    // Refused, saying why, unless it decodes and has what personalising needs: an MF with
    // EF.ICCID, a USIM with EF.IMSI and EF.ACC, and AKA parameters of its own after it.
    static Result<ProfileTemplate> fromPackage(QByteArrayView package);
    // Header, MF (EF.ICCID, EF.DIR, EF.ARR), PUK and PIN codes, USIM (EF.IMSI, EF.AD, EF.UST,
    // EF.SPN, EF.ACC and the files its template creates), Milenage AKA parameters, End. Its PUKs
    // are random per device and kept nowhere: an M2M module's soldered eUICC has no keypad
    // that would take one, and its PIN is disabled.
    static const ProfileTemplate &builtIn();

    // The profile for one device. Holds Ki and OPc, so it is secret.
    Result<crypto::SecretBytes> personalise(const ProfileContent &content) const;
    // What personalise writes for this content, with every secret in it zeroed: Ki, OPc, the
    // security domains' keys, PIN and PUK values. For people to inspect.
    Result<QByteArray> withoutSecrets(const ProfileContent &content) const;

    ProfilePackageSummary summary() const { return m_package.summary(); }
    // The template as it was given.
    QByteArray encode() const { return m_package.encode(); }

private:
    Result<QList<der::Node>> personalised(const ProfileContent &content) const;

    ProfilePackage m_package;
    bool m_randomUnblockingCodes = false;
};

} // namespace simfleet::protocol
