#pragma once

#include "core/result.h"
#include "scope.h"
#include "subscriptionledger.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace simfleet::store {

// A USIM profile as the workspace records it. Ki and OPc stay sealed (SecretVault) and are
// bound to the profile's row.
struct ProfileRecord
{
    qint64 id = 0;
    qint64 deviceId = 0;
    qint64 operatorId = 0;
    QString iccid;
    QString imsi;  // empty: the operator's own profile server holds it (and Ki and OPc)
    QString state; // allocated, installed, enabled, disabled, deleted
};

// A profile as lists and exports show it: never a secret.
struct ProfileOverview
{
    QString eid;
    QString iccid;
    QString imsi;
    QString operatorName;
    QString state;
};

class ProfileRepository
{
public:
    explicit ProfileRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    // Ki and OPc are sealed to the row id, so the row comes first and the secrets right after,
    // in the same transaction.
    Result<qint64> insert(const ProfileRecord &profile, const QDateTime &at);
    Result<void> setSealedCredentials(qint64 profileId, const QByteArray &kiSealed, const QByteArray &opcSealed);
    Result<std::pair<QByteArray, QByteArray>> sealedCredentials(qint64 profileId);
    // The profile's new state, and the subscription ledger with it: enabling opens a period,
    // leaving "enabled" closes it, both for the cause given.
    Result<void> setState(qint64 profileId, const QString &state, const QDateTime &at, const LedgerCause &cause);
    Result<QList<ProfileRecord>> forDevice(qint64 deviceId);
    // Every profile, or one device's (by EID), or one fleet's; in device then profile order.
    Result<QList<ProfileOverview>> overview(const Scope &scope, std::optional<QString> eid, std::optional<qint64> fleetId);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
