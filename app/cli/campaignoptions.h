#pragma once

#include "campaigns/campaign.h"
#include "core/result.h"

#include <QCommandLineOption>
#include <QList>

class QCommandLineParser;

namespace simfleet::cli {

// The options provision and change share: how fast and how carefully a campaign runs.
struct CampaignOptions
{
    QCommandLineOption batch { QStringLiteral("batch"), QStringLiteral("Devices attested and issued together (default 256)."),
                               QStringLiteral("N") };
    QCommandLineOption concurrency { QStringLiteral("concurrency"), QStringLiteral("Devices in flight at once (default 32)."),
                                     QStringLiteral("N") };
    QCommandLineOption rate { QStringLiteral("rate"), QStringLiteral("At most N devices started per second, e.g. 50/s."),
                              QStringLiteral("N/s") };
    QCommandLineOption canary { QStringLiteral("canary"), QStringLiteral("Change this share of the devices first."),
                                QStringLiteral("PCT") };
    QCommandLineOption minSuccess { QStringLiteral("min-success"),
                                    QStringLiteral("Continue after the canary only if this share succeeded (default 90)."),
                                    QStringLiteral("PCT") };
    QCommandLineOption timeout { QStringLiteral("timeout"), QStringLiteral("Seconds a device may take to answer (default 10)."),
                                 QStringLiteral("SECONDS") };
    QCommandLineOption resume { QStringLiteral("resume"), QStringLiteral("Resume campaign ID where it stopped."),
                                QStringLiteral("ID") };
    QCommandLineOption retryFailed { QStringLiteral("retry-failed"),
                                     QStringLiteral("With --resume: give failed and rolled-back devices another try.") };

    QCommandLineOption trace { QStringLiteral("trace"),
                               QStringLiteral("Keep a protocol trace: every message to and from each device, as the DER "
                                              "sent, in DIR/EID/NNN-<direction>-<type>.der with an index (also with --resume)."),
                               QStringLiteral("DIR") };

    QCommandLineOption reach { QStringLiteral("reach"),
                               QStringLiteral("Where the devices are: the simulated field beside the workspace (field, the default), "
                                              "or the network, polling simfleet's eIM (network: simfleet-cli serve runs the "
                                              "campaign, this command follows it)."),
                               QStringLiteral("field|network") };

    QCommandLineOption deadline { QStringLiteral("deadline"),
                                  QStringLiteral("With --reach network: how long the campaign waits for its devices to check in, "
                                                 "such as 90s, 45m, 2h or 7d (default 7d); devices not reached by then end "
                                                 "not-reached, and --retry-failed gives them as long again."),
                                  QStringLiteral("DURATION") };

    QList<QCommandLineOption> all() const
    {
        return { batch, concurrency, rate, canary, minSuccess, timeout, resume, retryFailed, trace, reach, deadline };
    }
    Result<campaigns::CampaignSettings> settings(const QCommandLineParser &parser) const;
};

} // namespace simfleet::cli
