#pragma once

#include "core/result.h"

#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace simfleet::store {
class Workspace;
class SecretVault;
}
namespace simfleet::eim {
class EsipaDeviceLinks;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::campaigns {

// Theft, loss and quarantine for devices on the network: real devices are not called, they check
// in (SGP.32 section 6.3.2.6), so what CustodyService owes a device is done when its IPA next
// polls simfleet's eIM. The watch keeps the list of devices owed something; at such a device's
// check-in it takes the device up (the check-in is held for the packages that follow) and runs
// the contact on a thread of its own, with its own connection to the workspace. A stolen device
// that keeps polling is sighted at most once per `sightingInterval`.
class CustodyWatch
{
public:
    using WorkspaceOpener = std::function<Result<std::unique_ptr<store::Workspace>>()>;
    // Opens the workspace at path again, unlocked with the vault given (each contact's own connection).
    static WorkspaceOpener opener(QString path, store::SecretVault vault);
    CustodyWatch(eim::EsipaDeviceLinks &links, WorkspaceOpener open, const access::Session &by,
                 std::chrono::seconds sightingInterval = std::chrono::minutes(15));
    ~CustodyWatch();
    CustodyWatch(const CustodyWatch &) = delete;
    CustodyWatch &operator=(const CustodyWatch &) = delete;

    // Reads again which devices are owed a contact (call it now and then: a report made on
    // another desktop is seen at the next refresh), and joins finished contacts.
    Result<void> refresh(store::Workspace &workspace);
    // Contacts made so far, and those that failed (the device keeps what it is owed).
    quint64 contacts() const { return m_contacts.load(); }
    quint64 failures() const { return m_failures.load(); }

private:
    bool checkedIn(const QString &eid);
    void reap(bool all);

    eim::EsipaDeviceLinks &m_links;
    WorkspaceOpener m_open;
    const access::Session &m_by;
    std::chrono::seconds m_sightingInterval;
    quint64 m_watch = 0;
    mutable QMutex m_mutex;
    QHash<QString, qint64> m_owed;  // EID -> device id
    QSet<QString> m_busy;           // being contacted now
    QHash<QString, qint64> m_lastContact; // steady milliseconds
    struct Contact
    {
        std::thread thread;
        std::atomic<bool> done { false };
    };
    std::vector<std::unique_ptr<Contact>> m_running;
    std::atomic<quint64> m_contacts { 0 }, m_failures { 0 };
};

} // namespace simfleet::campaigns
