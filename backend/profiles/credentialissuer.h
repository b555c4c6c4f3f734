#pragma once

#include "core/result.h"
#include "protocol/profilepackage.h"

#include <QDateTime>
#include <QList>

class QSqlDatabase;

namespace simfleet::store {
class SecretVault;
struct OperatorRecord;
}

namespace simfleet::profiles {

// A profile the workspace has recorded and sealed, with its credentials in clear for the
// download that follows at once.
struct IssuedProfile
{
    qint64 profileId = 0;
    qint64 deviceId = 0;
    protocol::ProfileContent content;
};

// Issues USIM credentials for one operator (DESIGN.md "Credentials"). Runs inside a writer job,
// so the allocation cursors, the profile rows and the sealed Ki and OPc commit together or not
// at all: an IMSI or ICCID is never handed out twice, even across a crash.
class CredentialIssuer
{
public:
    // One profile per device, all from the operator's ranges; an exhausted range refuses the
    // whole call and says how many numbers are left.
    static Result<QList<IssuedProfile>> issue(QSqlDatabase &db, const store::SecretVault &vault, qint64 operatorId,
                                              const QList<qint64> &deviceIds, const QDateTime &now);
    // Numbers and credentials for profiles ordered before a device is known (ES2+.DownloadOrder,
    // SGP.22 section 5.3.1): the cursors advance in the caller's transaction and no profile row
    // is written. The numbers are burnt whatever becomes of the order (never handed out again,
    // even if no device ever downloads them), and the credentials exist only in what this
    // returns: whoever holds them keeps them in memory, nowhere else. An exhausted range refuses
    // the whole call (code RangeExhausted).
    static Result<QList<protocol::ProfileContent>> allocate(QSqlDatabase &db, const store::SecretVault &vault, qint64 operatorId,
                                                            qint64 count);
    // An issued profile's content again (a download resumed after a crash sends the same
    // profile, not a new one).
    static Result<protocol::ProfileContent> reopen(QSqlDatabase &db, const store::SecretVault &vault, qint64 profileId);
    // What the operator's next profile would carry, with Ki and OPc zero and nothing allocated:
    // for showing a template as simfleet personalises it.
    static Result<protocol::ProfileContent> example(const store::OperatorRecord &op);
};

} // namespace simfleet::profiles
