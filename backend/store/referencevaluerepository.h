#pragma once

#include "core/result.h"
#include "crypto/revocationlist.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>
#include <utility>

namespace simfleet::store {

struct ReferenceValueRecord
{
    qint64 id = 0;
    QString manufacturer;
    QString hwmodel;
    QString swname;
    QString swversion;
    QList<std::pair<QString, QByteArray>> measurements; // component, SHA-256
    QDateTime addedAt;
    std::optional<QDateTime> retiredAt;
    std::optional<qint64> oemid; // the oemid claim of the manufacturer's devices, where known
};

// Known-good measurements per manufacturer, hardware model and software version, as manufacturers
// publish them.
class ReferenceValueRepository
{
public:
    explicit ReferenceValueRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<qint64> add(const ReferenceValueRecord &value);
    // A retired version stays known, so its devices get a warning rather than "unknown software".
    Result<void> retire(const QString &hwmodel, const QString &swversion, const QDateTime &at);
    Result<QList<ReferenceValueRecord>> list();

private:
    QSqlDatabase m_db;
};

struct RevocationListRecord
{
    qint64 id = 0;
    QString issuer;
    QByteArray der;
    QDateTime thisUpdate;
    QDateTime nextUpdate;
};

// Manufacturers' certificate revocation lists, as imported.
class RevocationListRepository
{
public:
    explicit RevocationListRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<qint64> add(const RevocationListRecord &list, const QDateTime &importedAt);
    Result<QList<RevocationListRecord>> list();
    // The newest list signed in each issuer's name, by the issuer's subject (SGP.22: the newest
    // list replaces older ones). Unreadable rows are skipped: an import checked each one.
    Result<QHash<QString, crypto::RevocationList>> newestByIssuer();
    // The newest list of the certificate's issuer, when that list names the certificate.
    Result<std::optional<crypto::RevocationList>> listNaming(const crypto::Certificate &certificate);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
