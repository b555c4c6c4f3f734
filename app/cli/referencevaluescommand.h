#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class ReferenceValuesCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("reference-values"); }
    QString summary() const override
    {
        return QStringLiteral("List, add, retire, export or import the known-good measurements per model and software version");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
