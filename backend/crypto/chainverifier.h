#pragma once

#include "certificate.h"
#include "core/result.h"
#include "revocationlist.h"

#include <QDateTime>
#include <QList>
#include <QMutex>

#include <memory>

namespace simfleet::crypto {

enum class RevocationCheck {
    None,        // no revocation lists consulted
    Leaf,        // the end-entity certificate must be covered by its issuer's list
    WholeChain,  // every certificate below the trust anchor must be covered
};

// Verifies a certificate chain with OpenSSL's X509_STORE. Only the trust anchors added here
// are trusted; intermediates travel with the chain and are untrusted. Time comes from the
// caller (the injected clock), never from the system. A device certificate must carry an EID
// inside the range its manufacturer's name constraint permits (SGP.22 section 4.5.2.1.0.2).
class ChainVerifier
{
public:
    ChainVerifier();
    ~ChainVerifier();
    ChainVerifier(const ChainVerifier &other);
    ChainVerifier &operator=(const ChainVerifier &other);

    void addTrustAnchor(const Certificate &anchor);
    const QList<Certificate> &trustAnchors() const { return m_anchors; }
    void addRevocationList(const RevocationList &list);
    void setRevocationCheck(RevocationCheck check) { m_revocation = check; }
    void setTime(const QDateTime &time) { m_time = time; }

    // Returns the verified path from leaf to trust anchor.
    Result<QList<Certificate>> verify(const Certificate &leaf, const QList<Certificate> &intermediates) const
    {
        return verifyAt(leaf, intermediates, m_time);
    }
    // The same at a given time, so one configured verifier serves many threads and instants.
    Result<QList<Certificate>> verifyAt(const Certificate &leaf, const QList<Certificate> &intermediates,
                                        const QDateTime &time) const;

private:
    QList<Certificate> m_anchors;
    QList<RevocationList> m_crls;
    RevocationCheck m_revocation = RevocationCheck::None;
    QDateTime m_time;
    // The X509_STORE is built once and shared by every verification (it is thread-safe for
    // concurrent X509_verify_cert calls); adding trust material rebuilds it.
    struct Store;
    mutable std::shared_ptr<Store> m_store;
    mutable QMutex m_storeMutex;
};

// True when the device's subject serialNumber (its EID) starts with the prefix the
// manufacturer certificate permits and the organization names match.
Result<void> checkEidInManufacturerRange(const Certificate &device, const Certificate &manufacturer);

} // namespace simfleet::crypto
