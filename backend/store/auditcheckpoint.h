#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QString>

namespace simfleet::store {

struct AuditAuthor;
struct AuditVerification;

// The audit log's head as someone kept it outside the workspace file (`simfleet-cli audit
// checkpoint --out FILE`): how many entries there were, the newest one's hash and every
// author's key at that point, signed by whoever took it. Entries cut from the end of the log,
// or a log rewritten wholesale under new keys, no longer match it.
struct AuditCheckpoint
{
    QString workspace;
    qint64 entries = 0;
    QByteArray head;
    QDateTime at;
    QString signer;
    QHash<QString, QByteArray> keys; // author -> uncompressed P-256 point
    QByteArray signature;

    // From an intact verification; signed by the author, whose key must be among the keys.
    static Result<AuditCheckpoint> take(const QString &workspace, const AuditVerification &intact,
                                        const AuditAuthor &by, const QDateTime &at);
    // Parses a checkpoint file and checks its own signature; says what is wrong otherwise.
    static Result<AuditCheckpoint> fromJson(const QByteArray &json);
    QByteArray toJson() const;

private:
    QByteArray signedBytes() const;
};

} // namespace simfleet::store
