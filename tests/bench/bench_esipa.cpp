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
// Usage: bench_esipa [--quick | --devices N] [--poll-ms MS]

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

// The demo fleet provisioned, then moved, with the target operator demanding a fresh verdict.
Result<Run> provisionAndChange(store::Workspace &workspace, devices::DeviceLinkProvider &links, bool network)
{
    const auto devices = store::DeviceRepository(workspace.database()).idsInFleet(1);
    if (!devices)
        return devices.error();
    QList<qint64> ids;
    for (const auto &d : devices.value())
        ids.append(d.first);
    const auto operators = store::OperatorRepository(workspace.database()).list();
    if (!operators)
        return operators.error();
    const qint64 home = operators->at(0).id;
    const qint64 target = operators->at(1).id;
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

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false"));
    const QStringList args = QCoreApplication::arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    const qsizetype sizeAt = args.indexOf(QStringLiteral("--devices"));
    const int devicesWanted = sizeAt > 0 && sizeAt + 1 < args.size() ? args.at(sizeAt + 1).toInt() : (quick ? 200 : 2000);
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
    auto service = eim::EsipaService::ofWorkspace(workspace);
    if (!service)
        return stop(service.errorMessage());
    std::shared_ptr<eim::EsipaService> eim = std::move(service).value();
    const auto tlsFiles = simulation::DemoWorkspace::eimTlsFiles(path);
    auto tls = net::TlsIdentity::fromFiles(tlsFiles.certificate, tlsFiles.key, workspace.clock().now());
    if (!tls)
        return stop(tls.errorMessage());
    net::ServiceThread thread;
    quint16 port = 0;
    std::shared_ptr<eim::EsipaHttpServer> http;
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
        return stop(started.errorMessage());
    auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path));
    if (!field)
        return stop(field.errorMessage());
    simulation::FieldNetworkOptions options;
    options.eim = QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port));
    options.eimRoots = QSslCertificate::fromPath(tlsFiles.root);
    options.eimName = QStringLiteral("localhost");
    options.poll = std::chrono::milliseconds(pollMs);
    options.threads = 8;
    std::atomic<bool> fieldStop = false;
    simulation::FieldNetworkCounts counts;
    std::thread devices([&] { counts = simulation::FieldOnNetwork(*field.value(), options).run(fieldStop); });
    eim::EsipaDeviceLinks links(eim);
    auto onNetwork = provisionAndChange(workspace, links, true);
    fieldStop = true;
    devices.join();
    if (!onNetwork)
        return stop(onNetwork.errorMessage());
    const double serverThreadCpu = thread.cpuSeconds();
    const auto traffic = http->traffic();

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
