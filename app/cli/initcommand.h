#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class InitCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("init"); }
    QString summary() const override { return QStringLiteral("Create a workspace: empty and protected by a passphrase, or the demo (--demo)"); }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
