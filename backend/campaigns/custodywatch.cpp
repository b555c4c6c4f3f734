#include "custodywatch.h"
#include "campaignslog.h"
#include "custodyservice.h"

#include "access/session.h"
#include "eim/esipadevicelink.h"
#include "eim/esipaservice.h"
#include "store/custodyrepository.h"
#include "store/secretvault.h"
#include "store/workspace.h"

namespace simfleet::campaigns {

namespace {
qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

CustodyWatch::WorkspaceOpener CustodyWatch::opener(QString path, store::SecretVault vault)
{
    return [path = std::move(path), vault = std::move(vault)]() -> Result<std::unique_ptr<store::Workspace>> {
        auto opened = store::Workspace::open(path);
        if (opened)
            opened.value()->unlockWith(vault);
        return opened;
    };
}

CustodyWatch::CustodyWatch(eim::EsipaDeviceLinks &links, WorkspaceOpener open, const access::Session &by,
                           std::chrono::seconds sightingInterval)
    : m_links(links), m_open(std::move(open)), m_by(by), m_sightingInterval(sightingInterval)
{
    m_watch = m_links.service().watchCheckIns([this](const QString &eid) { return checkedIn(eid); });
}

CustodyWatch::~CustodyWatch()
{
    m_links.service().unwatch(m_watch);
    reap(true);
}

Result<void> CustodyWatch::refresh(store::Workspace &workspace)
{
    reap(false);
    auto owed = store::CustodyRepository(workspace.database()).devicesOwed(m_by.scope());
    if (!owed)
        return owed.error();
    QHash<QString, qint64> byEid;
    for (const auto &[id, eid] : owed.value())
        byEid.insert(eid, id);
    QMutexLocker lock(&m_mutex);
    m_owed = std::move(byEid);
    return {};
}

// On the HTTP server's thread, for every check-in: answers at once.
bool CustodyWatch::checkedIn(const QString &eid)
{
    QMutexLocker lock(&m_mutex);
    const auto owed = m_owed.constFind(eid);
    if (owed == m_owed.cend() || m_busy.contains(eid))
        return false;
    const qint64 now = steadyMs();
    if (const auto last = m_lastContact.constFind(eid);
        last != m_lastContact.cend() && now - *last < qint64(m_sightingInterval.count()) * 1000)
        return false;
    m_busy.insert(eid);
    m_lastContact.insert(eid, now);
    const qint64 deviceId = *owed;
    auto contact = std::make_unique<Contact>();
    Contact *c = contact.get();
    c->thread = std::thread([this, c, eid, deviceId] {
        bool ok = false;
        if (auto workspace = m_open(); workspace) {
            CustodyService service(*workspace.value(), m_links);
            auto outcomes = service.contact(m_by, { { deviceId, eid } }, CustodyService::Contact::CheckIn);
            if (!outcomes)
                qCWarning(lcCampaigns) << "device" << eid << "checked in, but:" << outcomes.errorMessage();
            else if (!outcomes->isEmpty() && !outcomes->first().failure.isEmpty())
                qCWarning(lcCampaigns) << "device" << eid << "keeps what it is owed:" << outcomes->first().failure;
            else
                ok = true;
        } else {
            qCWarning(lcCampaigns) << "device" << eid << "checked in, but the workspace did not open:" << workspace.errorMessage();
        }
        m_links.service().endSession(eid);
        ++(ok ? m_contacts : m_failures);
        {
            QMutexLocker busy(&m_mutex);
            m_busy.remove(eid);
        }
        c->done.store(true);
    });
    m_running.push_back(std::move(contact));
    return true;
}

void CustodyWatch::reap(bool all)
{
    std::vector<std::unique_ptr<Contact>> finished;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_running.begin(); it != m_running.end();) {
            if (all || (*it)->done.load()) {
                finished.push_back(std::move(*it));
                it = m_running.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto &c : finished)
        c->thread.join();
}

} // namespace simfleet::campaigns
