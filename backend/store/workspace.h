#pragma once

#include "core/result.h"

#include <QString>

#include <memory>

namespace simfleet::store {

class DatabaseConnection;

struct WorkspaceInfo
{
    QString path;
    QString name;
    bool demo = false;
    int schemaVersion = 0;
};

// One organisation's workspace: a single SQLite file (see DESIGN.md "The store"). Opening
// brings its schema up to date; nothing else is written.
class Workspace
{
public:
    ~Workspace();

    // Opens an existing workspace file; never creates one.
    static Result<std::unique_ptr<Workspace>> open(const QString &path);
    // Creates a new workspace file; refuses to overwrite anything already at path.
    static Result<std::unique_ptr<Workspace>> create(const QString &path, const QString &name, bool demo);
    // Opens the demo workspace at path, creating it first if it does not exist.
    static Result<std::unique_ptr<Workspace>> openOrCreateDemo(const QString &path);

    // Where the embedded demo workspace lives: the user's data folder.
    static QString defaultDemoPath();
    static QString fileSuffix() { return QStringLiteral("simfleet"); }

    const WorkspaceInfo &info() const { return m_info; }
    DatabaseConnection &connection() { return *m_connection; }

private:
    Workspace(std::unique_ptr<DatabaseConnection> connection, WorkspaceInfo info);
    static Result<std::unique_ptr<Workspace>> load(std::unique_ptr<DatabaseConnection> connection);

    std::unique_ptr<DatabaseConnection> m_connection;
    WorkspaceInfo m_info;
};

} // namespace simfleet::store
