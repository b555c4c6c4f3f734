#pragma once

#include "attestationverdict.h"
#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/revocationlist.h"
#include "protocol/entityattestationtoken.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>

#include <functional>
#include <optional>

namespace simfleet::attestation {

// A nonce the verifier handed out (32 random bytes, single use, short-lived).
struct IssuedNonce
{
    QByteArray nonce;
    QString eid;
    QDateTime issuedAt;
    QDateTime expiresAt;
    bool used = false;
};

// Known-good measurements for one hardware model and software version of one manufacturer: they
// vouch only for devices that manufacturer certified (its certificate's organization), since a
// model name is just a string any other manufacturer's device can claim.
struct ReferenceValue
{
    QString manufacturer; // the organization in the manufacturer's (EUM) certificate
    QString hwmodel;
    QString swname;
    QString swversion;
    QList<protocol::Measurement> measurements;
    QDateTime retiredAt; // invalid while the version is acceptable
    std::optional<qint64> oemid; // when known, the oemid claim the manufacturer's devices make
};

// The platform validation authority (TR 33.812's PVA; DESIGN.md "Attestation"). Checks, in this
// order, stopping at the first failure: the certificate chain to a trusted manufacturer with the
// EID in its range; the signature over the exact bytes received; the nonce (issued to this
// device, unexpired, unused); the claims against the reference values; the debug status; the
// revocation list. Thread-safe once configured.
class AttestationVerifier
{
public:
    void addTrustAnchor(const crypto::Certificate &issuerRoot)
    {
        m_anchors.append(issuerRoot);
        m_chain.addTrustAnchor(issuerRoot);
    }
    void addManufacturer(const crypto::Certificate &manufacturer);
    void addRevocationList(const crypto::RevocationList &list);
    void addReferenceValue(const ReferenceValue &value) { m_references.append(value); }
    void setMaxClockSkewSeconds(qint64 seconds) { m_maxSkew = seconds; }

    using NonceLookup = std::function<std::optional<IssuedNonce>(const QByteArray &nonce)>;

    // lookupNonce answers what the verifier issued; the caller marks a nonce used when the
    // verdict reaches the nonce step (verdict.reasonCode tells which step decided).
    AttestationVerdict verify(const QString &expectedEid, QByteArrayView evidence, const NonceLookup &lookupNonce,
                              const QDateTime &now) const
    {
        return verify(expectedEid, evidence, lookupNonce, now, now);
    }
    // Evidence the device gave at `answeredAt`, judged now: its nonce's expiry and the device's
    // clock against the time it answered; the chain, the reference values and the revocation
    // list as they stand now (stored evidence verified again before it lets credentials out).
    AttestationVerdict verify(const QString &expectedEid, QByteArrayView evidence, const NonceLookup &lookupNonce,
                              const QDateTime &now, const QDateTime &answeredAt) const;

    // The nonce in a token, read without verifying anything (to look it up before verify()).
    static std::optional<QByteArray> peekNonce(QByteArrayView evidence);

    // Whether the verdict consumed the nonce (every verdict from the nonce step on).
    static bool consumedNonce(const AttestationVerdict &verdict);

private:
    // verify()'s steps; sets the certificate's end and the location once the evidence proved
    // its own and fresh (AttestationVerdict says which steps).
    AttestationVerdict judge(const QString &expectedEid, QByteArrayView evidence, const NonceLookup &lookupNonce,
                             const QDateTime &now, const QDateTime &answeredAt, QDateTime &certificateNotAfter,
                             std::optional<protocol::ReportedLocation> &authenticLocation) const;
    const ReferenceValue *referenceFor(const QString &manufacturer, const protocol::EatClaims &claims) const;
    // Each manufacturer is matched, as trust material is added, with the newest revocation list
    // it signed, so a list's signature is checked once and not on every verdict.
    void matchRevocationList(qsizetype manufacturer, const crypto::RevocationList &list);

    QList<crypto::Certificate> m_anchors;
    QList<crypto::Certificate> m_manufacturers;
    QList<QByteArray> m_manufacturerDer; // to reuse a parsed certificate the evidence carries again
    crypto::ChainVerifier m_chain;
    QList<crypto::RevocationList> m_crls;
    QHash<qsizetype, crypto::RevocationList> m_crlByManufacturer; // by index in m_manufacturers
    QList<ReferenceValue> m_references;
    qint64 m_maxSkew = 300;
};

} // namespace simfleet::attestation
