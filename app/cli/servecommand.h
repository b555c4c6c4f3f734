#pragma once

#include "clicommand.h"

namespace simfleet::cli {

// simfleet as its devices' eIM (SGP.32), as a long-running service: ESipa served over HTTPS, and
// every campaign started for devices on the network (provision/change --reach network) run as
// their devices check in. Stops on SIGINT or SIGTERM; a campaign it was running goes on when it
// serves again.
class ServeCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("serve"); }
    QString summary() const override
    {
        return QStringLiteral("Serve ESipa as the devices' eIM and run the campaigns for devices on the network");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
