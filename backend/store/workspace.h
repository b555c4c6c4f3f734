#pragma once

#include "core/result.h"
#include "secretvault.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace simfleet {
class Clock;
}

namespace simfleet::store {

// Creates an empty file readable and writable by its owner only (a workspace, its copies and
// backups), refusing one that exists.
Result<void> createPrivateFile(const QString &path);

class DatabaseConnection;
class StoreWriter;
class WorkspaceAddress;

struct WorkspaceInfo
{
    QString path;
    QString name;
    bool demo = false;
    int schemaVersion = 0;
    // Set when the file (or its -wal, -shm) can be read by other users of the machine: what to
    // do about it, for the programs to show.
    QString exposure;
};

// The password of every user of a demo workspace, published in the README: a demo is for
// showing, not for keeping anything. The login dialog tells it on a demo workspace.
inline constexpr char demoUserPassword[] = "demo";

// How much a workspace holds, for status lines and first impressions.
struct WorkspaceCounts
{
    qint64 customers = 0;
    qint64 fleets = 0;
    qint64 devices = 0;
    qint64 operators = 0;
};

// One organisation's workspace: a single SQLite file (DESIGN.md "The store"). The object
// belongs to the thread that opened it, which reads through database(); every change goes
// through writer(). Secrets need unlock() with the workspace passphrase first.
class Workspace
{
public:
    ~Workspace();

    // Opens an existing workspace file; never creates one. A file that is not a simfleet
    // workspace, is from a newer simfleet, or is damaged is refused and left untouched.
    static Result<std::unique_ptr<Workspace>> open(const QString &path, const Clock *clock = nullptr);
    // An older simfleet's workspace is refused with ErrorCode::UpgradeNeeded: upgrading changes
    // the file for everyone, so it waits for its owner or an Administrator
    // (access::WorkspaceUpgrade), who prove themselves against the file as it is.
    // Brings the file at path up to the current schema after copying it, as it was, beside it
    // (PATH.schemaN-backup, owner-only); returns the copy's path. A workspace on PostgreSQL is
    // upgraded in transactions, with no copy (empty path), and its access rules renewed for the
    // new tables. Who may do it is the caller's check (access::WorkspaceUpgrade).
    static Result<QString> upgradeFile(const QString &path, const Clock &clock);
    // Creates a new, empty workspace protected by passphrase; refuses to overwrite anything.
    static Result<std::unique_ptr<Workspace>> create(const QString &path, const QString &name,
                                                     QByteArrayView passphrase, const Clock *clock = nullptr,
                                                     crypto::ScryptParameters keyDerivation = {});

    // Drops what a failed init or copy left in a PostgreSQL database, so it can be tried again.
    static void discardOnServer(const QString &address);

    // Where the embedded demo workspace lives: the user's data folder.
    static QString defaultDemoPath();
    static QString fileSuffix() { return QStringLiteral("simfleet"); }
    // The demo workspace keeps its passphrase here, readable by the owner only.
    static QString keyFilePath(const QString &workspacePath);

    const WorkspaceInfo &info() const { return m_info; }
    Result<WorkspaceCounts> counts() const;
    const Clock &clock() const { return *m_clock; }
    // The owner thread's reading connection. A query left active on it keeps its read
    // transaction, and with it a snapshot older than later writes: finish() queries that were
    // not read to the end.
    QSqlDatabase database() const;
    StoreWriter &writer() { return *m_writer; }

    Result<void> unlock(QByteArrayView passphrase);
    // Unlocks with the key file beside the workspace, as the demo workspace does.
    Result<void> unlockWithKeyFile();
    // Unlocks with a data key a user's key slot gave (access::AccessService::login).
    void unlockWith(SecretVault vault)
    {
        m_vault = std::move(vault);
        m_unlockedByPassphrase = false;
    }
    bool isUnlocked() const { return m_vault.isUnlocked(); }
    // Whether the passphrase itself (or the demo's key file) unlocked it: the owner's proof.
    bool isUnlockedByPassphrase() const { return m_unlockedByPassphrase && m_vault.isUnlocked(); }
    const SecretVault &vault() const { return m_vault; }

    // Marks the workspace as the demo one (its passphrase is in the key file).
    Result<void> markAsDemo();

private:
    Workspace(std::unique_ptr<DatabaseConnection> connection, std::unique_ptr<StoreWriter> writer,
              WorkspaceInfo info, const Clock *clock);
    static Result<std::unique_ptr<Workspace>> openOnServer(const WorkspaceAddress &address, const Clock *clock);
    static Result<std::unique_ptr<Workspace>> load(std::unique_ptr<DatabaseConnection> connection,
                                                   const Clock *clock);

    std::unique_ptr<DatabaseConnection> m_connection;
    std::unique_ptr<StoreWriter> m_writer;
    WorkspaceInfo m_info;
    const Clock *m_clock;
    SecretVault m_vault;
    bool m_unlockedByPassphrase = false;
};

// Writes a passphrase to a key file only its owner may read.
Result<void> writeKeyFile(const QString &path, QByteArrayView passphrase);
Result<crypto::SecretBytes> readKeyFile(const QString &path);

} // namespace simfleet::store
