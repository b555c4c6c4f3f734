#include "accesscontroller.h"

#include "access/accessservice.h"
#include "core/clock.h"
#include "crypto/secretbytes.h"
#include "store/workspace.h"

#include <QTimer>

namespace simfleet::models {

AccessController::AccessController(store::WorkspaceService *workspaces, QObject *parent)
    : QObject(parent), m_workspaces(workspaces), m_idleTimer(new QTimer(this))
{
    m_idleTimer->setInterval(30 * 1000);
    connect(m_idleTimer, &QTimer::timeout, this, &AccessController::checkIdle);
    // Another workspace: whoever was logged in to the previous one is not logged in to it.
    connect(m_workspaces, &store::WorkspaceService::opened, this, [this] {
        if (m_session) {
            m_session.reset();
            Q_EMIT sessionChanged();
        }
    });
}

AccessController::~AccessController() = default;

void AccessController::login(const QString &name, const QByteArray &password)
{
    m_workspaces->request<access::Session>(
        this, [name, password](store::Workspace &ws) { return access::AccessService(ws).login(name, password); },
        [this](const Result<access::Session> &session) { adopt(session); });
}

void AccessController::loginAsOwner()
{
    m_workspaces->request<access::Session>(
        this, [](store::Workspace &ws) { return access::AccessService(ws).ownerSession(); },
        [this](const Result<access::Session> &session) { adopt(session); });
}

void AccessController::createFirstAdministrator(const QString &name, const QByteArray &password)
{
    m_workspaces->request<access::Session>(
        this,
        [name, password](store::Workspace &ws) -> Result<access::Session> {
            access::AccessService service(ws);
            auto owner = service.ownerSession();
            if (!owner)
                return owner.error();
            auto added = service.addUser(owner.value(), { name, access::Role::Administrator, {}, password });
            auto session = added ? service.login(name, password) : Result<access::Session>(added.error());
            QByteArray used = password; // shares the bytes: wiped in place for every holder
            crypto::wipeBytes(used);
            return session;
        },
        [this](const Result<access::Session> &session) { adopt(session); });
}

void AccessController::adopt(const Result<access::Session> &session)
{
    if (!session) {
        Q_EMIT loginFailed(session.errorMessage());
        return;
    }
    m_session = session.value();
    m_idleTimer->start();
    Q_EMIT sessionChanged();
}

void AccessController::logout()
{
    m_idleTimer->stop();
    if (!m_session)
        return;
    m_session.reset();
    Q_EMIT sessionChanged();
}

void AccessController::checkIdle()
{
    if (m_session && m_session->isExpired(SystemClock::instance())) {
        const QString who = m_session->name();
        logout();
        Q_EMIT sessionExpired(tr("%1 was logged out after a time without activity; log in again.").arg(who));
    }
}

} // namespace simfleet::models
