#pragma once

#include "workspace.h"

#include <QObject>
#include <QPointer>
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

    // What the program does with a workspace file it opened (not one from the demo opener, which
    // does its own): simfleet renews a demo's revocation lists there.
    using OpenedHook = std::function<void(Workspace &)>;
    explicit WorkspaceService(DemoOpener demoOpener, QObject *parent = nullptr);
    WorkspaceService(DemoOpener demoOpener, OpenedHook fileOpened, QObject *parent = nullptr);
    ~WorkspaceService() override;

    // Opens an existing workspace file; replaces the open one only if this one opens.
    void open(const QString &path);
    // Opens the demo workspace at path, creating it on first use.
    void openOrCreateDemo(const QString &path);
    // Opens the workspace make returns (for example one it upgraded first), on the store thread.
    void openWith(const QString &path, std::function<Result<std::unique_ptr<Workspace>>()> make);
    // Creates a new, empty workspace protected by passphrase and opens it (unlocked by it, so its
    // owner can add the first user).
    void createNew(const QString &path, const QString &name, const QByteArray &passphrase);

    // Runs work on the store thread with the open workspace and hands its result to done on the
    // GUI thread, unless context is gone by then. Without an open workspace, done gets an error.
    template<typename T>
    void request(QObject *context, std::function<Result<T>(Workspace &)> work, std::function<void(const Result<T> &)> done)
    {
        QPointer<QObject> guard(context);
        post([this, guard, work = std::move(work), done = std::move(done)](Workspace *workspace) {
            auto result = std::make_shared<Result<T>>(
                workspace ? work(*workspace) : Result<T>(fail(QStringLiteral("no workspace is open"))));
            QMetaObject::invokeMethod(
                this, [guard, done, result] {
                    if (guard)
                        done(*result);
                },
                Qt::QueuedConnection);
        });
    }

    bool isOpen() const { return m_open; }
    const WorkspaceInfo &current() const { return m_current; }
    const WorkspaceCounts &counts() const { return m_counts; }

Q_SIGNALS:
    void opened(const simfleet::store::WorkspaceInfo &info);
    void openFailed(const QString &path, const QString &message);
    // An older simfleet's workspace: nothing was opened; its owner or an Administrator may
    // upgrade it (openWith with access::WorkspaceUpgrade).
    void upgradeNeeded(const QString &path, const QString &message);
    // A shared workspace's tables changed, by another desktop or by this one (PostgreSQL's
    // LISTEN/NOTIFY on the workspace's reading connection; nothing is polled). Gathered for a
    // second, so a running campaign announces itself at most once a second.
    void changedOnServer(const QStringList &tables);

private:
    void post(std::function<void(Workspace *)> work);
    void start(const QString &path, bool demo);
    void adopt(const QString &path, std::function<Result<std::unique_ptr<Workspace>>()> make);
    struct Opened
    {
        WorkspaceInfo info;
        WorkspaceCounts counts;
    };
    void finish(const QString &path, const Result<Opened> &result);
    // On the store thread: subscribes the open workspace's reading connection to its changes.
    void listen(QObject *host);

    QThread *m_thread = nullptr;
    QObject *m_host = nullptr; // lives on m_thread and owns the open Workspace
    DemoOpener m_demoOpener;
    OpenedHook m_fileOpened;
    WorkspaceInfo m_current;
    WorkspaceCounts m_counts;
    bool m_open = false;
};

} // namespace simfleet::store
