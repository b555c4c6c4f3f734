#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace simfleet::store {

struct NonceRecord
{
    QByteArray nonce;
    qint64 deviceId = 0;
    QDateTime issuedAt;
    QDateTime expiresAt;
    std::optional<QDateTime> usedAt;
};

struct AttestationRecord
{
    qint64 id = 0;
    qint64 deviceId = 0;
    QByteArray nonce;
    QByteArray evidence;
    QString verdict;    // affirming, warning, contraindicated, none
    QString reasonCode;
    QString message;
    QDateTime verifiedAt;
};

// Nonces issued to devices and the verdicts on their evidence (DESIGN.md "Attestation": the
// evidence bytes and verdict are stored so a verdict can be re-checked later).
class AttestationRepository
{
public:
    explicit AttestationRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<void> insertNonce(const NonceRecord &nonce);
    Result<std::optional<NonceRecord>> findNonce(const QByteArray &nonce);
    // The nonces among those given that were issued, by nonce.
    Result<QHash<QByteArray, NonceRecord>> findNonces(const QList<QByteArray> &nonces);
    // Marks a nonce used; fails if it already was (single use, even under a race).
    Result<void> markNonceUsed(const QByteArray &nonce, const QDateTime &at);
    Result<qint64> insertResult(const AttestationRecord &record);
    // The end of the device's certificate as its evidence showed it (schema 15); writes only
    // when it changed, which after the first attestation is once in a certificate's life.
    Result<void> recordCertificateEnd(qint64 deviceId, const QDateTime &notAfter);
    Result<QList<AttestationRecord>> history(qint64 deviceId);
    Result<std::optional<AttestationRecord>> latest(qint64 deviceId);
    // The latest result of each device given (evidence and nonce included), by device, for the
    // devices that have one.
    Result<QHash<qint64, AttestationRecord>> latestResults(const QList<qint64> &deviceIds);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
