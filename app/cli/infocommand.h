#pragma once

#include "clicommand.h"

namespace simfleet::cli {

// `info`: the workspace's name, kind and schema version, as JSON.
class InfoCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("info"); }
    QString summary() const override { return QStringLiteral("Show the workspace's name, kind and schema version as JSON"); }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
