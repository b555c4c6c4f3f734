#pragma once

#include "core/result.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace simfleet::store {

// One Qt SQL connection to a workspace, owned by the thread that opened it (Qt SQL connections
// must not cross threads), and removed from Qt's connection registry when destroyed. A file
// opens with SQLite in WAL mode, foreign keys on and a busy timeout; a PostgreSQL address
// (WorkspaceAddress) connects as the address's user with the password this process was given
// (ServerPasswords).
class DatabaseConnection
{
public:
    enum class Mode {
        ReadOnly,  // for looking at a file before deciding it is ours: nothing is written
        ReadWrite, // WAL, synchronous NORMAL
    };
    // `address`: a file path or a PostgreSQL URL (WorkspaceAddress::parse).
    static Result<std::unique_ptr<DatabaseConnection>> open(const QString &address, Mode mode = Mode::ReadWrite);
    ~DatabaseConnection();
    DatabaseConnection(const DatabaseConnection &) = delete;
    DatabaseConnection &operator=(const DatabaseConnection &) = delete;

    QSqlDatabase database() const;
    const QString &path() const { return m_path; }
    bool isPostgres() const;

private:
    DatabaseConnection(QString path, QString name);
    QString m_path;
    QString m_name;
};

} // namespace simfleet::store
