#pragma once

#include "clicommand.h"

namespace simfleet::cli {

class UsersCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("users"); }
    QString summary() const override
    {
        return QStringLiteral("List users as JSON, or add, remove, change the role or the password of one (Administrators)");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
