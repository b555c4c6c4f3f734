#pragma once

#include "clicommand.h"

namespace simfleet::cli {

// The workspace's trust anchors: certificate issuers, manufacturers (EUM) and their revocation
// lists (GSMA SGP.22 section 4.5.2), added from PEM or DER files.
class TrustCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("trust"); }
    QString summary() const override
    {
        return QStringLiteral("List, add or retire trusted certificate issuers, manufacturers and revocation lists");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
