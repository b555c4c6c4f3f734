#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class AuditCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("audit"); }
    QString summary() const override { return QStringLiteral("Check the audit log's hash chain (audit verify)"); }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
