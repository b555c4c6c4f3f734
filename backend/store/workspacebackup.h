#pragma once

#include "auditauthor.h"
#include "auditlog.h"
#include "core/result.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace simfleet {
class Clock;
}

namespace simfleet::store {

class Workspace;

// A workspace in one file, for keeping elsewhere and restoring years later (issue 23, "eight
// years in the field"): a consistent copy of the workspace taken while it is in use (SQLite's
// VACUUM INTO reads one snapshot, so campaigns may run meanwhile), with the files that belong
// beside it (the simulated field and its flash log, the demo's key file, the eIM's TLS files),
// each SQLite one copied the same way. The backup is itself an SQLite file: the workspace's
// tables, plus simfleet_backup (when, from where) and simfleet_backup_file (each side file, its
// SHA-256). Secrets stay sealed as in the workspace; the backup is private to its owner. A
// demo's key file, which holds its passphrase, travels with it: keep the backup as safe as
// the workspace.
class WorkspaceBackup
{
public:
    struct Taken
    {
        QString file;
        qint64 bytes = 0;
        QStringList sideFiles; // their names beside the workspace
        QDateTime takenAt;
    };
    // Records the backup in the audit log first (so the copy holds its own entry), then copies.
    // A workspace on PostgreSQL is refused with what to do. Nothing is left behind on failure.
    static Result<Taken> take(Workspace &workspace, const AuditAuthor &author, const QString &out);

    struct Restored
    {
        QString path;
        QStringList sideFiles;
        QDateTime takenAt;
        QString source;
    };
    // Writes the workspace and its side files at newPath (which must not exist, nor any side
    // file it would have), each side file checked against its SHA-256 first. On failure nothing
    // is left behind. The caller opens the workspace and checks its audit log.
    static Result<Restored> restore(const QString &backup, const QString &newPath);
    // Removes what a restore wrote (the workspace and its side files), when what follows fails.
    static void discard(const Restored &restored);
};

} // namespace simfleet::store
