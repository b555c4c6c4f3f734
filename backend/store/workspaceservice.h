#pragma once

#include "workspace.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QThread;

namespace simfleet::store {

// Opens and holds the workspace on the store's own thread, so neither the GUI thread nor any
// caller ever waits on SQLite. Results come back as signals on the caller's thread.
class WorkspaceService : public QObject
{
    Q_OBJECT
public:
    // How the demo workspace is opened, or created on first use; the application wires in the
    // fleet module's demo builder.
    using DemoOpener = std::function<Result<std::unique_ptr<Workspace>>(const QString &path)>;

    explicit WorkspaceService(DemoOpener demoOpener, QObject *parent = nullptr);
    ~WorkspaceService() override;

    // Opens an existing workspace file; replaces the open one only if this one opens.
    void open(const QString &path);
    // Opens the demo workspace at path, creating it on first use.
    void openOrCreateDemo(const QString &path);

    bool isOpen() const { return m_open; }
    const WorkspaceInfo &current() const { return m_current; }
    const WorkspaceCounts &counts() const { return m_counts; }

Q_SIGNALS:
    void opened(const simfleet::store::WorkspaceInfo &info);
    void openFailed(const QString &path, const QString &message);

private:
    void start(const QString &path, bool demo);
    struct Opened
    {
        WorkspaceInfo info;
        WorkspaceCounts counts;
    };
    void finish(const QString &path, const Result<Opened> &result);

    QThread *m_thread = nullptr;
    QObject *m_host = nullptr; // lives on m_thread and owns the open Workspace
    DemoOpener m_demoOpener;
    WorkspaceInfo m_current;
    WorkspaceCounts m_counts;
    bool m_open = false;
};

} // namespace simfleet::store
