#pragma once

#include "auditauthor.h"
#include "core/result.h"
#include "scope.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace simfleet::store {

// Where a device is, as its owner knows it (table device, column custody).
enum class Custody { InService, Stolen, Lost, Recovered };
QString custodyName(Custody custody);
std::optional<Custody> custodyFromName(QStringView name);

// What the backend owes a device at its next contact, read in one go: why it is held back, and
// the profiles a disable or a restore would touch.
struct CustodyState
{
    qint64 deviceId = 0;
    QString eid;
    Custody custody = Custody::InService;
    QDateTime custodySince;
    QDateTime quarantinedAt; // invalid: not quarantined
    std::optional<double> latitude, longitude;
    QDateTime positionAt; // when the device reported that position (invalid: as enrolled)
    // The profile enabled now, and whether its operator lets it be disabled remotely.
    std::optional<qint64> enabledProfileId;
    QString enabledIccid;
    bool disableAllowed = true;
    // The profile a theft, loss or quarantine disabled, which a recovery or a release enables
    // again (its last period ended by one of those events).
    std::optional<qint64> restorableProfileId;
    QString restorableIccid;

    bool reported() const { return custody == Custody::Stolen || custody == Custody::Lost; }
    bool quarantined() const { return quarantinedAt.isValid(); }
    // The subscription is owed a remote disable: held back, and still enabled where the
    // operator's policy allows disabling it.
    bool owesDisable() const { return (reported() || quarantined()) && enabledProfileId && disableAllowed; }
    // The subscription may run again: in service, out of quarantine, nothing enabled.
    bool owesRestore() const
    {
        return custody == Custody::InService && !quarantined() && !enabledProfileId && restorableProfileId;
    }
    // The ledger's event for a disable: which of the holds caused it.
    QString disableEvent() const;
};

// A device alert as the Dashboard and the device's detail list it.
struct DeviceAlert
{
    qint64 id = 0;
    QString eid;
    QString kind; // sighting, quarantined, subscription-disabled, subscription-restored
    QDateTime raisedAt;
    QString detail;
    std::optional<double> latitude, longitude;
};

// Custody, quarantine and alerts of devices (schema 14). Writes run in writer jobs, each with
// the audit entry of the step it records.
class CustodyRepository
{
public:
    explicit CustodyRepository(QSqlDatabase db) : m_db(std::move(db)) { }

    Result<void> setCustody(qint64 deviceId, Custody custody, const QString &note, const QDateTime &at);
    // Quarantines a device that holds an enabled profile and is not quarantined yet; true when it did.
    Result<bool> quarantineIfHolding(qint64 deviceId, const QString &reason, const QDateTime &at);
    Result<void> release(qint64 deviceId);
    Result<void> raise(qint64 deviceId, const QString &kind, const QDateTime &at, const QString &detail,
                       std::optional<double> latitude = {}, std::optional<double> longitude = {});
    // A stolen or lost device showed itself (contact: how, for people): the sighting alert with
    // when and where it last said it was, and its audit entry, by the author of the contact.
    Result<void> recordSighting(const CustodyState &state, const QString &contact, const QDateTime &at,
                                const AuditAuthor &author);
    // Where the device reported itself at `at`, unless a newer report is recorded already.
    Result<void> setPosition(qint64 deviceId, double latitude, double longitude, const QDateTime &at);

    // The state of the devices given (by id), for their next contact.
    Result<QList<CustodyState>> states(const QList<qint64> &deviceIds);
    // Of the devices given, those a campaign must leave alone now, with why: reported-stolen,
    // reported-lost, awaiting-attestation (recovered) or quarantined.
    Result<QHash<qint64, QString>> heldBack(const QList<qint64> &deviceIds);
    // The devices a contact owes something (a report, quarantine, or a restore waiting), in
    // the reader's scope: what `serve` watches for at check-in.
    Result<QList<std::pair<qint64, QString>>> devicesOwed(const Scope &scope);
    // The alerts not acknowledged, newest first, in the reader's scope.
    Result<QList<DeviceAlert>> openAlerts(const Scope &scope, int limit);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
