#pragma once

#include "clicommand.h"

namespace simfleet::cli {

// `aka`: what a USIM with given credentials answers to one network challenge (Milenage).
class AkaCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("aka"); }
    QString summary() const override
    {
        return QStringLiteral("Compute Milenage outputs (OPc, MAC-A, MAC-S, RES, CK, IK, AK, AK*, AUTN) as JSON");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
