#pragma once

#include "downloadorderbook.h"
#include "profileserver.h"
#include "protocol/es2plus.h"
#include "protocol/es9plus.h"

#include <QHash>
#include <QList>
#include <QMutex>

#include <chrono>
#include <functional>
#include <memory>

namespace simfleet {
class Clock;
}

namespace simfleet::profiles {

// What a device reported after a download through ES9+ (its ProfileInstallationResult, signed
// by the device of the session, delivered with HandleNotification).
struct Es9PlusInstallation
{
    QString eid;
    QByteArray transactionId;
    QString iccid;   // installed, or empty
    QString failure; // why not, or empty
};

// Where an ES2+ order's download stands, for the operator that ordered it (SGP.22 section
// 5.3.5), without the request header, which whoever sends it fills in. Called on the thread that
// handles the ES9+ call: it must not block.
using DownloadProgressListener = std::function<void(const protocol::es2plus::HandleDownloadProgressInfoRequest &)>;

// simfleet's profile server behind ES9+ (SGP.22 section 5.6 and the HTTPS binding of section 6):
// the JSON request bodies in, the JSON answers out, the RSP sessions kept by transaction ID.
// The EID is learned from CERT.EUICC at AuthenticateClient, and the order is taken from the
// book by the Matching ID the eUICC signed in ctxParams1 (an activation code's, from
// ES2+.ConfirmOrder) or, without one, by that EID (SGP.22 section 3.1.1's default SM-DP+ case).
// Each function is accepted once, in SGP.22's order; an unknown, ended or expired transaction, a
// replayed or out-of-order call gets 8.10.1/3.9 and changes nothing. A session that ends before
// its package is bound hands its order back; once bound, the order is used.
// Thread-safe: the cryptography of different sessions runs in parallel.
class Es9PlusService
{
public:
    // orders: the book ES2+ fills (Es2PlusService); a book of its own when none is given.
    Es9PlusService(std::shared_ptr<const ProfileServer> server, const Clock &clock,
                   std::chrono::seconds sessionLifetime = std::chrono::minutes(5),
                   std::shared_ptr<DownloadOrderBook> orders = nullptr);
    ~Es9PlusService();

    // A released download order for one EID, without a Matching ID (replaces an earlier one not
    // yet taken by a session).
    void addOrder(DownloadOrder order);
    qsizetype pendingOrders() const;
    const std::shared_ptr<DownloadOrderBook> &orders() const { return m_orders; }
    // Told at the notification points of SGP.22 section 5.3.5 for orders placed over ES2+. Set
    // before the service is shared.
    void setProgressListener(DownloadProgressListener listener) { m_progress = std::move(listener); }
    qsizetype openSessions() const;
    QList<Es9PlusInstallation> installations() const;

    // One function's answer: the JSON body, or none (HTTP 204, handleNotification).
    struct Reply
    {
        std::optional<QByteArray> body;
    };
    Reply handle(protocol::es9plus::Function function, QByteArrayView requestBody);

    Reply initiateAuthentication(QByteArrayView requestBody);
    Reply authenticateClient(QByteArrayView requestBody);
    Reply getBoundProfilePackage(QByteArrayView requestBody);
    Reply handleNotification(QByteArrayView requestBody);
    Reply cancelSession(QByteArrayView requestBody);

    const ProfileServer &server() const { return *m_server; }

private:
    enum class Step { Initiated, Authenticated, Bound };
    struct Session
    {
        DownloadSession download;
        Step step = Step::Initiated;
        bool busy = false; // a call is working on it outside the lock
        QDateTime started;
        std::optional<BookedOrder> order; // taken at AuthenticateClient
    };

    // Claims the session for one step: known, unexpired, at the step expected, not in use.
    std::variant<Session, protocol::es9plus::StatusCode> claim(const QByteArray &transactionId, Step expected);
    // Puts a claimed session back after its step, or ends it (its order back when unused).
    void release(const QByteArray &transactionId, std::optional<Session> next);
    void expireLocked(const QDateTime &now);
    void notify(const BookedOrder &order, const QString &eid, protocol::es2plus::NotificationPoint point,
                const std::optional<protocol::es9plus::StatusCode> &failure, const QByteArray &resultData = {}) const;

    std::shared_ptr<const ProfileServer> m_server;
    const Clock &m_clock;
    std::chrono::seconds m_lifetime;
    mutable QMutex m_mutex;
    std::shared_ptr<DownloadOrderBook> m_orders;
    DownloadProgressListener m_progress;
    QHash<QByteArray, Session> m_sessions; // by transaction ID
    QList<Es9PlusInstallation> m_installations;
};

} // namespace simfleet::profiles
