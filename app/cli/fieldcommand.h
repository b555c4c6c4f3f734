#pragma once

#include "clicommand.h"

namespace simfleet::cli {

// Simulated devices certified by a manufacturer key from outside simfleet (issue 18): labs and
// pilots with an EUM test key make a field, enroll it and load its reference values in one step.
class FieldCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("field"); }
    QString summary() const override
    {
        return QStringLiteral("Make simulated devices certified by a manufacturer's own key (field create), to enroll, "
                              "attest and provision them");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
