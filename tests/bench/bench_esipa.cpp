// Subscription change over the network (SGP.32): the same fleet provisioned and then moved to
// another operator twice in one run, once with the simulated field in process (the reference),
// once as devices on the network: simfleet's eIM serving ESipa over loopback TLS, the field's
// IPAs polling it from their own threads, every campaign step an eIM package (eUICC packages
// signed by the eIM under a counter and answered with the eUICC's signed results, the download
// relayed through the eIM to the profile server in process, attestation and the attach report in
// simfleet's own package). Printed with the bound this machine's P-256 rates allow for the
// cryptography one change needs on both sides, measured in the same run: bench_change's count,
// plus, on the network path, the enable's and the delete's eUICC packages (each signed by the
// eIM, verified by the eUICC, its result signed by the eUICC and verified by the eIM).
// With --faults instead: the demo's 2 000 meters as shipped (some offline, some slow, some
// tampered or out of coverage), provisioned in process (every silent device costs its timeouts,
// batch after batch) and on the network (each device taken up as it checks in), timed to the
// moment every device that can be provisioned is done.
// With --scale: N devices (default 100 000) of one field checking in with one eIM over loopback
// TLS, every device twice (the first time the eIM asks for its eUICC's certificates and checks
// their chain), with the resident memory after each round: what a fleet that only polls costs;
// then a campaign over 1 % of them while every device keeps polling.
// Usage: bench_esipa [--quick | --devices N] [--poll-ms MS] | --faults [--devices N] | --scale [--devices N]

#include "benchsupport.h"
#include "testsession.h"

#include "campaigns/campaignservice.h"
#include "core/clock.h"
#include "eim/esipadevicelink.h"
#include "eim/esipahttpserver.h"
#include "eim/esipaservice.h"
#include "net/servicethread.h"
#include "net/tlsidentity.h"
#include "simulation/demoworkspace.h"
#include "simulation/fieldonnetwork.h"
#include "simulation/simulateddevice.h"
#include "simulation/simulatedfield.h"
#include "store/devicerepository.h"
#include "store/operatorrepository.h"
#include "store/storewriter.h"
#include "store/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace simfleet;

namespace {

// Over ESipa: two eUICC packages (enable, delete), each signed and verified, and their results.
constexpr bench::CryptoCount networkChangeCrypto { bench::changeCrypto.signs + 4, bench::changeCrypto.verifies + 4,
                                                   bench::changeCrypto.keygens, bench::changeCrypto.ecdh };

int stop(const QString &message)
{
    std::fprintf(stderr, "bench_esipa: %s\n", qPrintable(message));
    return 1;
}

struct Run
{
    double provisionSeconds = 0;
    double changeSeconds = 0;
    double changeCpu = 0;
    qint64 succeeded = 0;
    qint64 failed = 0;
};

// The demo's first fleet and its first two operators (home, and the one a change moves to).
struct DemoFleet
{
    QList<qint64> ids;
    qint64 home = 0;
    qint64 target = 0;
};

Result<DemoFleet> demoFleet(store::Workspace &workspace)
{
    const auto devices = store::DeviceRepository(workspace.database()).idsInFleet(1);
    if (!devices)
        return devices.error();
    DemoFleet fleet;
    for (const auto &d : devices.value())
        fleet.ids.append(d.first);
    const auto operators = store::OperatorRepository(workspace.database()).list();
    if (!operators)
        return operators.error();
    fleet.home = operators->at(0).id;
    fleet.target = operators->at(1).id;
    return fleet;
}

// The demo fleet provisioned, then moved, with the target operator demanding a fresh verdict.
Result<Run> provisionAndChange(store::Workspace &workspace, devices::DeviceLinkProvider &links, bool network)
{
    const auto fleet = demoFleet(workspace);
    if (!fleet)
        return fleet.error();
    const QList<qint64> &ids = fleet->ids;
    const qint64 home = fleet->home;
    const qint64 target = fleet->target;
    campaigns::CampaignService service(workspace, links);
    campaigns::CampaignSettings settings;
    settings.batchSize = 512;
    settings.concurrency = 48;
    settings.network = network;
    settings.answerTimeoutMs = 120000;
    Run run;
    QElapsedTimer t;
    t.start();
    auto provision = service.create(testing::ownerOf(workspace),
                                    { campaigns::CampaignKind::InitialProvisioning, QStringLiteral("provisioning"), home, std::nullopt, ids, settings });
    if (!provision)
        return provision.error();
    auto provisioned = service.run(testing::ownerOf(workspace), provision.value());
    if (!provisioned)
        return provisioned.error();
    run.provisionSeconds = double(t.nsecsElapsed()) / 1e9;
    if (auto ok = workspace.writer().run([target](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            return q.exec(QStringLiteral("UPDATE operator SET attestation_max_age_s = 0 WHERE id = %1").arg(target))
                ? Result<void>()
                : simfleet::fail(QStringLiteral("setting the policy failed"));
        });
        !ok)
        return ok.error();
    const double cpuBefore = bench::processCpuSeconds();
    t.restart();
    auto change = service.create(testing::ownerOf(workspace),
                                 { campaigns::CampaignKind::SubscriptionChange, QStringLiteral("change"), target, std::nullopt, ids, settings });
    if (!change)
        return change.error();
    auto changed = service.run(testing::ownerOf(workspace), change.value());
    if (!changed)
        return changed.error();
    run.changeSeconds = double(t.nsecsElapsed()) / 1e9;
    run.changeCpu = bench::processCpuSeconds() - cpuBefore;
    run.succeeded = changed->succeeded;
    run.failed = changed->failed + changed->rolledBack;
    return run;
}

// Provisions the fleet and returns the seconds until every device but the `silent` ones is done
// (the campaign paused then: on the network it would wait for the silent ones until its deadline).
Result<double> provisionAllButSilent(store::Workspace &workspace, devices::DeviceLinkProvider &links, bool network, qint64 silent,
                                     campaigns::CampaignSummary *out)
{
    const auto fleet = demoFleet(workspace);
    if (!fleet)
        return fleet.error();
    const QList<qint64> &ids = fleet->ids;
    campaigns::CampaignService service(workspace, links);
    campaigns::CampaignSettings settings; // the CLI's defaults: 10 s to answer, three attempts
    settings.network = network;
    campaigns::CampaignControl control;
    QElapsedTimer t;
    double reachedAt = 0;
    const qint64 reachable = ids.size() - silent;
    service.setProgressInterval(100);
    service.setProgressCallback([&](const campaigns::CampaignProgress &p) {
        if (reachedAt == 0 && p.done >= reachable) {
            reachedAt = double(t.nsecsElapsed()) / 1e9;
            if (network)
                control.pause();
        }
    });
    auto id = service.create(testing::ownerOf(workspace),
                             { campaigns::CampaignKind::InitialProvisioning, QStringLiteral("meters"), fleet->home, std::nullopt, ids, settings });
    if (!id)
        return id.error();
    t.start();
    auto summary = service.run(testing::ownerOf(workspace), id.value(), &control);
    if (!summary)
        return summary.error();
    *out = summary.value();
    return reachedAt > 0 ? reachedAt : double(t.nsecsElapsed()) / 1e9;
}

// The eIM serving a workspace over loopback TLS, and its field's devices polling it.
struct ServedField
{
    std::shared_ptr<eim::EsipaService> eim;
    net::ServiceThread thread;
    std::shared_ptr<eim::EsipaHttpServer> http;
    std::unique_ptr<simulation::SimulatedField> field;
    std::atomic<bool> stop = false;
    simulation::FieldNetworkCounts counts;
    std::thread devices;

    simulation::FieldNetworkOptions options;

    Result<void> start(store::Workspace &workspace, const QString &path, int pollMs, bool once = false)
    {
        auto service = eim::EsipaService::ofWorkspace(workspace);
        if (!service)
            return service.error();
        eim = std::move(service).value();
        const auto tlsFiles = simulation::DemoWorkspace::eimTlsFiles(path);
        auto tls = net::TlsIdentity::fromFiles(tlsFiles.certificate, tlsFiles.key, workspace.clock().now());
        if (!tls)
            return tls.error();
        quint16 port = 0;
        auto started = thread.start([&]() -> Result<std::shared_ptr<void>> {
            http = std::make_shared<eim::EsipaHttpServer>(eim);
            http->setTlsIdentity(tls.value());
            auto bound = http->listen(QHostAddress::LocalHost, 0);
            if (!bound)
                return bound.error();
            port = bound.value();
            return std::shared_ptr<void>(http);
        });
        if (!started)
            return started.error();
        auto opened = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path));
        if (!opened)
            return opened.error();
        field = std::move(opened).value();
        options.eim = QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port));
        options.eimRoots = QSslCertificate::fromPath(tlsFiles.root);
        options.eimName = QStringLiteral("localhost");
        options.poll = std::chrono::milliseconds(pollMs);
        options.once = once;
        devices = std::thread([this] { counts = simulation::FieldOnNetwork(*field, options).run(stop); });
        return {};
    }
    // Every device checks in once more (a field started with once, and finished).
    void runOnce() { counts = simulation::FieldOnNetwork(*field, options).run(stop); }
    // Every device checks in every `poll`, until stopped.
    void pollUntilStopped(std::chrono::milliseconds poll)
    {
        options.once = false;
        options.poll = poll;
        stop = false;
        devices = std::thread([this] { counts = simulation::FieldOnNetwork(*field, options).run(stop); });
    }
    simulation::FieldNetworkCounts stopPolling()
    {
        stop = true;
        devices.join();
        return counts;
    }
    ~ServedField()
    {
        stop = true;
        if (devices.joinable())
            devices.join();
    }
};

int faults(int meters)
{
    QTemporaryDir dir;
    const simulation::DemoFleetSizes sizes { meters, 0, 0, true };
    const QString localPath = dir.filePath(QStringLiteral("local.simfleet"));
    auto local = simulation::DemoWorkspace::create(localPath, nullptr, sizes);
    if (!local)
        return stop(local.errorMessage());
    auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(localPath));
    if (!field)
        return stop(field.errorMessage());
    qint64 offline = 0;
    for (const QString &eid : field.value()->eids())
        offline += field.value()->device(eid)->spec().fault == simulation::Fault::Offline ? 1 : 0;
    campaigns::CampaignSummary inProcess, onNetwork;
    auto localSeconds = provisionAllButSilent(*local.value(), *field.value(), false, offline, &inProcess);
    if (!localSeconds)
        return stop(localSeconds.errorMessage());
    field.value().reset();

    const QString path = dir.filePath(QStringLiteral("network.simfleet"));
    auto ws = simulation::DemoWorkspace::create(path, nullptr, sizes);
    if (!ws)
        return stop(ws.errorMessage());
    ServedField served;
    if (auto ok = served.start(*ws.value(), path, 250); !ok)
        return stop(ok.errorMessage());
    eim::EsipaDeviceLinks links(served.eim);
    auto networkSeconds = provisionAllButSilent(*ws.value(), links, true, offline, &onNetwork);
    if (!networkSeconds)
        return stop(networkSeconds.errorMessage());
    std::printf("the demo's %d meters as shipped (%lld offline, others slow, tampered or without coverage), provisioned with the "
                "CLI's defaults (10 s to answer, 3 attempts), %d cores\n",
                meters, offline, QThread::idealThreadCount());
    std::printf("in process (reference): every device that can be done is done after %.1f s (%lld succeeded, %lld failed)\n",
                localSeconds.value(), inProcess.succeeded, inProcess.failed);
    std::printf("on the network, devices polling every 250 ms: after %.1f s (%lld succeeded, %lld failed, %lld still waiting "
                "for their check-in); %.2f x the in-process time\n",
                networkSeconds.value(), onNetwork.succeeded, onNetwork.failed, onNetwork.waiting,
                networkSeconds.value() / localSeconds.value());
    const auto reasons = [](const campaigns::CampaignSummary &summary) {
        QStringList out;
        for (auto it = summary.byReason.cbegin(); it != summary.byReason.cend(); ++it)
            out << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
        return out.join(QStringLiteral(", "));
    };
    std::printf("failures in process: %s\nfailures on the network: %s\n", qPrintable(reasons(inProcess)), qPrintable(reasons(onNetwork)));
    std::printf("peak RSS %ld MiB\n", bench::peakMemoryMiB());
    return 0;
}

int scale(int devicesWanted)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("scale.simfleet"));
    QElapsedTimer t;
    t.start();
    auto ws = simulation::DemoWorkspace::create(path, nullptr, { devicesWanted, 0, 0, false });
    if (!ws)
        return stop(ws.errorMessage());
    const double created = double(t.nsecsElapsed()) / 1e9;
    const long before = bench::residentMemoryMiB();
    ServedField served;
    const bench::P256Rates rates = bench::measureP256(1000);
    std::printf("%d devices of one field checking in with one eIM over loopback TLS (%d connections), %d cores, allocator %s; "
                "reference, one core: verify %.0f/s (first contact needs 2 per device)\n",
                devicesWanted, served.options.threads, QThread::idealThreadCount(), bench::allocatorName(), rates.verify);
    std::printf("workspace and field made in %.1f s; resident %ld MiB before the eIM served\n", created, before);
    std::fflush(stdout);
    // Each device checks in once per round, as fast as the field's threads go.
    t.restart();
    if (auto ok = served.start(*ws.value(), path, 0, true); !ok)
        return stop(ok.errorMessage());
    served.devices.join();
    const simulation::FieldNetworkCounts first = served.counts;
    const double firstSeconds = double(t.nsecsElapsed()) / 1e9;
    std::printf("first contact (the eUICC's certificates asked for, their chain checked and stored): %lld check-ins in %.1f s = "
                "%.0f/s, %lld unreached; resident %ld MiB\n",
                first.checkIns, firstSeconds, double(first.checkIns) / firstSeconds, first.unreached, bench::residentMemoryMiB());
    std::fflush(stdout);
    t.restart();
    served.runOnce();
    const simulation::FieldNetworkCounts second = served.counts;
    const double secondSeconds = double(t.nsecsElapsed()) / 1e9;
    std::printf("polling with nothing waiting: %lld check-ins in %.1f s = %.0f/s, %lld unreached; resident %ld MiB\n", second.checkIns,
                secondSeconds, double(second.checkIns) / secondSeconds, second.unreached, bench::residentMemoryMiB());
    std::fflush(stdout);

    // A campaign over a share of the fleet while every device polls: the share is provisioned as
    // its devices come round, each held in session through its whole change.
    const auto fleet = demoFleet(*ws.value());
    if (!fleet)
        return stop(fleet.errorMessage());
    const QList<qint64> share = fleet->ids.mid(0, std::max<qsizetype>(1, fleet->ids.size() / 100));
    // Polling at a third of the rate the eIM answered idle polls: both sides share these 2 cores,
    // and a field polling flat out would leave the campaign's own threads next to no CPU (a real
    // fleet polls every few hours, from its own hardware).
    const auto poll = std::chrono::milliseconds(qint64(3000.0 * devicesWanted / std::max(1.0, double(second.checkIns) / secondSeconds)));
    served.pollUntilStopped(poll);
    campaigns::CampaignSettings settings;
    settings.network = true;
    settings.deadlineSeconds = 1800; // a bound for the benchmark; none is reached when all goes well
    eim::EsipaDeviceLinks links(served.eim);
    campaigns::CampaignService service(*ws.value(), links);
    // When half, nine in ten, and all of the share were done.
    double halfAt = 0, mostAt = 0;
    service.setProgressInterval(250);
    service.setProgressCallback([&](const campaigns::CampaignProgress &p) {
        const double now = double(t.nsecsElapsed()) / 1e9;
        if (halfAt == 0 && p.done * 2 >= share.size())
            halfAt = now;
        if (mostAt == 0 && p.done * 10 >= share.size() * 9)
            mostAt = now;
    });
    t.restart();
    auto id = service.create(testing::ownerOf(*ws.value()), { campaigns::CampaignKind::InitialProvisioning, QStringLiteral("share"),
                                                              fleet->home, std::nullopt, share, settings });
    if (!id)
        return stop(id.errorMessage());
    auto summary = service.run(testing::ownerOf(*ws.value()), id.value());
    if (!summary)
        return stop(summary.errorMessage());
    const double campaignSeconds = double(t.nsecsElapsed()) / 1e9;
    const simulation::FieldNetworkCounts third = served.stopPolling();
    qint64 withdrawn = 0;
    {
        QSqlQuery q(ws.value()->database());
        if (q.exec(QStringLiteral("SELECT count(*) FROM eim_package WHERE state = 'cancelled'")) && q.next())
            withdrawn = q.value(0).toLongLong();
    }
    std::printf("a campaign over %lld of them while all poll, each every %.0f s: %lld provisioned, %lld failed; half done after %.1f s, nine in ten after "
                "%.1f s, all after %.1f s; %lld packages withdrawn from devices that dropped out of session; %lld check-ins (%.0f/s), "
                "%lld unreached; resident %ld MiB\n",
                qint64(share.size()), double(poll.count()) / 1000, summary->succeeded, summary->failed, halfAt, mostAt, campaignSeconds, withdrawn, third.checkIns,
                double(third.checkIns) / campaignSeconds, third.unreached, bench::residentMemoryMiB());
    const auto c = served.eim->counters();
    std::printf("the eIM: %llu polls, %llu held for a campaign, %llu packages handed out, %llu results, %llu refused\n",
                static_cast<unsigned long long>(c.polls), static_cast<unsigned long long>(c.held),
                static_cast<unsigned long long>(c.handedOut), static_cast<unsigned long long>(c.results),
                static_cast<unsigned long long>(c.refused));
    std::printf("peak RSS %ld MiB\n", bench::peakMemoryMiB());
    return first.unreached == 0 && second.unreached == 0 && summary->succeeded == share.size() ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false"));
    const QStringList args = QCoreApplication::arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    const int devicesWanted = bench::devicesOption(args, quick ? 200 : 2000);
    if (args.contains(QStringLiteral("--scale")))
        return scale(bench::devicesOption(args, 100000));
    if (args.contains(QStringLiteral("--faults")))
        return faults(bench::devicesOption(args, 2000));
    // How often each device checks in: often enough that a campaign is not waiting for its
    // devices, rarely enough that idle check-ins do not crowd out the work.
    const qsizetype pollAt = args.indexOf(QStringLiteral("--poll-ms"));
    const int pollMs = pollAt > 0 && pollAt + 1 < args.size() ? args.at(pollAt + 1).toInt() : 250;
    QTemporaryDir dir;

    // The reference: the field in process.
    const QString localPath = dir.filePath(QStringLiteral("local.simfleet"));
    auto local = simulation::DemoWorkspace::create(localPath, nullptr, { devicesWanted, 0, 0, false });
    if (!local)
        return stop(local.errorMessage());
    Result<Run> inProcess = fail(QString());
    {
        auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(localPath));
        if (!field)
            return stop(field.errorMessage());
        inProcess = provisionAndChange(*local.value(), *field.value(), false);
        if (!inProcess)
            return stop(inProcess.errorMessage());
    }

    // The same fleet on the network.
    const QString path = dir.filePath(QStringLiteral("network.simfleet"));
    auto ws = simulation::DemoWorkspace::create(path, nullptr, { devicesWanted, 0, 0, false });
    if (!ws)
        return stop(ws.errorMessage());
    store::Workspace &workspace = *ws.value();
    ServedField served;
    if (auto ok = served.start(workspace, path, pollMs); !ok)
        return stop(ok.errorMessage());
    eim::EsipaDeviceLinks links(served.eim);
    auto onNetwork = provisionAndChange(workspace, links, true);
    served.stop = true;
    served.devices.join();
    const simulation::FieldNetworkCounts counts = served.counts;
    if (!onNetwork)
        return stop(onNetwork.errorMessage());
    const double serverThreadCpu = served.thread.cpuSeconds();
    const auto traffic = served.http->traffic();

    const bench::P256Rates rates = bench::measureP256(1000);
    const int cores = QThread::idealThreadCount();
    const double cpuPerChange = bench::changeCrypto.seconds(rates);
    const double cpuPerNetworkChange = networkChangeCrypto.seconds(rates);
    const double localRate = double(inProcess->succeeded) / inProcess->changeSeconds;
    const double networkRate = double(onNetwork->succeeded) / onNetwork->changeSeconds;
    const double bound = double(cores) / cpuPerChange;
    const double networkBound = double(cores) / cpuPerNetworkChange;
    std::printf("simfleet subscription change over ESipa, %d devices polling every %d ms, %d cores, allocator %s\n", devicesWanted, pollMs,
                cores, bench::allocatorName());
    std::printf("in process (reference): provisioning %.2f s, change %lld succeeded, %lld failed in %.2f s = %.0f devices/s, "
                "%.3f ms CPU per device; %.0f%% of its bound %.0f/s\n",
                inProcess->provisionSeconds, inProcess->succeeded, inProcess->failed, inProcess->changeSeconds, localRate,
                inProcess->changeCpu * 1000.0 / double(std::max<qint64>(1, inProcess->succeeded)), 100.0 * localRate / bound, bound);
    std::printf("on the network: provisioning %.2f s, change %lld succeeded, %lld failed in %.2f s = %.0f devices/s, "
                "%.3f ms CPU per device; %.0f%% of its bound %.0f/s; %.2f x the in-process rate\n",
                onNetwork->provisionSeconds, onNetwork->succeeded, onNetwork->failed, onNetwork->changeSeconds, networkRate,
                onNetwork->changeCpu * 1000.0 / double(std::max<qint64>(1, onNetwork->succeeded)), 100.0 * networkRate / networkBound,
                networkBound, networkRate / localRate);
    std::printf("the field: %lld check-ins, %lld packages run; the eIM: %llu TLS connections, %llu requests, "
                "its socket thread %.1f s CPU\n",
                counts.checkIns, counts.packages, static_cast<unsigned long long>(traffic.connections),
                static_cast<unsigned long long>(traffic.requests), serverThreadCpu);
    std::printf("this machine, one core: sign %.0f/s, verify %.0f/s, key generation %.0f/s, ECDH %.0f/s; one change needs %.3f ms "
                "in process, %.3f ms over ESipa\n",
                rates.sign, rates.verify, rates.keygen, rates.ecdh, cpuPerChange * 1000.0, cpuPerNetworkChange * 1000.0);
    std::printf("peak RSS %ld MiB\n", bench::peakMemoryMiB());
    return onNetwork->succeeded == devicesWanted && inProcess->succeeded == devicesWanted ? 0 : 1;
}
