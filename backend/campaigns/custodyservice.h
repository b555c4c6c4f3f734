#pragma once

#include "core/result.h"
#include "store/custodyrepository.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::devices {
class DeviceLinkProvider;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::campaigns {

// What one contact with a device did, in the order it happened.
struct ContactOutcome
{
    QString eid;
    QStringList done;  // sighted, subscription-disabled, attested-affirming, subscription-restored, ...
    QString failure;   // empty when everything owed was done
};

// Theft, loss and tampering (TR 33.812's pay-as-you-drive and tracking stories): Operations
// report devices stolen or lost; at the device's next contact its subscription is disabled on the
// device, so its credentials are useless to whoever holds it (where the operator's policy lets
// profiles be disabled), and every sign of it raises an alert with when and where. No campaign
// gives it a profile while it is held back (CampaignRun's screening). Reported recovered, it is
// attested at its next contact and gets its subscription back only on an affirming verdict. A
// device quarantined by a contraindicated verdict (AttestationService) has its subscription
// disabled the same way, and runs again when an Administrator releases it after an affirming
// verdict. Every step is audited; every change of a subscription is in the ledger.
class CustodyService
{
public:
    CustodyService(store::Workspace &workspace, devices::DeviceLinkProvider &links,
                   std::chrono::milliseconds answerTimeout = std::chrono::milliseconds(10000));

    // Operations or an Administrator. Stolen or Lost from any state; Recovered only for a device
    // reported stolen or lost (the message names the first that is not); InService is not
    // reported (a recovered device gets there by its attestation).
    Result<QList<store::CustodyState>> report(const access::Session &by, const QStringList &eids, store::Custody custody,
                                              const QString &note);
    // An Administrator lets quarantined devices' subscriptions run again: each must have an
    // affirming verdict newer than its quarantine (the message says which has not).
    Result<QList<store::CustodyState>> release(const access::Session &by, const QStringList &eids);

    // How simfleet came to be talking to the device: a check-in, an attestation (its verdict is
    // recorded already, sightings and quarantine with it), or simfleet reaching out.
    enum class Contact { CheckIn, AfterAttestation, Reached };
    // One contact with each device: what it is owed is done now (Operations, an Administrator,
    // or the owner's eIM). A device that does not answer keeps what it is owed for next time.
    Result<QList<ContactOutcome>> contact(const access::Session &by, const QList<std::pair<qint64, QString>> &devices,
                                          Contact how);

private:
    ContactOutcome contactOne(const access::Session &by, store::CustodyState state, Contact how);

    store::Workspace &m_workspace;
    devices::DeviceLinkProvider &m_links;
    std::chrono::milliseconds m_timeout;
};

} // namespace simfleet::campaigns
