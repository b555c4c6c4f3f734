#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class BackupCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("backup"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
