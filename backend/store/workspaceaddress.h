#pragma once

#include "core/result.h"

#include <QString>

namespace simfleet::store {

// Where a workspace lives: a `.simfleet` file (SQLite, one desktop) or a database on a
// PostgreSQL server that a team shares (`postgresql://[USER@]HOST[:PORT]/DB`). Everything after
// `-w` goes through parse(), so text that is neither is refused instead of becoming a folder.
class WorkspaceAddress
{
public:
    enum class Kind { File, Postgres };

    // A file path, or a PostgreSQL URL. `user` (from -u, say) fills in the URL's user when it
    // names none; a URL that names another user than `user` is refused. A password in the URL is
    // refused: command lines are visible to every user of the machine.
    static Result<WorkspaceAddress> parse(const QString &text, const QString &user = {});
    static bool looksLikeUrl(const QString &text);

    Kind kind() const { return m_kind; }
    bool isPostgres() const { return m_kind == Kind::Postgres; }
    // Kind::File: the path as given.
    const QString &filePath() const { return m_path; }
    // Kind::Postgres.
    const QString &host() const { return m_host; }
    int port() const { return m_port; }
    const QString &database() const { return m_database; }
    const QString &user() const { return m_user; }
    WorkspaceAddress withUser(const QString &user) const;

    // The file path, or postgresql://USER@HOST:PORT/DB: what the rest of simfleet carries as a
    // workspace's path, and parse() reads back. Never holds a password.
    QString toString() const;

private:
    friend QString localBasePath(const QString &workspace);
    Kind m_kind = Kind::File;
    QString m_path;
    QString m_host;
    int m_port = 5432;
    QString m_database;
    QString m_user;
};

// The local path a workspace's side files are named from (its key file, its simulated field,
// the eIM's TLS files): the file itself, or for a PostgreSQL workspace a name of its own in the
// user's data folder (~/.local/share/simfleet/shared/HOST-PORT-DATABASE.simfleet), since the
// server is no place for them.
QString localBasePath(const QString &workspace);

} // namespace simfleet::store
