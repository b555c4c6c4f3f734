#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class AuditCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("audit"); }
    QString summary() const override { return QStringLiteral("Check the signed audit log (audit verify [--against FILE]); keep its head outside (audit checkpoint --out FILE)"); }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
