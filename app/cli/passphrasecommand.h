#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class PassphraseCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("passphrase"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
