#pragma once

#include "clicommand.h"

namespace simfleet::cli {

// `workspace copy --from FILE.simfleet --to postgresql://...`: moving a workspace file onto a
// team's PostgreSQL server (store::WorkspaceCopy).
class WorkspaceCommand : public CliCommand
{
public:
    QString name() const override { return QStringLiteral("workspace"); }
    QString summary() const override
    {
        return QStringLiteral("copy --from FILE.simfleet --to postgresql://[USER@]HOST[:PORT]/DB: move a workspace file "
                              "into an empty PostgreSQL database, as a superuser or a role with CREATEROLE");
    }
    int run(const QStringList &arguments, CliContext &context) override;
};

} // namespace simfleet::cli
