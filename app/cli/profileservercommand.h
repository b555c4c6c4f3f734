#pragma once

#include "clicommand.h"

namespace simfleet::cli {

// `profile-server`: an operator's profile server (SM-DP+) served as ES9+ over HTTPS (SGP.22
// section 6) until SIGINT or SIGTERM.
class ProfileServerCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("profile-server"); }
    QString summary() const override
    {
        return QStringLiteral("Serve an operator's profile server as ES9+ over HTTPS (--operator, --listen ADDRESS:PORT, "
                              "--tls-cert, --tls-key) until interrupted; prints one JSON line when it listens");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
