#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class DevicesCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("devices"); }
    QString summary() const override { return QStringLiteral("List devices as JSON or CSV"); }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
