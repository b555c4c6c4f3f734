#pragma once

#include "core/result.h"
#include "store/auditlog.h"
#include "store/records.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::fleet {

// Everything about one device a user may see (DESIGN.md "The GUI", Devices): identity, secure
// element, profiles (never their secrets), attestation history with the latest evidence
// decoded and its certificate chain, campaign history, and its audit trail for those who may
// read the audit log.
struct DeviceDetail
{
    store::DeviceOverview overview;
    struct Profile
    {
        QString iccid;
        QString imsi;
        QString operatorName;
        QString state;
    };
    QList<Profile> profiles;
    struct Attestation
    {
        QString verdict;
        QString reason;
        QDateTime at;
    };
    QList<Attestation> attestations; // newest first
    QStringList evidence;            // the latest token's claims, one "name: value" per line
    QStringList chain;               // its certificates, leaf first: subject, issuer, validity
    struct CampaignStep
    {
        qint64 campaignId = 0;
        QString campaign;
        QString state;
        QString reason;
        QDateTime at;
    };
    QList<CampaignStep> campaigns; // newest first
    QList<store::AuditEntry> audit; // newest first; empty for users who may not read the log
    bool auditShown = false;

    // Reads it as `by` sees it; a device outside their scope is reported as absent.
    static Result<DeviceDetail> load(store::Workspace &workspace, const access::Session &by, qint64 deviceId);
};

} // namespace simfleet::fleet
