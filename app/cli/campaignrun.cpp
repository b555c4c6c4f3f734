#include "campaignrun.h"

#include "access/session.h"
#include "campaigns/campaignplanner.h"
#include "campaigns/campaignqueries.h"
#include "campaigns/campaignservice.h"
#include "campaigns/runlock.h"
#include "devices/devicelink.h"
#include "store/campaignrepository.h"
#include "simulation/simulatedfield.h"
#include "store/workspace.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QTextStream>

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace simfleet::cli {

namespace {

std::atomic<campaigns::CampaignControl *> interruptTarget { nullptr };

extern "C" void pauseOnInterrupt(int)
{
    if (auto *control = interruptTarget.load())
        control->pause();
}

} // namespace

Result<QList<qint64>> selectDevices(CliContext &context, store::Workspace &workspace, const QString &fleet,
                                    const QString &devicesFile, const QString &filter)
{
    const int given = int(!fleet.isEmpty()) + int(!devicesFile.isEmpty()) + int(!filter.isEmpty());
    if (given != 1)
        return fail(QStringLiteral("say which devices with exactly one of --fleet NAME, --devices FILE or --filter EXPR"));
    return campaigns::CampaignPlanner(workspace).devices(*context.session, { fleet, devicesFile, filter, {} });
}

namespace {

std::atomic<bool> stopFollowing { false };

extern "C" void stopFollowingOnInterrupt(int)
{
    stopFollowing.store(true);
}

// A campaign for devices on the network runs in simfleet's eIM (`serve`); this follows it from
// the workspace until it ends, or until Ctrl-C, which stops following, not the campaign.
int followCampaign(CliContext &context, const QString &command, store::Workspace &workspace, qint64 id)
{
    const campaigns::CampaignQueries queries(workspace);
    const bool terminal = isatty(STDERR_FILENO) == 1;
    stopFollowing.store(false);
    auto previous = std::signal(SIGINT, stopFollowingOnInterrupt);
    context.err << "simfleet-cli " << command << ": campaign " << id
                << " is for devices on the network: simfleet's eIM runs it (simfleet-cli -w " << workspace.info().path
                << " serve) as the devices check in; following it" << Qt::endl;
    Result<campaigns::CampaignSummary> summary = fail(QString());
    QElapsedTimer sinceLine;
    sinceLine.start();
    qint64 lastDone = -1;
    qint64 lastWaiting = -1;
    for (;;) {
        summary = queries.summary(*context.session, id);
        if (!summary)
            break;
        const qint64 done = summary->total - summary->unfinished;
        if (done != lastDone || summary->waiting != lastWaiting || sinceLine.elapsed() > 10000) {
            context.err << (terminal ? "\r" : "")
                        << QStringLiteral("campaign %1 (%2): %3 of %4 devices done, %5 in session, %6 waiting for their check-in")
                               .arg(id)
                               .arg(campaigns::campaignStateName(summary->state))
                               .arg(done)
                               .arg(summary->total)
                               .arg(summary->unfinished - summary->waiting)
                               .arg(summary->waiting);
            if (!terminal)
                context.err << Qt::endl;
            context.err.flush();
            lastDone = done;
            lastWaiting = summary->waiting;
            sinceLine.restart();
        }
        const auto state = summary->state;
        if (state == campaigns::CampaignState::Finished || state == campaigns::CampaignState::Cancelled
            || state == campaigns::CampaignState::Paused || stopFollowing.load())
            break;
        for (int slept = 0; slept < 500 && !stopFollowing.load(); slept += 10)
            QThread::msleep(10);
    }
    std::signal(SIGINT, previous);
    if (terminal)
        context.err << Qt::endl;
    if (!summary)
        return report(context, command, summary.errorMessage(), RequestFailed);
    if (stopFollowing.load() && summary->state != campaigns::CampaignState::Finished)
        context.err << "simfleet-cli " << command << ": stopped following; campaign " << id
                    << " goes on in simfleet-cli serve. Follow it again with: simfleet-cli -w " << workspace.info().path
                    << " change --resume " << id << Qt::endl;
    printJson(context, summary->toJson());
    return Success;
}

} // namespace

int runCampaign(CliContext &context, const QString &command, store::Workspace &workspace,
                const campaigns::CampaignRequest *request, qint64 resumeId, bool retryFailed, const QString &traceDirectory)
{
    // Devices on the network: the campaign is the eIM's to run; it is made or reset here, and followed.
    bool network = request && request->settings.network;
    if (!request) {
        auto record = store::CampaignRepository(workspace.database()).find(resumeId);
        if (record && record.value())
            network = campaigns::CampaignSettings::fromJson(QJsonDocument::fromJson(record.value()->settings.toUtf8()).object()).network;
    }
    // A campaign someone runs already: say who, before reaching for its devices.
    if (!request) {
        if (const auto holder = campaigns::RunLock::heldBy(workspace.info().path, resumeId))
            return report(context, command,
                          QStringLiteral("campaign %1 is already running: %2 runs it; pause it there, or wait").arg(resumeId).arg(*holder),
                          RequestFailed);
    }
    std::unique_ptr<devices::DeviceLinkProvider> links = std::make_unique<devices::NoDeviceLinks>();
    if (!network) {
        auto field = simulation::SimulatedField::openForWorkspace(workspace.info().path);
        if (!field)
            return report(context, command, field.errorMessage(), RequestFailed);
        links = std::move(field).value();
    }
    campaigns::CampaignService service(workspace, *links);
    qint64 id = resumeId;
    if (request) {
        auto created = service.create(*context.session, *request);
        if (!created)
            return report(context, command, created.errorMessage(), RequestFailed);
        id = created.value();
    } else if (retryFailed) {
        auto reset = service.retryFailed(*context.session, id);
        if (!reset)
            return report(context, command, reset.errorMessage(), RequestFailed);
    }
    if (network && !request) {
        if (auto handed = service.resumeOnNetwork(*context.session, id); !handed)
            return report(context, command, handed.errorMessage(), RequestFailed);
    }
    if (network)
        return followCampaign(context, command, workspace, id);
    if (!request && !traceDirectory.isEmpty()) {
        if (auto traced = service.traceTo(*context.session, id, traceDirectory); !traced)
            return report(context, command, traced.errorMessage(), RequestFailed);
    }

    // Progress on stderr: one redrawn bar on a terminal, a plain line every few seconds otherwise.
    const bool terminal = isatty(STDERR_FILENO) == 1;
    QElapsedTimer sinceLine;
    sinceLine.start();
    service.setProgressInterval(terminal ? 200 : 2000);
    service.setProgressCallback([&](const campaigns::CampaignProgress &p) {
        const double share = p.total > 0 ? double(p.done) / double(p.total) : 1.0;
        if (terminal) {
            const int width = 30;
            const int filled = int(share * width);
            context.err << "\r[" << QString(filled, u'#') << QString(width - filled, u'.') << "] "
                        << QStringLiteral("%1% %2/%3 devices, %4/s   ")
                               .arg(int(share * 100))
                               .arg(p.done)
                               .arg(p.total)
                               .arg(p.devicesPerSecond, 0, 'f', 1);
            context.err.flush();
        } else {
            context.err << QStringLiteral("campaign %1: %2 of %3 devices done (%4 per second)")
                               .arg(p.campaignId)
                               .arg(p.done)
                               .arg(p.total)
                               .arg(p.devicesPerSecond, 0, 'f', 1)
                        << Qt::endl;
        }
    });

    campaigns::CampaignControl control;
    interruptTarget.store(&control);
    auto previous = std::signal(SIGINT, pauseOnInterrupt);
    auto summary = service.run(*context.session, id, &control);
    std::signal(SIGINT, previous);
    interruptTarget.store(nullptr);
    if (terminal)
        context.err << Qt::endl;
    if (!summary)
        return report(context, command, summary.errorMessage(), RequestFailed);
    if (summary->state == campaigns::CampaignState::Paused || summary->state == campaigns::CampaignState::Interrupted)
        context.err << "simfleet-cli " << command << ": campaign " << id << " is " << campaigns::campaignStateName(summary->state)
                    << (summary->note.isEmpty() ? QString() : QStringLiteral(": ") + summary->note)
                    << "; resume it with: simfleet-cli -w " << workspace.info().path << " change --resume " << id << Qt::endl;
    const QString traced = request ? request->settings.traceDirectory : traceDirectory;
    if (!traced.isEmpty())
        context.err << "simfleet-cli " << command << ": the protocol trace is in " << QDir::toNativeSeparators(traced)
                    << " (an index.json per device names each message's ASN.1 type)" << Qt::endl;
    printJson(context, summary->toJson());
    return Success;
}

} // namespace simfleet::cli
