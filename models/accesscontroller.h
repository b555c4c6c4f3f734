#pragma once

#include "access/session.h"
#include "core/result.h"
#include "store/workspaceservice.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace simfleet::models {

// The GUI's logged-in user. Logs in on the store thread (scrypt never runs on the GUI thread),
// keeps the session, ends it when it has been idle too long, and hands it to every request the
// models make, so the backend checks each call against the user who made it.
class AccessController : public QObject
{
    Q_OBJECT
public:
    explicit AccessController(store::WorkspaceService *workspaces, QObject *parent = nullptr);
    ~AccessController() override;

    store::WorkspaceService *workspaces() const { return m_workspaces; }
    // Null while nobody is logged in.
    const access::Session *session() const { return m_session ? &*m_session : nullptr; }

    void login(const QString &name, const QByteArray &password);
    // The workspace owner, when the workspace was unlocked with its passphrase (the demo's key
    // file): acts as an Administrator.
    void loginAsOwner();
    void logout();
    // A new workspace's first user: added by its owner (who just set the passphrase), then
    // logged in.
    void createFirstAdministrator(const QString &name, const QByteArray &password);

    // Like WorkspaceService::request, with the session: without one, done gets "log in first".
    template<typename T>
    void request(QObject *context, std::function<Result<T>(store::Workspace &, const access::Session &)> work,
                 std::function<void(const Result<T> &)> done)
    {
        if (!m_session) {
            done(Result<T>(fail(tr("log in first"))));
            return;
        }
        m_workspaces->request<T>(
            context, [session = *m_session, work = std::move(work)](store::Workspace &ws) { return work(ws, session); },
            std::move(done));
    }

Q_SIGNALS:
    void sessionChanged(); // logged in, out, or expired
    void loginFailed(const QString &message);
    void sessionExpired(const QString &message);

private:
    void adopt(const Result<access::Session> &session);
    void checkIdle();

    store::WorkspaceService *m_workspaces;
    std::optional<access::Session> m_session;
    QTimer *m_idleTimer;
};

} // namespace simfleet::models
