#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class ChangeCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("change"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
