#include "attestationverifier.h"

#include "crypto/chainverifier.h"
#include "crypto/constanttime.h"
#include "crypto/ecdsa.h"

namespace simfleet::attestation {

namespace {

AttestationVerdict verdict(TrustTier tier, const char *code, QString message)
{
    return { tier, QString::fromLatin1(code), std::move(message) };
}

// Reason codes decided at or after the nonce step: the nonce is spent by these.
const QStringList nonceConsumingCodes {
    QStringLiteral("nonce-expired"),        QStringLiteral("nonce-replayed"),     QStringLiteral("identity-mismatch-ueid"),
    QStringLiteral("no-reference-values"),  QStringLiteral("software-retired"),   QStringLiteral("measurement-mismatch"),
    QStringLiteral("secure-boot-off"),      QStringLiteral("tamper-detected"),    QStringLiteral("debug-enabled"),
    QStringLiteral("revoked"),              QStringLiteral("revocation-unknown"), QStringLiteral("clock-skew"),
    QStringLiteral("affirmed"),
};

} // namespace

bool AttestationVerifier::consumedNonce(const AttestationVerdict &v)
{
    return nonceConsumingCodes.contains(v.reasonCode);
}

std::optional<QByteArray> AttestationVerifier::peekNonce(QByteArrayView evidence)
{
    const auto sign1 = protocol::parseCoseSign1(evidence);
    if (!sign1)
        return std::nullopt;
    const auto claims = protocol::decodeClaims(sign1->payload);
    if (!claims)
        return std::nullopt;
    return claims->nonce;
}

void AttestationVerifier::addManufacturer(const crypto::Certificate &manufacturer)
{
    m_manufacturers.append(manufacturer);
    m_manufacturerDer.append(manufacturer.toDer());
    for (const crypto::RevocationList &list : m_crls)
        matchRevocationList(m_manufacturers.size() - 1, list);
}

void AttestationVerifier::addRevocationList(const crypto::RevocationList &list)
{
    m_crls.append(list);
    for (qsizetype i = 0; i < m_manufacturers.size(); ++i)
        matchRevocationList(i, list);
}

void AttestationVerifier::matchRevocationList(qsizetype manufacturer, const crypto::RevocationList &list)
{
    // The signature only: whether the list is current is checked per verdict.
    if (!list.checkIssuedBy(m_manufacturers.at(manufacturer), list.thisUpdate()).ok())
        return;
    const auto known = m_crlByManufacturer.constFind(manufacturer);
    if (known == m_crlByManufacturer.cend() || known->thisUpdate() < list.thisUpdate())
        m_crlByManufacturer.insert(manufacturer, list);
}

const ReferenceValue *AttestationVerifier::referenceFor(const QString &manufacturer, const protocol::EatClaims &claims) const
{
    for (const ReferenceValue &r : m_references) {
        if (r.manufacturer == manufacturer && r.hwmodel == claims.hwmodel && r.swversion == claims.swversion
            && (!r.oemid || *r.oemid == claims.oemid))
            return &r;
    }
    return nullptr;
}

AttestationVerdict AttestationVerifier::verify(const QString &expectedEid, QByteArrayView evidence,
                                               const NonceLookup &lookupNonce, const QDateTime &now,
                                               const QDateTime &answeredAt) const
{
    QDateTime certificateNotAfter;
    std::optional<protocol::ReportedLocation> location;
    AttestationVerdict v = judge(expectedEid, evidence, lookupNonce, now, answeredAt, certificateNotAfter, location);
    // A revoked key, an open debug port, firmware or a boot that is not the manufacturer's: such
    // a platform could say it is anywhere. A tripped tamper switch is the secure element's own
    // report about the enclosure, so that device's place still counts (where to find it).
    if (v.tier == TrustTier::Contraindicated && v.reasonCode != u"tamper-detected")
        location.reset();
    v.certificateNotAfter = certificateNotAfter;
    v.location = std::move(location);
    return v;
}

AttestationVerdict AttestationVerifier::judge(const QString &expectedEid, QByteArrayView evidence,
                                              const NonceLookup &lookupNonce, const QDateTime &now,
                                              const QDateTime &answeredAt, QDateTime &certificateNotAfter,
                                              std::optional<protocol::ReportedLocation> &authenticLocation) const
{
    const auto sign1 = protocol::parseCoseSign1(evidence);
    if (!sign1)
        return verdict(TrustTier::None, "malformed-evidence",
                       QStringLiteral("The device's evidence is unreadable (%1); attest it again.").arg(sign1.errorMessage()));

    // 1. The chain to a trusted manufacturer, with the EID in its range.
    auto leaf = crypto::Certificate::fromDer(sign1->x5chain.first());
    if (!leaf)
        return verdict(TrustTier::None, "malformed-evidence",
                       QStringLiteral("The device's certificate is unreadable: %1.").arg(leaf.errorMessage()));
    QList<crypto::Certificate> intermediates;
    for (qsizetype i = 1; i < sign1->x5chain.size(); ++i) {
        // Every device of a manufacturer sends the same manufacturer certificate: parse it once.
        if (const qsizetype known = m_manufacturerDer.indexOf(sign1->x5chain.at(i)); known >= 0) {
            intermediates.append(m_manufacturers.at(known));
            continue;
        }
        auto c = crypto::Certificate::fromDer(sign1->x5chain.at(i));
        if (!c)
            return verdict(TrustTier::None, "malformed-evidence",
                           QStringLiteral("A certificate in the device's chain is unreadable: %1.").arg(c.errorMessage()));
        intermediates.append(c.value());
    }
    const auto path = m_chain.verifyAt(leaf.value(), intermediates, now);
    if (!path) {
        if (path.errorMessage().contains(QStringLiteral("lies outside the range")))
            return verdict(TrustTier::Contraindicated, "eid-out-of-range",
                           QStringLiteral("The device certificate is not valid: %1. Do not provision it; report it to "
                                          "the manufacturer.")
                               .arg(path.errorMessage()));
        return verdict(TrustTier::Contraindicated, "untrusted-chain",
                       QStringLiteral("The device certificate is not trusted: %1. Do not provision it; import the "
                                      "manufacturer's certificate if it is one you deal with.")
                           .arg(path.errorMessage()));
    }
    const qsizetype manufacturerIndex = path->size() < 2 ? -1 : m_manufacturers.indexOf(path->at(1));
    if (manufacturerIndex < 0)
        return verdict(TrustTier::Contraindicated, "untrusted-manufacturer",
                       QStringLiteral("The device was certified by %1, which is not a manufacturer this workspace "
                                      "trusts.")
                           .arg(path->size() > 1 ? path->at(1).subjectText() : leaf->issuerText()));
    if (leaf->subject().serialNumber != expectedEid)
        return verdict(TrustTier::Contraindicated, "identity-mismatch",
                       QStringLiteral("The evidence is for EID %1, not for the device asked (%2); something answers "
                                      "in its place.")
                           .arg(leaf->subject().serialNumber, expectedEid));

    // 2. The signature over the exact bytes received.
    if (auto ok = crypto::ecdsaVerify(leaf->publicKey(), protocol::signatureInput(sign1->protectedBytes, sign1->payload),
                                      sign1->signature, crypto::SignatureFormat::Raw);
        !ok)
        return verdict(TrustTier::Contraindicated, "bad-signature",
                       QStringLiteral("The evidence's signature does not verify (%1): it was altered or not made by "
                                      "this device's key.")
                           .arg(ok.errorMessage()));
    const auto claims = protocol::decodeClaims(sign1->payload);
    if (!claims)
        return verdict(TrustTier::None, "malformed-evidence",
                       QStringLiteral("The device's claims are unreadable: %1.").arg(claims.errorMessage()));

    // 3. The nonce: issued by us to this device, unexpired, unused.
    const auto issued = lookupNonce ? lookupNonce(claims->nonce) : std::nullopt;
    if (!issued || issued->eid != expectedEid)
        return verdict(TrustTier::None, "nonce-unknown",
                       QStringLiteral("The evidence answers a challenge this workspace did not send to this device; "
                                      "attest it again."));
    if (issued->used)
        return verdict(TrustTier::None, "nonce-replayed",
                       QStringLiteral("The evidence answers a challenge that was already used: a replay. Attest the "
                                      "device again."));
    if (answeredAt >= issued->expiresAt)
        return verdict(TrustTier::None, "nonce-expired",
                       QStringLiteral("The device answered after its challenge expired (%1); attest it again.")
                           .arg(issued->expiresAt.toString(Qt::ISODate)));
    if (!crypto::equalConstantTime(claims->ueid, protocol::ueidForEid(expectedEid)))
        return verdict(TrustTier::Contraindicated, "identity-mismatch-ueid",
                       QStringLiteral("The evidence names another device (UEID) than its certificate."));
    // Signed by the device's certified key, answering our challenge: when its certificate ends
    // is worth knowing years ahead, whatever the appraisal finds, and where it says it is counts
    // as its report (verify() keeps it only from a platform the appraisal does not distrust).
    certificateNotAfter = leaf->notAfter();
    authenticLocation = claims->location;
    if (authenticLocation && !authenticLocation->measuredAt.isValid())
        authenticLocation->measuredAt = claims->issuedAt;

    // 4. The claims against the reference values for this model and software.
    if (claims->tampered)
        return verdict(TrustTier::Contraindicated, "tamper-detected",
                       QStringLiteral("The secure element reports physical tampering. Do not provision it; have the "
                                      "device inspected."));
    if (!claims->secureBoot)
        return verdict(TrustTier::Contraindicated, "secure-boot-off",
                       QStringLiteral("The device did not boot through the manufacturer's secure boot."));
    // Looked up for the manufacturer whose certificate vouches for this device (the chain checked
    // in step 1), never by the model name alone: another manufacturer's device claiming the same
    // model and version is measured against nothing.
    const QString certifiedBy = path->at(1).subject().organization;
    const ReferenceValue *reference = referenceFor(certifiedBy, claims.value());
    QList<AttestationVerdict> warnings;
    if (!reference) {
        warnings.append(verdict(TrustTier::Warning, "no-reference-values",
                                QStringLiteral("%1 runs %2 %3, for which no reference values of its manufacturer %4 are "
                                               "known; add them if this version is approved.")
                                    .arg(claims->hwmodel, claims->swname, claims->swversion, certifiedBy)));
    } else {
        for (const protocol::Measurement &expected : reference->measurements) {
            const auto found = std::find_if(claims->measurements.cbegin(), claims->measurements.cend(),
                                            [&](const protocol::Measurement &m) { return m.component == expected.component; });
            if (found == claims->measurements.cend() || !crypto::equalConstantTime(found->digest, expected.digest))
                return verdict(TrustTier::Contraindicated, "measurement-mismatch",
                               QStringLiteral("The %1 measurement differs from the reference for %2 %3: the firmware "
                                              "was modified. Do not provision it.")
                                   .arg(expected.component, claims->hwmodel, claims->swversion));
        }
        if (reference->retiredAt.isValid() && reference->retiredAt <= now)
            warnings.append(verdict(TrustTier::Warning, "software-retired",
                                    QStringLiteral("%1 %2 was retired on %3; update the device's software.")
                                        .arg(claims->swname, claims->swversion,
                                             reference->retiredAt.toString(Qt::ISODate))));
    }

    // 5. The debug status.
    if (claims->debug == protocol::DebugStatus::Enabled)
        return verdict(TrustTier::Contraindicated, "debug-enabled",
                       QStringLiteral("The device's debug interface is enabled, so its secrets are exposed. Do not "
                                      "provision it."));

    // 6. The revocation list.
    const crypto::Certificate &manufacturer = path->at(1);
    const crypto::RevocationList *crl = nullptr;
    if (const auto it = m_crlByManufacturer.constFind(manufacturerIndex);
        it != m_crlByManufacturer.cend() && now >= it->thisUpdate() && now < it->nextUpdate())
        crl = &it.value();
    if (!crl)
        warnings.append(verdict(TrustTier::Warning, "revocation-unknown",
                                QStringLiteral("No current revocation list from %1; import it to know whether the device "
                                               "was revoked.")
                                    .arg(manufacturer.subject().organization)));
    else if (crl->lists(leaf.value()))
        return verdict(TrustTier::Contraindicated, "revoked",
                       QStringLiteral("The manufacturer revoked this device's certificate. Do not provision it."));

    if (const qint64 ahead = answeredAt.secsTo(claims->issuedAt); std::llabs(ahead) > m_maxSkew)
        warnings.append(verdict(TrustTier::Warning, "clock-skew",
                                QStringLiteral("The device's clock is %1 minutes %2; check its time source.")
                                    .arg(std::llabs(ahead) / 60)
                                    .arg(ahead > 0 ? QStringLiteral("ahead") : QStringLiteral("behind"))));
    if (!warnings.isEmpty())
        return warnings.first();
    return verdict(TrustTier::Affirming, "affirmed",
                   QStringLiteral("Genuine %1 running %2 %3 as the reference expects.")
                       .arg(claims->hwmodel, claims->swname, claims->swversion));
}

} // namespace simfleet::attestation
