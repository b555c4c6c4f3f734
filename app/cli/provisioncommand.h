#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class ProvisionCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("provision"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
