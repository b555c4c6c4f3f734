#include "downloadorderbook.h"

#include "crypto/random.h"
#include "protocol/es9plus.h"

namespace simfleet::profiles {

namespace es2 = protocol::es2plus;
namespace es9 = protocol::es9plus;

namespace {

// Once its package is bound or its order cancelled, nobody needs the credentials any more.
void dropCredentials(DownloadOrder &order)
{
    order.profile.ki = crypto::SecretBytes();
    order.profile.opc = crypto::SecretBytes();
}

QString stateNameOf(const BookedOrder &order)
{
    return orderStateName(order.state);
}

} // namespace

QString orderStateName(OrderState state)
{
    switch (state) {
    case OrderState::Available: return QStringLiteral("available");
    case OrderState::Allocated: return QStringLiteral("allocated");
    case OrderState::Confirmed: return QStringLiteral("confirmed");
    case OrderState::Released: return QStringLiteral("released");
    case OrderState::Downloaded: return QStringLiteral("downloaded");
    case OrderState::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

QString DownloadOrderBook::newMatchingId()
{
    static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const QByteArray random = crypto::randomBytes(20);
    QString id;
    for (qsizetype i = 0; i < random.size(); ++i) {
        if (i > 0 && i % 5 == 0)
            id += u'-';
        // 256 is not a multiple of 36: the first 252 values map evenly, the rest a little less
        // often, which costs a fraction of a bit of the 103.
        id += QLatin1Char(alphabet[quint8(random.at(i)) % 36]);
    }
    return id;
}

BookedOrder &DownloadOrderBook::insertLocked(BookedOrder order)
{
    order.id = m_nextId++;
    // Orders made inside simfleet (addForEid) are found by their EID, never by ICCID: ES2+ does
    // not see them.
    if (order.viaEs2Plus || order.state == OrderState::Available)
        m_byIccid.insert(order.order.profile.iccid, order.id);
    return m_orders.emplace(order.id, std::move(order)).first->second;
}

BookedOrder *DownloadOrderBook::byIccidLocked(const QString &iccid)
{
    const auto id = m_byIccid.constFind(iccid);
    if (id == m_byIccid.cend())
        return nullptr;
    const auto it = m_orders.find(*id);
    return it == m_orders.end() ? nullptr : &it->second;
}

void DownloadOrderBook::addForEid(DownloadOrder order)
{
    QMutexLocker lock(&m_mutex);
    for (auto &[id, booked] : m_orders) {
        if (booked.state == OrderState::Released && !booked.inSession && !booked.viaEs2Plus && booked.order.eid == order.eid) {
            booked.order = std::move(order);
            return;
        }
    }
    BookedOrder booked;
    booked.order = std::move(order);
    booked.state = OrderState::Released;
    insertLocked(std::move(booked));
}

std::variant<BookedOrder, DownloadRefusal> DownloadOrderBook::takeForDownload(const QString &eid, const QString &matchingId)
{
    QMutexLocker lock(&m_mutex);
    const auto taken = [&eid](BookedOrder &order) {
        order.inSession = true;
        BookedOrder copy = order;
        copy.order.eid = eid;
        return copy;
    };
    if (matchingId.isEmpty()) {
        // Section 3.1.1's default SM-DP+ address: the eUICC names no order, its EID does.
        for (auto &[id, order] : m_orders) {
            if (order.state == OrderState::Released && !order.inSession && order.matchingId.isEmpty() && order.order.eid == eid)
                return taken(order);
        }
        return DownloadRefusal { es9::status::eidRefused(QStringLiteral("no profile is ordered for EID %1; order one for it first").arg(eid)),
                                 std::nullopt };
    }
    const auto id = m_byMatchingId.constFind(matchingId);
    if (id == m_byMatchingId.cend()) {
        const QString why = m_usedMatchingIds.contains(matchingId)
            ? QStringLiteral("the order of this Matching ID was downloaded or cancelled; a Matching ID serves one download")
            : QStringLiteral("this Matching ID is unknown to this profile server");
        return DownloadRefusal { es9::status::matchingIdRefused(why), std::nullopt };
    }
    BookedOrder &order = m_orders.at(*id);
    if (order.inSession)
        return DownloadRefusal {
            es9::status::matchingIdRefused(QStringLiteral("another download session is using this Matching ID")), order
        };
    if (order.state == OrderState::Confirmed)
        return DownloadRefusal { es9::status::profileNotAllowed(QStringLiteral("the order of this Matching ID is confirmed but not "
                                                                               "released for download yet (ES2+.ReleaseProfile)")),
                                 order };
    if (order.state != OrderState::Released)
        return DownloadRefusal {
            es9::status::matchingIdRefused(QStringLiteral("the order of this Matching ID is %1").arg(stateNameOf(order))), order
        };
    // SGP.22 section 5.6.3: an order the operator bound to an eUICC is that eUICC's alone. The
    // message does not say which one it is bound to.
    if (!order.order.eid.isEmpty() && order.order.eid != eid)
        return DownloadRefusal {
            es9::status::eidRefused(QStringLiteral("the order of this Matching ID is for another eUICC than %1").arg(eid)), order
        };
    return taken(order);
}

void DownloadOrderBook::handBack(qint64 id)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_orders.find(id);
    if (it != m_orders.end())
        it->second.inSession = false;
}

bool DownloadOrderBook::markDownloaded(qint64 id, const QString &eid)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_orders.find(id);
    if (it == m_orders.end())
        return false;
    BookedOrder &order = it->second;
    const bool downloadable = order.inSession && order.state == OrderState::Released;
    order.inSession = false;
    if (!downloadable)
        return false;
    order.state = OrderState::Downloaded;
    order.order.eid = eid;
    dropCredentials(order.order);
    m_byMatchingId.remove(order.matchingId);
    return true;
}

qsizetype DownloadOrderBook::pendingDownloads() const
{
    QMutexLocker lock(&m_mutex);
    qsizetype pending = 0;
    for (const auto &[id, order] : m_orders) {
        if (order.state == OrderState::Released && !order.inSession)
            ++pending;
    }
    return pending;
}

BookedOrder DownloadOrderBook::addAllocated(DownloadOrder order, const QString &profileType, const QString &orderedBy)
{
    QMutexLocker lock(&m_mutex);
    BookedOrder booked;
    booked.order = std::move(order);
    booked.profileType = profileType;
    booked.viaEs2Plus = true;
    booked.orderedBy = orderedBy;
    booked.state = OrderState::Allocated;
    return insertLocked(std::move(booked));
}

DownloadOrderBook::Outcome<BookedOrder> DownloadOrderBook::reserve(const QString &iccid, const QString &eid, const QString &orderedBy)
{
    QMutexLocker lock(&m_mutex);
    BookedOrder *order = byIccidLocked(iccid);
    if (!order)
        return es2::status::iccidUnknown(
            QStringLiteral("profile %1 is not in this profile server's stock; leave the ICCID out and one is allocated").arg(iccid));
    if (order->state != OrderState::Available)
        return es2::status::iccidUnavailable(QStringLiteral("profile %1 is %2, not available").arg(iccid, stateNameOf(*order)));
    order->state = OrderState::Allocated;
    order->order.eid = eid;
    order->viaEs2Plus = true;
    order->orderedBy = orderedBy;
    return *order;
}

std::optional<BookedOrder> DownloadOrderBook::reserveAny(const QString &eid, const QString &orderedBy)
{
    QMutexLocker lock(&m_mutex);
    for (auto &[id, order] : m_orders) {
        if (order.state == OrderState::Available) {
            order.state = OrderState::Allocated;
            order.order.eid = eid;
            order.viaEs2Plus = true;
            order.orderedBy = orderedBy;
            return order;
        }
    }
    return std::nullopt;
}

DownloadOrderBook::Outcome<BookedOrder> DownloadOrderBook::confirm(const QString &iccid, const QString &eid,
                                                                   const std::optional<QString> &matchingId, bool release)
{
    QMutexLocker lock(&m_mutex);
    BookedOrder *order = byIccidLocked(iccid);
    if (!order || order->state == OrderState::Available)
        return es2::status::iccidUnknown(QStringLiteral("no order for profile %1 here; place one with downloadOrder first").arg(iccid));
    if (order->state == OrderState::Downloaded)
        return es2::status::iccidUnavailable(QStringLiteral("profile %1 was downloaded already").arg(iccid));
    if (order->state != OrderState::Allocated)
        return es2::status::iccidInvalidTransition(
            QStringLiteral("the order for %1 is %2; only an allocated order is confirmed").arg(iccid, stateNameOf(*order)));
    QString orderEid = order->order.eid;
    if (!eid.isEmpty()) {
        if (!orderEid.isEmpty() && orderEid != eid)
            return es2::status::eidInvalidAssociation(
                QStringLiteral("the order for %1 is for EID %2, not %3").arg(iccid, orderEid, eid));
        orderEid = eid;
    }
    QString chosen;
    if (!matchingId) {
        do
            chosen = newMatchingId();
        while (m_usedMatchingIds.contains(chosen));
    } else if (matchingId->isEmpty()) {
        // Section 5.3.2: without a Matching ID the eUICC is found by its EID (the default SM-DP+
        // case), so the order must name one.
        if (orderEid.isEmpty())
            return es2::status::eidMissing(
                QStringLiteral("an empty matchingId means the eUICC downloads by its EID alone; give the EID, or no matchingId"));
    } else if (m_usedMatchingIds.contains(*matchingId)) {
        return es2::status::matchingIdInUse(QStringLiteral("this Matching ID is or was in use at this profile server"));
    } else {
        chosen = *matchingId;
    }
    order->order.eid = orderEid;
    order->matchingId = chosen;
    if (!chosen.isEmpty()) {
        m_usedMatchingIds.insert(chosen);
        m_byMatchingId.insert(chosen, order->id);
    }
    order->state = release ? OrderState::Released : OrderState::Confirmed;
    return *order;
}

DownloadOrderBook::Outcome<BookedOrder> DownloadOrderBook::release(const QString &iccid)
{
    QMutexLocker lock(&m_mutex);
    BookedOrder *order = byIccidLocked(iccid);
    if (!order || order->state == OrderState::Available)
        return es2::status::iccidUnknown(QStringLiteral("no order for profile %1 here").arg(iccid));
    if (order->state == OrderState::Downloaded)
        return es2::status::iccidUnavailable(QStringLiteral("profile %1 was downloaded already").arg(iccid));
    if (order->state != OrderState::Confirmed)
        return es2::status::iccidInvalidTransition(
            QStringLiteral("the order for %1 is %2; only a confirmed order is released").arg(iccid, stateNameOf(*order)));
    order->state = OrderState::Released;
    return *order;
}

DownloadOrderBook::Outcome<BookedOrder> DownloadOrderBook::cancel(const QString &iccid, const QString &eid,
                                                                  const std::optional<QString> &matchingId,
                                                                  es2::FinalProfileStatus finalStatus)
{
    QMutexLocker lock(&m_mutex);
    BookedOrder *order = byIccidLocked(iccid);
    if (!order || order->state == OrderState::Available)
        return es2::status::iccidUnknown(QStringLiteral("no order for profile %1 here").arg(iccid));
    if (!eid.isEmpty() && eid != order->order.eid)
        return es2::status::eidInvalidAssociation(QStringLiteral("the order for %1 is not for EID %2").arg(iccid, eid));
    if (matchingId && *matchingId != order->matchingId)
        return es2::status::matchingIdInvalidAssociation(
            QStringLiteral("the order for %1 has another Matching ID").arg(iccid));
    if (order->state == OrderState::Downloaded)
        return es2::status::iccidUnavailable(QStringLiteral("profile %1 was downloaded already; it is the eUICC's now").arg(iccid));
    if (order->state == OrderState::Cancelled)
        return es2::status::iccidInvalidTransition(QStringLiteral("the order for %1 was cancelled already").arg(iccid));
    // A session holding the order finds it cancelled before its package is bound
    // (markDownloaded), so nothing is delivered for a cancelled order.
    m_byMatchingId.remove(order->matchingId);
    order->state = OrderState::Cancelled;
    std::optional<BookedOrder> stock;
    if (finalStatus == es2::FinalProfileStatus::Available) {
        // Back in stock as an entry of its own, so a session still holding the cancelled one
        // cannot deliver it.
        stock = BookedOrder {};
        stock->order = order->order;
        stock->order.eid.clear();
        stock->profileType = order->profileType;
        stock->state = OrderState::Available;
    }
    dropCredentials(order->order);
    const BookedOrder cancelled = *order;
    if (stock)
        insertLocked(std::move(*stock)); // invalidates nothing: std::map keeps its elements in place
    return cancelled;
}

std::optional<BookedOrder> DownloadOrderBook::find(const QString &iccid) const
{
    QMutexLocker lock(&m_mutex);
    const auto id = m_byIccid.constFind(iccid);
    if (id == m_byIccid.cend())
        return std::nullopt;
    const auto it = m_orders.find(*id);
    return it == m_orders.end() ? std::nullopt : std::optional(it->second);
}

} // namespace simfleet::profiles
