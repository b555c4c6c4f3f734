#pragma once

#include "core/result.h"
#include "scope.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QString>

namespace simfleet::store {

// The figures of the dashboard (DESIGN.md "The GUI"), over what the scope shows.
struct FleetFigures
{
    qint64 devices = 0;
    QMap<QString, qint64> byOperator; // the enabled profile's operator; "" for none
    QMap<QString, qint64> byVerdict;  // the latest verdict; "" for not attested
    struct Fleet
    {
        QString name;
        QString customer;
        qint64 devices = 0;
        qint64 provisioned = 0; // with an enabled profile
    };
    QList<Fleet> fleets;
    // Alerts.
    qint64 contraindicated = 0;           // devices whose latest verdict is contraindicated
    qint64 failedInRecentCampaigns = 0;   // failed or rolled back, in campaigns of the last 7 days
    struct Expiring
    {
        QString name;
        QString role;
        QDateTime notAfter;
    };
    QList<Expiring> expiringCertificates; // within 30 days, or expired
    struct RunningOut
    {
        QString issuer;
        QDateTime nextUpdate;
    };
    // Revocation lists whose newest next update is within 7 days, or past: until the next list
    // is imported, revoked devices and servers under that issuer cannot be told apart.
    QList<RunningOut> revocationListsRunningOut;
    // What ages over the years (issue 23): devices reported stolen, lost or recovered (awaiting
    // attestation), quarantined, not seen for `unseenDays` days (no check-in, no answered
    // attestation, not enrolled since), and those whose latest verdict found no reference
    // values for the software they run.
    qint64 stolen = 0, lost = 0, recovered = 0, quarantined = 0;
    static constexpr int unseenDays = 30;
    qint64 unseen = 0;
    qint64 withoutReferenceValues = 0;
    // Devices whose certificate (as their latest evidence showed it) ends within
    // `certificateDays` days, or ended: they will fail attestation from that day on.
    static constexpr int certificateDays = 30;
    qint64 deviceCertificatesEnding = 0;
};

// Conditions over a device (alias d) shared by the figures and the device filter.
namespace deviceConditions {
// Not seen since the cutoff: three values, each the cutoff (storedTime).
QString unseenSince();
// Its latest verdict's reason: one value, the reason code.
QString latestReason();
// Its certificate ends by a time: one value, that time (storedTime).
QString certificateEndsBy();
} // namespace deviceConditions

// Devices by their latest verdict and its reason (the Attestation page).
struct VerdictReason
{
    QString verdict;
    QString reason;
    qint64 devices = 0;
};

class FleetStatistics
{
public:
    explicit FleetStatistics(QSqlDatabase db) : m_db(std::move(db)) { }
    Result<FleetFigures> figures(const Scope &scope, const QDateTime &now);
    Result<QList<VerdictReason>> verdictReasons(const Scope &scope);
    // The devices whose latest verdict and reason these are, within the scope.
    Result<QList<qint64>> devicesWith(const Scope &scope, const QString &verdict, const QString &reason);

private:
    QSqlDatabase m_db;
};

} // namespace simfleet::store
