#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class LedgerCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("ledger"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
