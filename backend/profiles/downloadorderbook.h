#pragma once

#include "profileserver.h"
#include "protocol/es2plus.h"

#include <QHash>
#include <QMutex>
#include <QSet>

#include <map>
#include <optional>
#include <variant>

namespace simfleet::profiles {

// Where an ordered profile stands at the profile server (SGP.22 section 3.1.1 and the state
// changes of ES2+, section 5.3).
enum class OrderState {
    Available,  // in stock: allocated numbers whose order was cancelled with "Available"
    Allocated,  // reserved by ES2+.DownloadOrder ("Linked" in SGP.22 when it names an EID)
    Confirmed,  // ES2+.ConfirmOrder without releaseFlag
    Released,   // downloadable: confirmed with releaseFlag, ES2+.ReleaseProfile, or ordered inside simfleet
    Downloaded, // its bound package went to an eUICC: never bound again
    Cancelled,  // ES2+.CancelOrder with "Unavailable": its numbers are burnt
};
QString orderStateName(OrderState state);

// One order as the book holds it. The credentials in `order` are kept in memory only, for as
// long as the order can still be downloaded: the workspace never stored them (ES2+ allocates
// numbers without binding them to a device), so a server that stops loses its open orders and
// their numbers stay burnt.
struct BookedOrder
{
    qint64 id = 0;
    DownloadOrder order;   // order.eid empty: no eUICC named yet
    QString matchingId;    // empty: found by the eUICC's EID alone (the default SM-DP+ case)
    QString profileType;
    bool viaEs2Plus = false; // ordered by the operator over ES2+, which hears of its progress
    QString orderedBy;       // ES2+'s functionRequesterIdentifier
    OrderState state = OrderState::Released;
    bool inSession = false; // an ES9+ session holds it, from AuthenticateClient to its bound package
};

// Why ES9+.AuthenticateClient finds no order for the eUICC, and the order it meant when there is
// one (its operator hears of the refusal).
struct DownloadRefusal
{
    protocol::jsonbinding::StatusCode status;
    std::optional<BookedOrder> identified;
};

// The profile server's orders, shared by ES2+ (the operator orders, confirms, releases, cancels)
// and ES9+ (the eUICC downloads). Each call checks and changes under one lock, so ES2+ and ES9+
// calls on the same order from different threads see each other whole. The status codes are
// SGP.22's for the function that calls; their messages never hold a Matching ID, which is as
// good as the profile to whoever has it, since they are logged.
class DownloadOrderBook
{
public:
    using StatusCode = protocol::jsonbinding::StatusCode;
    template<typename T>
    using Outcome = std::variant<T, StatusCode>;

    // ES9+ ----------------------------------------------------------------------------------
    // A released order found by its EID alone, ordered inside simfleet; it replaces an earlier
    // such order for the same EID that no session holds.
    void addForEid(DownloadOrder order);
    // ES9+.AuthenticateClient (SGP.22 section 5.6.3): the order of the authenticated eUICC, by
    // the Matching ID it signed in ctxParams1 or, without one, by its EID. The order is the
    // session's until handBack or markDownloaded; the copy returned names the eUICC's EID.
    std::variant<BookedOrder, DownloadRefusal> takeForDownload(const QString &eid, const QString &matchingId);
    // The session ended before its package was bound: the order can be downloaded again.
    void handBack(qint64 id);
    // Its package is bound for this EID: the order is Downloaded, its Matching ID used for good.
    // False when the operator cancelled it meanwhile: the package must not leave.
    bool markDownloaded(qint64 id, const QString &eid);
    qsizetype pendingDownloads() const; // released, held by no session

    // ES2+ ----------------------------------------------------------------------------------
    // An order on numbers allocated for it (ES2+.DownloadOrder).
    BookedOrder addAllocated(DownloadOrder order, const QString &profileType, const QString &orderedBy);
    // An order on a profile in stock (ES2+.DownloadOrder): the one with this ICCID, or without
    // one any, nullopt when the stock is empty.
    Outcome<BookedOrder> reserve(const QString &iccid, const QString &eid, const QString &orderedBy);
    std::optional<BookedOrder> reserveAny(const QString &eid, const QString &orderedBy);
    // ES2+.ConfirmOrder: no matchingId makes one; an empty one asks for the default SM-DP+ case.
    Outcome<BookedOrder> confirm(const QString &iccid, const QString &eid, const std::optional<QString> &matchingId,
                                 bool release);
    // ES2+.ReleaseProfile.
    Outcome<BookedOrder> release(const QString &iccid);
    // ES2+.CancelOrder.
    Outcome<BookedOrder> cancel(const QString &iccid, const QString &eid, const std::optional<QString> &matchingId,
                                protocol::es2plus::FinalProfileStatus finalStatus);

    // The order of this ICCID as it stands (the newest, after a cancellation put it back in stock).
    std::optional<BookedOrder> find(const QString &iccid) const;

    // A Matching ID as SGP.22 section 4.1's example writes one: four groups of five characters
    // of 0-9 and A-Z, about 103 random bits.
    static QString newMatchingId();

private:
    BookedOrder *byIccidLocked(const QString &iccid);
    BookedOrder &insertLocked(BookedOrder order);

    mutable QMutex m_mutex;
    qint64 m_nextId = 1;
    std::map<qint64, BookedOrder> m_orders; // by id: the earliest first
    QHash<QString, qint64> m_byIccid;       // ES2+'s orders
    QHash<QString, qint64> m_byMatchingId;  // open orders
    QSet<QString> m_usedMatchingIds;        // every Matching ID ever given out: none is given twice
};

} // namespace simfleet::profiles
