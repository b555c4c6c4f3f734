#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class RekeyCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("rekey"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
