#include "rolecheck.h"

#include "certificate.h"

#include <openssl/x509v3.h>

#include <cstdint>

namespace simfleet::crypto {

namespace {

struct RoleRules
{
    const char *policy;
    bool certificateAuthority;
    uint32_t keyUsage;      // every bit required
    uint32_t extendedUsage; // every bit required (XKU_*), 0 for none
};

// SGP.22 section 4.5.2.1.0: CI and EUM are CAs (the EUM with path length 0, it certifies eUICCs
// only) that sign certificates (the CI also its revocation lists); the end entities sign; TLS
// servers also carry the serverAuth purpose.
RoleRules rulesFor(RspRole role)
{
    switch (role) {
    case RspRole::CertificateIssuer:
        return { "2.23.146.1.2.1.0", true, KU_KEY_CERT_SIGN | KU_CRL_SIGN, 0 };
    case RspRole::Euicc:
        return { "2.23.146.1.2.1.1", false, KU_DIGITAL_SIGNATURE, 0 };
    case RspRole::Manufacturer:
        return { "2.23.146.1.2.1.2", true, KU_KEY_CERT_SIGN, 0 };
    case RspRole::ProfileServerTls:
        return { "2.23.146.1.2.1.3", false, KU_DIGITAL_SIGNATURE, XKU_SSL_SERVER };
    case RspRole::ProfileServerAuth:
        return { "2.23.146.1.2.1.4", false, KU_DIGITAL_SIGNATURE, 0 };
    case RspRole::ProfileServerBinding:
        return { "2.23.146.1.2.1.5", false, KU_DIGITAL_SIGNATURE, 0 };
    }
    return {};
}

QString usageNames(uint32_t bits)
{
    QStringList names;
    if (bits & KU_DIGITAL_SIGNATURE)
        names.append(QStringLiteral("digitalSignature"));
    if (bits & KU_KEY_CERT_SIGN)
        names.append(QStringLiteral("keyCertSign"));
    if (bits & KU_CRL_SIGN)
        names.append(QStringLiteral("cRLSign"));
    return names.join(QStringLiteral(" and "));
}

} // namespace

QString rspRoleTitle(RspRole role)
{
    switch (role) {
    case RspRole::CertificateIssuer:
        return QStringLiteral("certificate issuer (CI)");
    case RspRole::Euicc:
        return QStringLiteral("eUICC");
    case RspRole::Manufacturer:
        return QStringLiteral("eUICC manufacturer (EUM)");
    case RspRole::ProfileServerTls:
        return QStringLiteral("SM-DP+ TLS");
    case RspRole::ProfileServerAuth:
        return QStringLiteral("SM-DP+ authentication");
    case RspRole::ProfileServerBinding:
        return QStringLiteral("SM-DP+ profile binding");
    }
    return {};
}

Result<void> checkRspRole(const Certificate &certificate, RspRole role)
{
    if (certificate.isNull())
        return fail(QStringLiteral("there is no certificate to check"));
    const RoleRules rules = rulesFor(role);
    const QString who = certificate.subjectText();
    const QString title = rspRoleTitle(role);
    if (!certificate.policies().contains(QLatin1StringView(rules.policy)))
        return fail(QStringLiteral("%1 is not a certificate for the %2 role: its certificate policies do not name the SGP.22 role "
                                   "%3 (section 4.5.2.1); ask its owner for its %2 certificate")
                        .arg(who, title, QLatin1StringView(rules.policy)));
    X509 *x = certificate.handle();
    // From basic constraints alone (X509_check_ca would also ask for keyCertSign, which has its
    // own rule and message below); this call also decodes the extensions the others read.
    const uint32_t flags = X509_get_extension_flags(x);
    if (rules.certificateAuthority && !(flags & EXFLAG_CA))
        return fail(QStringLiteral("%1 cannot serve in the %2 role: its basic constraints do not make it a certificate "
                                   "authority (SGP.22 section 4.5.2.1.0); ask its owner for the correct certificate")
                        .arg(who, title));
    if (!rules.certificateAuthority && (flags & EXFLAG_CA))
        return fail(QStringLiteral("%1 cannot serve in the %2 role: it is a certificate authority, and an end entity "
                                   "must not be (SGP.22 section 4.5.2.1.0)")
                        .arg(who, title));
    if (role == RspRole::Manufacturer && X509_get_pathlen(x) != 0)
        return fail(QStringLiteral("%1 cannot serve in the EUM role: its basic constraints must limit the path length "
                                   "to 0, since an EUM certifies eUICCs only (SGP.22 section 4.5.2.1.0.2)")
                        .arg(who));
    if (!(flags & EXFLAG_KUSAGE) || (X509_get_key_usage(x) & rules.keyUsage) != rules.keyUsage)
        return fail(QStringLiteral("%1 cannot serve in the %2 role: its key usage must include %3 (SGP.22 section "
                                   "4.5.2.1.0)")
                        .arg(who, title, usageNames(rules.keyUsage)));
    if (rules.extendedUsage
        && (!(flags & EXFLAG_XKUSAGE) || (X509_get_extended_key_usage(x) & rules.extendedUsage) != rules.extendedUsage))
        return fail(QStringLiteral("%1 cannot serve in the %2 role: its extended key usage must include serverAuth "
                                   "(SGP.22 section 4.5.2.1.0.3)")
                        .arg(who, title));
    if (role == RspRole::Manufacturer && !certificate.permittedEidPrefix())
        return fail(QStringLiteral("%1 cannot serve in the EUM role: its name constraints state no EID range (a "
                                   "permitted directoryName with the EID prefix as serialNumber, SGP.22 section "
                                   "4.5.2.1.0.2); ask the manufacturer for a certificate that states its range")
                        .arg(who));
    return {};
}

} // namespace simfleet::crypto
