#pragma once

#include "core/result.h"
#include "crypto/chainverifier.h"
#include "devices/answer.h"
#include "euiccpackages.h"
#include "net/es9plusfunctions.h"
#include "net/rsphttpserver.h"
#include "protocol/esipa.h"
#include "protocol/ipaeuiccdata.h"

#include <QHash>
#include <QMap>
#include <QMutex>
#include <QSet>
#include <QWaitCondition>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace simfleet::store {
class Workspace;
struct EimPackageRecord;
}

namespace simfleet::profiles {
class Es9PlusService;
class ProfileServer;
struct DownloadOrder;
}

namespace simfleet::eim {

// What a device's IPA provided for one package, once checked: the result as it arrived (DER of
// the ProvideEimPackageResult alternative), and for an eUICC package what the eUICC did.
struct PackageResult
{
    QByteArray result;
    EuiccPackageOutcome euicc;
};

// simfleet's eIM behind ESipa (SGP.32 section 6.3): devices poll it, it hands each the packages
// queued for it, oldest first, and takes their results back. A package is stored when it is
// queued (table eim_package), handed out until its result comes, and ends answered; whoever
// queued it waits on the Answer it got, which settles when the result arrives (checked: an eUICC
// package's result must be signed by that eUICC over the package's signature, SGP.32 section
// 2.11.2.1) or at the waiter's own deadline. A device the workspace has not enrolled gets
// nothing; a result for a package never sent, or sent to another device, is refused and changes
// nothing. An eUICC the eIM has no certificate of is first asked for it (IpaEuiccDataRequest), and
// its chain checked against the workspace's certificate issuers.
//
// Packages queued by a process that ended are withdrawn when the service starts: nobody waits
// for them any more, and the steps that queued them ask the device again when they resume.
//
// Thread-safe: ESipa's requests arrive on the HTTP server's threads, packages are queued from
// campaign workers; the store is reached through the workspace's writer only.
class EsipaService
{
public:
    // deviceTrust: the workspace's certificate issuers (profiles::deviceTrustOf).
    EsipaService(store::Workspace &workspace, EimIdentity identity, crypto::ChainVerifier deviceTrust);
    ~EsipaService();

    static Result<std::unique_ptr<EsipaService>> ofWorkspace(store::Workspace &workspace);

    // One ESipa message: EsipaMessageFromIpaToEim (DER) in, EsipaMessageFromEimToIpa out (or no
    // body, HTTP 204, for a notification); a body that is no ESipa message is refused (HTTP 400).
    net::FunctionAnswer handle(const QByteArray &request);

    // PSMOs for one eUICC, signed now under its next counter.
    devices::Answer<PackageResult> queuePsmos(const QString &eid, const QList<protocol::Psmo> &psmos);
    // simfleet's own package (attestation, attach); its transaction ID is filled in.
    devices::Answer<PackageResult> queueSimfleet(const QString &eid, protocol::esipa::SimfleetEimPackage package);
    // The data objects of the eUICC's certificates in an IpaEuiccDataRequest's tagList:
    // eumCertificate ('A5') and euiccCertificate ('A6').
    static QByteArray certificateTags() { return QByteArray::fromHex("a5a6"); }
    // What the IPA and eUICC tell of themselves (IpaEuiccDataRequest, tags as in its tagList).
    devices::Answer<PackageResult> queueEuiccData(const QString &eid, const QByteArray &tagList);
    // A profile download for the IPA to run (ProfileDownloadTriggerRequest with an activation
    // code, SGP.22 section 4.1): it settles with the ProfileDownloadTriggerResult.
    devices::Answer<PackageResult> queueDownload(const QString &eid, const QString &activationCode);

    // Where the indirect download goes (SGP.32 section 3.2.1): the profile server an IPA names by
    // its address, ES9+ in process or over HTTPS; null for an address the eIM relays to no one.
    // Set before the service is shared.
    using RelayFinder = std::function<std::shared_ptr<net::Es9PlusFunctions>(const QString &smdpAddress)>;
    void setRelay(RelayFinder finder) { m_relayFinder = std::move(finder); }
    // A profile server that runs elsewhere, relayed to under its address (an operator's own).
    void relayTo(const QString &smdpAddress, std::shared_ptr<net::Es9PlusFunctions> server);

    // The downloads a campaign asks of a device on the network (SGP.32's indirect download): the
    // device's IPA downloads with the activation code through this eIM, and the ICCID the eUICC
    // installed comes back (its ProfileInstallationResult). Errors carry the codes the in-process
    // download gives: Timeout (no check-in in time), PackageRejected (the eUICC refused the
    // package), ProfileServerRefused (the profile server, or the relay, refused).
    Result<QString> download(const QString &eid, const QString &smdpAddress, const QString &matchingId,
                             std::chrono::milliseconds timeout);
    // simfleet's own profile server's order, placed where the relay reaches it: the server is
    // served by the eIM in this process under its address, the order booked under a fresh
    // matching ID, and the download triggered with it.
    Result<QString> download(const std::shared_ptr<const profiles::ProfileServer> &server, const profiles::DownloadOrder &order,
                             std::chrono::milliseconds timeout);

    // Told of each check-in (getEimPackageRequest) before the device's queue is looked at, while
    // the eIM can hold one more check-in: a campaign waiting for devices on the network takes the
    // device up there. true: the watcher has the device in session and queues its packages now,
    // so the check-in is held (up to the hold time) for the first of them, instead of answered
    // "nothing" and the device asleep until its next check-in. Called on the server's threads.
    using CheckInWatcher = std::function<bool(const QString &eid)>;
    quint64 watchCheckIns(CheckInWatcher watcher);
    void unwatch(quint64 watch);
    // How long a check-in is held for, and how many at once (each holds one of the server's
    // threads; the server needs more than that many).
    void setHold(std::chrono::milliseconds holdFor, int maxHeld);
    // The device's packages not answered yet are withdrawn: the step that queued them gave up on
    // the device, and asks it what it holds when it comes back. Their waiters are told so.
    void withdraw(const QString &eid);
    // The campaign that took the device up is done with it: a check-in held for its next package
    // is answered now (and with what waits, if anything).
    void endSession(const QString &eid);

    const EuiccPackages &packages() const { return m_packages; }

    struct Counters
    {
        quint64 polls = 0;          // getEimPackageRequest
        quint64 handedOut = 0;      // packages in answers
        quint64 results = 0;        // results taken
        quint64 refused = 0;        // messages refused (unknown device, unknown package, bad signature)
        quint64 held = 0;           // check-ins held for a package a campaign was about to queue
    };
    Counters counters() const;

private:
    struct Queued;
    devices::Answer<PackageResult> queue(const QString &eid, store::EimPackageRecord record);
    net::FunctionAnswer getEimPackage(const protocol::esipa::GetEimPackageRequest &request);
    // Holds a check-in a watcher took up until a package is queued for it, or the hold ends.
    void holdForWatcher(const QString &eid);
    protocol::esipa::MessageFromEim provideResult(const protocol::esipa::ProvideEimPackageResult &provided);
    // Records the package answered and hands the result to its waiter.
    void settle(const store::EimPackageRecord &package, Result<PackageResult> result);
    Result<crypto::Certificate> euiccCertificate(const QString &eid);
    // The indirect download relayed, one ESipa message at a time.
    protocol::esipa::MessageFromEim relay(const protocol::esipa::MessageFromIpa &message);
    void relayNotification(const QByteArray &pendingNotification);
    std::shared_ptr<net::Es9PlusFunctions> relaySession(const QByteArray &transactionId, bool end = false);

    store::Workspace &m_workspace;
    EuiccPackages m_packages;
    crypto::ChainVerifier m_deviceTrust;
    mutable QMutex m_mutex;
    // Who waits for each package's result, and when the package was handed out (0: not yet;
    // steady clock): the asker's timeout counts from then (devices::Answer::countingFrom).
    struct Waiting
    {
        devices::Answer<PackageResult>::Settle settle;
        std::shared_ptr<std::atomic<qint64>> handedOutAt;
        QString eid;
    };
    QHash<QByteArray, Waiting> m_waiting; // by transaction ID
    // A poll with nothing waiting costs no store access (most polls, for a fleet that checks in
    // every few hours): devices known enrolled with a known eUICC certificate, when their last
    // check-in was recorded (last_seen_at is kept to the minute), and a generation per device
    // that queuing bumps, so a device whose queue was found empty is not asked about again until
    // something is queued for it.
    struct Known
    {
        qint64 touchedMs = 0;
    };
    QHash<QString, Known> m_known;
    QHash<QString, quint64> m_queued; // by EID: bumped by each package queued; absent: nothing waits
    // Per device: its packages not resolved yet (queued, or handed out and not answered), and of
    // them those being stored now. A check-in a campaign took up is held while there is none (the
    // campaign's next step is still to come) or one is being stored (woken by m_arrived); one
    // handed out before and not answered is handed out again at once.
    struct Outstanding
    {
        int unresolved = 0;
        int storing = 0;
    };
    QHash<QString, Outstanding> m_outstanding; // absent: nothing outstanding
    // Takes a package's waiter out (with the lock held), keeping m_outstanding.
    std::optional<Waiting> takeWaiting(const QByteArray &transactionId);
    QSet<QString> m_sessionEnded; // until the device's next check-in
    QWaitCondition m_arrived;
    int m_holding = 0; // check-ins between arriving and being answered (a package queued meanwhile wakes them)
    int m_heldNow = 0; // of them, those held for a campaign's package, at most m_maxHeld
    int m_maxHeld = 0;
    std::chrono::milliseconds m_holdFor { 0 };
    bool m_stopping = false;
    mutable QMutex m_watchersMutex;
    QMap<quint64, CheckInWatcher> m_watchers;
    quint64 m_nextWatch = 1;
    RelayFinder m_relayFinder;
    QHash<QString, std::shared_ptr<net::Es9PlusFunctions>> m_relayed;             // by lower-case address
    QHash<QString, std::shared_ptr<profiles::Es9PlusService>> m_ownServers;       // by lower-case address
    QHash<QByteArray, std::shared_ptr<net::Es9PlusFunctions>> m_relaySessions; // by the RSP session's transaction ID
    std::atomic<quint64> m_polls = 0, m_handedOut = 0, m_results = 0, m_refused = 0, m_held = 0;
};

} // namespace simfleet::eim
