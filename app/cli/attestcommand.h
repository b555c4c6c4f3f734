#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class AttestCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("attest"); }
    QString summary() const override
    {
        return QStringLiteral("Attest devices' secure environments and print each verdict as JSON");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
