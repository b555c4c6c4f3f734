#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class OperatorsCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("operators"); }
    QString summary() const override { return QStringLiteral("List operators with their number ranges and how full they are, as JSON; add, edit, retire them and set their profile servers"); }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
