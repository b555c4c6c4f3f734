#pragma once

#include "clicommand.h"
#include "core/result.h"

#include <QList>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::campaigns {
struct CampaignRequest;
}

namespace simfleet::cli {

// Devices named by --fleet NAME, --devices FILE (one EID per line, or a CSV with an eid column)
// or --filter EXPR, chosen by the backend's one rule (campaigns::CampaignPlanner), within what
// the user may see. A usage error starts with "say".
Result<QList<qint64>> selectDevices(CliContext &context, store::Workspace &workspace, const QString &fleet,
                                    const QString &devicesFile, const QString &filter);

// Creates (or, with resumeId, resumes) a campaign against the simulated field, shows progress on
// stderr (a bar on a terminal, plain lines otherwise; Ctrl-C pauses it cleanly) and prints the
// summary JSON on stdout.
// A resumed campaign keeps the trace it was started with; traceDirectory (--trace) starts or moves it.
int runCampaign(CliContext &context, const QString &command, store::Workspace &workspace,
                const campaigns::CampaignRequest *request, qint64 resumeId, bool retryFailed,
                const QString &traceDirectory = QString());

} // namespace simfleet::cli
