#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

class QSqlDatabase;

namespace simfleet::store {
class SecretVault;
}

namespace simfleet::profiles {

// An activation code a campaign took for one device (SGP.22 section 4.1), with the profile row
// recorded for it: the ICCID is known, the IMSI, Ki and OPc stay with the operator's server.
struct ClaimedCode
{
    qint64 profileId = 0;
    QString iccid;
    QString smdpAddress;
    QString matchingId;
};

// The activation codes imported for operators whose profile server runs elsewhere
// (`operators activation-codes`), as campaigns take them. Runs inside a writer job, like
// CredentialIssuer: the code, the profile row and the step that names it commit together.
class ActivationCodeBook
{
public:
    // For each device (id, EID): the code it took before and has not used yet (a failed
    // download kept it, state "allocated"), else the unused code imported for its EID, else the
    // oldest unused code imported for no device; nothing when none is left.
    static Result<QList<std::optional<ClaimedCode>>> claim(QSqlDatabase &db, const store::SecretVault &vault, qint64 operatorId,
                                                           const QList<std::pair<qint64, QString>> &devices, const QDateTime &now);
    // The code a profile was claimed with (a resumed download sends the same one again);
    // nothing for a profile simfleet issued itself.
    static Result<std::optional<ClaimedCode>> forProfile(QSqlDatabase &db, const store::SecretVault &vault, qint64 profileId);
};

} // namespace simfleet::profiles
