#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace simfleet::store {

// The workspace's eIM (SGP.32): its identity, and per eUICC the counter of the packages it signed.
struct EimIdentityRecord
{
    QString eimId;
    QByteArray publicKeyDer;     // SubjectPublicKeyInfo
    QByteArray privateKeySealed; // sealed bound to ("eim_identity", 1, "private_key_sealed")
    QDateTime createdAt;
};

struct EimDeviceRecord
{
    QString eid;
    qint64 counterValue = 0;      // of the last eUICC package signed for it
    QByteArray euiccCertificate;  // DER; empty while unknown
    std::optional<QDateTime> lastSeenAt;
};

// One eIM package for one device (table eim_package).
struct EimPackageRecord
{
    enum class Kind { EuiccPackage, EuiccData, Download, Simfleet };
    enum class State { Queued, Sent, Done, Failed, Cancelled };
    qint64 id = 0;
    QString eid;
    Kind kind = Kind::EuiccPackage;
    QByteArray transactionId;
    std::optional<qint64> counterValue;
    QByteArray request;  // as handed out (DER)
    State state = State::Queued;
    QDateTime queuedAt;
    std::optional<QDateTime> sentAt;
    std::optional<QDateTime> doneAt;
    QByteArray result;   // as the IPA provided it (DER)
    QString failure;
};

class EimRepository
{
public:
    explicit EimRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<std::optional<EimIdentityRecord>> identity();
    // The row is written first and the key sealed bound to it after (setSealedKey).
    Result<void> insertIdentity(const EimIdentityRecord &record);
    Result<void> setSealedKey(const QByteArray &sealed);

    // Takes the next counterValue for a package to this eUICC, above every one taken before, in
    // the caller's write transaction: a counter is never handed out twice, even across crashes.
    Result<qint64> takeCounter(const QString &eid);
    Result<std::optional<EimDeviceRecord>> device(const QString &eid);
    Result<void> setEuiccCertificate(const QString &eid, const QByteArray &der);
    Result<void> touch(const QString &eid, const QDateTime &at);

    // The package queue.
    Result<qint64> enqueue(const EimPackageRecord &package);
    // The oldest package not yet answered for this device (queued, or sent and unanswered); a
    // request for the eUICC's own data goes first, since the results of the others are checked
    // with what it brings (the eUICC's certificate).
    Result<std::optional<EimPackageRecord>> nextFor(const QString &eid);
    Result<std::optional<EimPackageRecord>> byTransaction(const QByteArray &transactionId);
    Result<std::optional<EimPackageRecord>> byId(qint64 id);
    Result<void> markSent(qint64 id, const QDateTime &at);
    // Answered (done or failed) or withdrawn (cancelled): never handed out again.
    Result<void> finish(qint64 id, EimPackageRecord::State state, const QByteArray &result, const QString &failure,
                        const QDateTime &at);
    Result<qint64> waitingCount(const QString &eid);
    // The request for the eUICC's own data handed out to this device and not yet answered.
    Result<std::optional<EimPackageRecord>> sentEuiccDataFor(const QString &eid);
    // Every package not yet answered is withdrawn (state cancelled, with the reason).
    // One device's packages not answered yet, withdrawn (the step that queued them gave up on
    // the device); their transaction IDs.
    Result<QList<QByteArray>> withdrawFor(const QString &eid, const QString &reason, const QDateTime &at);
    Result<qint64> cancelWaiting(const QString &reason, const QDateTime &at);
    // Whether the workspace has enrolled a device with this EID.
    Result<bool> isEnrolled(const QString &eid);

private:
    Result<void> ensureDevice(const QString &eid);
    Result<std::optional<EimPackageRecord>> onePackage(const QString &where, const QVariant &value);
    QSqlDatabase m_db;
};

} // namespace simfleet::store
