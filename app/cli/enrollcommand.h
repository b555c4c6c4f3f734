#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class EnrollCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("enroll"); }
    QString summary() const override { return QStringLiteral("Import devices from a factory CSV into a fleet; prints a JSON summary"); }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
