#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class ProfilesCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("profiles"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;

private:
    int exportTemplate(const QString &operatorName, const QString &out, CliContext &context);
};

} // namespace simfleet::cli
