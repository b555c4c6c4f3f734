#include "workspaceservice.h"
#include "accessschema.h"
#include "dialect.h"
#include "storelog.h"

#include <QSet>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QTimer>
#include <QVariant>

namespace simfleet::store {

namespace {
// The open workspace's home on the store thread.
class WorkspaceHost : public QObject
{
public:
    std::unique_ptr<Workspace> workspace;
    QSet<QString> changed;  // tables announced since the last report
    QTimer *gather = nullptr; // on the store thread
};
} // namespace

WorkspaceService::WorkspaceService(DemoOpener demoOpener, QObject *parent) : WorkspaceService(std::move(demoOpener), {}, parent)
{
}

WorkspaceService::WorkspaceService(DemoOpener demoOpener, OpenedHook fileOpened, QObject *parent)
    : QObject(parent), m_thread(new QThread(this)), m_demoOpener(std::move(demoOpener)), m_fileOpened(std::move(fileOpened))
{
    m_thread->setObjectName(QStringLiteral("simfleet-store"));
    auto *host = new WorkspaceHost;
    host->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, host, &QObject::deleteLater);
    m_host = host;
    m_thread->start();
}

WorkspaceService::~WorkspaceService()
{
    // The host (and with it the SQL connection) is destroyed on its own thread.
    m_thread->quit();
    m_thread->wait();
}

void WorkspaceService::open(const QString &path)
{
    start(path, false);
}

void WorkspaceService::openOrCreateDemo(const QString &path)
{
    start(path, true);
}

void WorkspaceService::post(std::function<void(Workspace *)> work)
{
    auto *host = static_cast<WorkspaceHost *>(m_host);
    QMetaObject::invokeMethod(host, [host, work = std::move(work)] { work(host->workspace.get()); });
}

void WorkspaceService::start(const QString &path, bool demo)
{
    adopt(path, [path, demo, opener = m_demoOpener, hook = m_fileOpened] {
        if (demo)
            return opener(path);
        auto opened = Workspace::open(path);
        if (opened && hook)
            hook(*opened.value());
        return opened;
    });
}

void WorkspaceService::openWith(const QString &path, std::function<Result<std::unique_ptr<Workspace>>()> make)
{
    adopt(path, std::move(make));
}

void WorkspaceService::createNew(const QString &path, const QString &name, const QByteArray &passphrase)
{
    adopt(path, [path, name, passphrase] { return Workspace::create(path, name, passphrase); });
}

void WorkspaceService::adopt(const QString &path, std::function<Result<std::unique_ptr<Workspace>>()> make)
{
    auto *host = static_cast<WorkspaceHost *>(m_host);
    QMetaObject::invokeMethod(host, [this, host, path, make = std::move(make)] {
        auto result = make();
        const auto opened = [&result]() -> Result<Opened> {
            if (!result)
                return result.error();
            const auto counts = result.value()->counts();
            return Opened { result.value()->info(), counts ? counts.value() : WorkspaceCounts {} };
        };
        const Result<Opened> outcome = opened();
        if (result) {
            host->workspace = std::move(result).value();
            listen(host);
        } else
            qCWarning(lcStore) << "could not open workspace:" << outcome.errorMessage();
        QMetaObject::invokeMethod(this, [this, path, outcome] { finish(path, outcome); }, Qt::QueuedConnection);
    });
}

void WorkspaceService::listen(QObject *hostObject)
{
    auto *host = static_cast<WorkspaceHost *>(hostObject);
    QSqlDatabase db = host->workspace->database();
    if (dialectOf(db) != Dialect::Postgres)
        return;
    if (!host->gather) {
        host->gather = new QTimer(host);
        host->gather->setSingleShot(true);
        host->gather->setInterval(1000);
        QObject::connect(host->gather, &QTimer::timeout, host, [this, host] {
            QStringList tables(host->changed.cbegin(), host->changed.cend());
            host->changed.clear();
            tables.sort();
            QMetaObject::invokeMethod(this, [this, tables] { Q_EMIT changedOnServer(tables); }, Qt::QueuedConnection);
        });
    }
    QSqlDriver *driver = db.driver();
    const QString channel = QLatin1StringView(AccessSchema::changeChannel());
    if (!driver->subscribeToNotification(channel)) {
        qCWarning(lcStore) << "other desktops' changes will not show until a page is reloaded:" << driver->lastError().text();
        return;
    }
    QObject::connect(driver, &QSqlDriver::notification, host,
                     [host, channel](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                         if (name != channel)
                             return;
                         host->changed.insert(payload.toString());
                         if (!host->gather->isActive())
                             host->gather->start();
                     });
}

void WorkspaceService::finish(const QString &path, const Result<Opened> &result)
{
    if (!result && result.error().code == ErrorCode::UpgradeNeeded) {
        Q_EMIT upgradeNeeded(path, result.errorMessage());
        return;
    }
    if (!result) {
        Q_EMIT openFailed(path, result.errorMessage());
        return;
    }
    m_current = result->info;
    m_counts = result->counts;
    m_open = true;
    Q_EMIT opened(m_current);
}

} // namespace simfleet::store
