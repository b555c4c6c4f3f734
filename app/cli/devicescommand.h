#pragma once

#include "clicommand.h"

class QCommandLineParser;

namespace simfleet::cli {

class DevicesCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("devices"); }
    QString summary() const override;
    int run(const QStringList &arguments, CliContext &context) override;

private:
    int custody(const QString &action, const QStringList &eids, const QCommandLineParser &parser, CliContext &context);
};

} // namespace simfleet::cli
