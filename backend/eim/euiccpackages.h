#pragma once

#include "core/result.h"
#include "eimidentity.h"
#include "protocol/eimpackage.h"

#include <QList>
#include <QSqlDatabase>

namespace simfleet::crypto {
class Certificate;
}

namespace simfleet::eim {

// What an eUICC did with a package, once its answer is proven to answer it.
struct EuiccPackageOutcome
{
    // Ran: one result per PSMO in the package's order (fewer when it terminated early).
    QList<protocol::EuiccResultData> results;
    qint64 seqNumber = 0;
    // Refused after verifying the eIM's signature (EuiccPackageErrorData's codes: 3 invalidEid,
    // 4 replayError, 6 counterValueOutOfRange, ...); the PSMOs did not run. Zero when it ran.
    int refusedWith = 0;
};

// The eIM's half of SGP.32's eUICC packages (section 2.11): it signs PSMOs for one eUICC with the
// next counterValue, and checks what comes back. The counter is taken in the caller's write
// transaction (store::EimRepository::takeCounter), so no two packages for one eUICC ever share
// one and a package is sent at most once under its counter: the eUICC refuses one it has seen
// (replayError), which is how a replayed or reordered package changes nothing.
class EuiccPackages
{
public:
    explicit EuiccPackages(EimIdentity identity) : m_identity(std::move(identity)) { }

    const EimIdentity &identity() const { return m_identity; }

    // A signed EuiccPackageRequest for this eUICC, under the next counter (db: a write transaction).
    Result<protocol::EuiccPackageRequest> sign(QSqlDatabase &db, const QString &eid, const QList<protocol::Psmo> &psmos,
                                               const QByteArray &transactionId = {}) const;
    // The same under a given counter (tests of a replayed or reordered package; never the store's).
    Result<protocol::EuiccPackageRequest> signWithCounter(const QString &eid, qint64 counterValue,
                                                          const QList<protocol::Psmo> &psmos,
                                                          const QByteArray &transactionId = {}) const;

    // Checks an eUICC's answer (EuiccPackageResult, DER) to the package `sent`: it must name this
    // eIM, the package's counter and transaction, and be signed by the eUICC's key (its
    // certificate, already verified to chain to a trusted issuer) over the result followed by
    // the package's signature. An unsigned error, a result for another package or a bad
    // signature is an error saying which; nothing in it may be believed.
    Result<EuiccPackageOutcome> checkResult(const protocol::EuiccPackageRequest &sent, const QByteArray &answer,
                                            const crypto::Certificate &euiccCertificate) const;
    // The same for an answer decoded already (its receivedSigned as it arrived).
    Result<EuiccPackageOutcome> checkResult(const protocol::EuiccPackageRequest &sent, const protocol::EuiccPackageResult &result,
                                            const crypto::Certificate &euiccCertificate) const;

private:
    EimIdentity m_identity;
};

} // namespace simfleet::eim
