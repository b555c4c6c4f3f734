#include "servecommand.h"

#include "access/session.h"
#include "campaigns/campaignservice.h"
#include "campaigns/custodywatch.h"
#include "eim/esipadevicelink.h"
#include "eim/esipaservice.h"
#include "eim/servedesipa.h"
#include "simulation/demoworkspace.h"
#include "store/campaignrepository.h"
#include "store/secretvault.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonObject>
#include <QSet>
#include <QThread>

#include <atomic>
#include <map>
#include <thread>
#include <csignal>

namespace simfleet::cli {

namespace {

std::atomic<int> stopSignal { 0 };

extern "C" void onStop(int signal)
{
    stopSignal.store(signal);
}

// One campaign run by the eIM, on a thread of its own with its own connection to the workspace:
// campaigns for devices on the network last until their devices have checked in, so they run side
// by side, not one after another.
struct ServedCampaign
{
    campaigns::CampaignControl control;
    std::atomic<bool> ended { false };
    Result<campaigns::CampaignSummary> summary = fail(QString());
    std::thread thread;
};

} // namespace

int ServeCommand::run(const QStringList &arguments, CliContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption esipaOption(QStringLiteral("esipa"),
                                         QStringLiteral("The local address and port ESipa is served on (port 0: any free one)."),
                                         QStringLiteral("ADDRESS:PORT"));
    const QCommandLineOption certOption(QStringLiteral("tls-cert"),
                                        QStringLiteral("The eIM's TLS certificate, PEM (with its chain after it) or DER "
                                                       "(default for a demo workspace: the one beside it)."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption keyOption(QStringLiteral("tls-key"), QStringLiteral("The TLS certificate's EC private key, PEM."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption pollOption(QStringLiteral("campaign-poll"),
                                        QStringLiteral("How often to look for new campaigns for devices on the network (default 1000 ms)."),
                                        QStringLiteral("MS"));
    parser.addOptions({ esipaOption, certOption, keyOption, pollOption });
    if (const auto done = parseCommandLine(parser, *this, arguments, context))
        return *done;
    if (!parser.isSet(esipaOption))
        return report(context, name(), QStringLiteral("say where to serve ESipa with --esipa ADDRESS:PORT"), BadUsage);
    bool pollOk = true;
    const int pollMs = parser.isSet(pollOption) ? parser.value(pollOption).toInt(&pollOk) : 1000;
    if (!pollOk || pollMs < 10 || pollMs > 600000)
        return report(context, name(), QStringLiteral("--campaign-poll is a number of milliseconds from 10 to 600000"), BadUsage);

    int exitCode = Success;
    const auto workspace = openWorkspace(context, name(), exitCode);
    if (!workspace)
        return exitCode;
    // A demo workspace has the eIM's TLS identity beside it.
    QString certificate = parser.value(certOption);
    QString key = parser.value(keyOption);
    if (certificate.isEmpty() && key.isEmpty()) {
        const auto demo = simulation::DemoWorkspace::eimTlsFiles(workspace->info().path);
        if (QFileInfo::exists(demo.certificate) && QFileInfo::exists(demo.key)) {
            certificate = demo.certificate;
            key = demo.key;
        }
    }
    auto served = eim::ServedEsipa::start(*workspace, *context.session, parser.value(esipaOption), certificate, key);
    if (!served)
        return report(context, name(), served.errorMessage(), RequestFailed);
    const eim::EsipaEndpoint &endpoint = served.value()->endpoint();
    printJson(context, QJsonObject { { QStringLiteral("eim"), endpoint.eimId },
                                     { QStringLiteral("listening"), endpoint.listening },
                                     { QStringLiteral("url"), endpoint.url } });

    stopSignal.store(0);
    std::signal(SIGINT, onStop);
    std::signal(SIGTERM, onStop);
    eim::EsipaDeviceLinks links(served.value()->service());
    const QString path = workspace->info().path;
    const store::SecretVault vault = workspace->vault();
    const access::Session &session = *context.session;
    // Stolen, lost, quarantined and recovered devices are acted on when they check in.
    campaigns::CustodyWatch custody(links, campaigns::CustodyWatch::opener(path, vault), session);
    qint64 custodyReadMs = -1;
    std::map<qint64, std::unique_ptr<ServedCampaign>> runs;
    QSet<qint64> refused; // campaigns it could not run, named once
    // A run that ended: its summary printed; one paused because the eIM stops (not by a user)
    // is left running, to go on when the eIM serves again.
    const auto reap = [&](bool stopping) {
        for (auto it = runs.begin(); it != runs.end();) {
            ServedCampaign &run = *it->second;
            if (!stopping && !run.ended.load()) {
                ++it;
                continue;
            }
            run.thread.join();
            const qint64 id = it->first;
            if (!run.summary) {
                if (!refused.contains(id))
                    context.err << "simfleet-cli serve: campaign " << id << ": " << run.summary.errorMessage() << Qt::endl;
                refused.insert(id);
            } else {
                refused.remove(id);
                if (run.summary->state == campaigns::CampaignState::Paused && stopping) {
                    auto resumable = workspace->writer().run([id](QSqlDatabase &db) {
                        return store::CampaignRepository(db).setState(id, QStringLiteral("running"));
                    });
                    if (!resumable)
                        context.err << "simfleet-cli serve: campaign " << id << " stays paused: " << resumable.errorMessage() << Qt::endl;
                }
                printJson(context, run.summary->toJson());
            }
            it = runs.erase(it);
        }
    };
    QElapsedTimer serving;
    serving.start();
    while (stopSignal.load() == 0) {
        reap(false);
        // Reports made meanwhile (on any desktop) are seen within a few seconds.
        if (custodyReadMs < 0 || serving.elapsed() - custodyReadMs >= std::max(pollMs, 5000)) {
            if (auto read = custody.refresh(*workspace); !read)
                context.err << "simfleet-cli serve: " << read.errorMessage() << Qt::endl;
            custodyReadMs = serving.elapsed();
        }
        auto waiting = store::CampaignRepository(workspace->database()).networkCampaignsToRun();
        if (!waiting)
            context.err << "simfleet-cli serve: " << waiting.errorMessage() << Qt::endl;
        for (const qint64 id : waiting ? waiting.value() : QList<qint64> {}) {
            if (runs.count(id) != 0)
                continue;
            auto run = std::make_unique<ServedCampaign>();
            ServedCampaign *r = run.get();
            r->thread = std::thread([r, id, &path, &vault, &session, &links] {
                auto opened = store::Workspace::open(path);
                if (!opened) {
                    r->summary = opened.error();
                } else {
                    opened.value()->unlockWith(vault);
                    campaigns::CampaignService service(*opened.value(), links);
                    r->summary = service.run(session, id, &r->control);
                }
                r->ended.store(true);
            });
            runs.emplace(id, std::move(run));
        }
        for (int slept = 0; slept < pollMs && stopSignal.load() == 0; slept += 10)
            QThread::msleep(10);
    }
    // Stopped: every run pauses (its devices in session finish the step they are in).
    for (auto &[id, run] : runs)
        run->control.pause();
    reap(true);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return Success;
}

} // namespace simfleet::cli
