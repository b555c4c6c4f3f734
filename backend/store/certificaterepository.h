#pragma once

#include "core/result.h"
#include "records.h"

#include <QList>
#include <QSqlDatabase>

namespace simfleet::store {

// The workspace's PKI: trusted certificate issuers, manufacturers and operators' profile
// servers, with the private keys a demo workspace holds for them (sealed).
class CertificateRepository
{
public:
    explicit CertificateRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<qint64> insert(const CertificateRecord &record);
    Result<void> setPrivateKeySealed(qint64 id, const QByteArray &sealed);
    // The certificates the workspace trusts now; retired ones only when asked for.
    Result<QList<CertificateRecord>> list(std::optional<CertificateRoleName> role = std::nullopt,
                                          bool withRetired = false);
    // Stops trusting it from `at` on; false when there is no such current certificate.
    Result<bool> retire(qint64 id, const QDateTime &at);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
