// Subscription change throughput (DESIGN.md "Performance budgets"): a fleet of simulated devices
// (100 000, or 2 000 with --quick) is provisioned, then every device is moved to another
// operator, end to end: each device attested right before its download (the target operator's
// policy is set to demand a fresh verdict), mutual authentication, one-time ECDH keys on both
// sides, the bound package in encrypted MACed segments, enable, attach with AKA, delete of the
// old profile, every step persisted. Printed next to the bound this machine's own P-256 rates
// allow for the operations one change needs on both sides, measured in the same run (SGP.22's
// download: AuthenticateServer, then PrepareDownload, then the bound package; then ES10c with
// the notifications of section 3.5):
//   device:  6 signatures (evidence, euiccSigned1, euiccSigned2, the installation result, the
//            enable's and the delete's notifications), 4 verifications (the server's
//            certificate, serverSignature1, smdpSignature2, InitialiseSecureChannel; the demo's
//            server binds with the certificate that authenticated it), 1 key generation and
//            1 ECDH (the one-time key)
//   backend: 3 signatures (serverSigned1, smdpSigned2, InitialiseSecureChannel), 10
//            verifications (the device chain and evidence when attesting, the device chain and
//            euiccSignature1 in AuthenticateClient, euiccSignature2, the installation result,
//            the two notifications against the certificate AuthenticateClient checked),
//            1 key generation and 1 ECDH
// With --postgres the same change runs twice in one run: on a workspace file (the reference)
// and on a database of a throw-away PostgreSQL cluster the program starts, and the two are
// compared.
// Usage: bench_change [--quick | --devices N] [--postgres]

#include "benchsupport.h"
#include "testsession.h"

#include "campaigns/campaignservice.h"
#include "simulation/simulatedfield.h"
#include "simulation/demoworkspace.h"
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

#include <cstdio>
#include <future>

using namespace simfleet;

namespace {

int stop(const QString &message)
{
    std::fprintf(stderr, "bench_change: %s\n", qPrintable(message));
    return 1;
}

double failed(const QString &message)
{
    stop(message);
    return 0;
}

} // namespace

// One provisioning and one change of devicesWanted devices in the workspace at path; prints
// them under `store` and returns the change's devices per second (0: it failed).
double measure(const QString &path, int devicesWanted, const char *storeName)
{

    QElapsedTimer t;
    t.start();
    auto ws = simulation::DemoWorkspace::create(path, nullptr, { devicesWanted, 0, 0, false });
    if (!ws)
        return failed(ws.errorMessage());
    auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path));
    if (!field)
        return failed(field.errorMessage());
    store::Workspace &workspace = *ws.value();
    const auto devices = store::DeviceRepository(workspace.database()).idsInFleet(1).value();
    QList<qint64> ids;
    for (const auto &d : devices)
        ids.append(d.first);
    const double setupSeconds = double(t.nsecsElapsed()) / 1e9;

    campaigns::CampaignService service(workspace, *field.value());
    campaigns::CampaignSettings settings;
    settings.batchSize = 512;
    settings.concurrency = 48;

    // Provisioning (first contact included: each device's certificate is issued then).
    const auto operators = store::OperatorRepository(workspace.database()).list().value();
    const qint64 home = operators.at(0).id;
    const qint64 target = operators.at(1).id;
    t.restart();
    auto provision = service.create(testing::ownerOf(workspace), { campaigns::CampaignKind::InitialProvisioning, QStringLiteral("bench provisioning"), home,
                                      std::nullopt, ids, settings });
    if (!provision)
        return failed(provision.errorMessage());
    auto provisioned = service.run(testing::ownerOf(workspace), provision.value());
    if (!provisioned)
        return failed(provisioned.errorMessage());
    const double provisionSeconds = double(t.nsecsElapsed()) / 1e9;

    // The target operator demands a verdict taken right before its download.
    if (auto ok = workspace.writer().run([target](QSqlDatabase &db) -> Result<void> {
            QSqlQuery q(db);
            return q.exec(QStringLiteral("UPDATE operator SET attestation_max_age_s = 0 WHERE id = %1").arg(target))
                ? Result<void>()
                : simfleet::fail(QStringLiteral("setting the policy failed"));
        });
        !ok)
        return failed(ok.errorMessage());

    const double cpuBefore = bench::processCpuSeconds();
    const quint64 jobsBefore = workspace.writer().committedJobs();
    const quint64 transactionsBefore = workspace.writer().committedTransactions();
    t.restart();
    auto change = service.create(testing::ownerOf(workspace), { campaigns::CampaignKind::SubscriptionChange, QStringLiteral("bench change"), target,
                                   std::nullopt, ids, settings });
    if (!change)
        return failed(change.errorMessage());
    auto changed = service.run(testing::ownerOf(workspace), change.value());
    if (!changed)
        return failed(changed.errorMessage());
    const double changeSeconds = double(t.nsecsElapsed()) / 1e9;
    const double changeCpu = bench::processCpuSeconds() - cpuBefore;

    const bench::P256Rates rates = bench::measureP256(1000);
    const int cores = QThread::idealThreadCount();
    const double cpuSecondsPerChange = bench::changeCrypto.seconds(rates);
    const double bound = double(cores) / cpuSecondsPerChange;
    const double rate = double(changed->succeeded) / changeSeconds;

    std::printf("simfleet subscription change on %s, %lld devices, %d cores, allocator %s (workspace and field set up in %.1f s)\n",
                storeName, static_cast<long long>(ids.size()), cores, bench::allocatorName(), setupSeconds);
    std::printf("provisioning: %lld succeeded in %.2f s = %.0f devices/s (first contact and certificates included)\n",
                static_cast<long long>(provisioned->succeeded), provisionSeconds, double(provisioned->succeeded) / provisionSeconds);
    std::printf("change: %lld succeeded, %lld failed in %.2f s = %.0f devices/s (attest, download, enable, attach, delete; "
                "every step persisted)\n",
                static_cast<long long>(changed->succeeded), static_cast<long long>(changed->failed), changeSeconds, rate);
    std::printf("CPU used by the change, both sides and the store: %.3f ms per device (%.2f cores busy on average)\n",
                changeCpu * 1000.0 / double(ids.size()), changeCpu / changeSeconds);
    std::printf("workspace writes: %.1f jobs per device in %.1f jobs per transaction\n",
                double(workspace.writer().committedJobs() - jobsBefore) / double(ids.size()),
                double(workspace.writer().committedJobs() - jobsBefore)
                    / double(std::max<quint64>(1, workspace.writer().committedTransactions() - transactionsBefore)));
    std::printf("this machine, one core: sign %.0f/s, verify %.0f/s, key generation %.0f/s, ECDH %.0f/s\n", rates.sign,
                rates.verify, rates.keygen, rates.ecdh);
    std::printf("one change needs %d signatures, %d verifications, %d key generations, %d ECDH = %.3f ms of one core; "
                "bound on %d cores %.0f devices/s; achieved %.0f%% of the bound\n",
                bench::changeCrypto.signs, bench::changeCrypto.verifies, bench::changeCrypto.keygens, bench::changeCrypto.ecdh, cpuSecondsPerChange * 1000.0, cores, bound,
                100.0 * rate / bound);
    std::printf("peak RSS %ld MiB\n", bench::peakMemoryMiB());
    return changed->succeeded == ids.size() && provisioned->succeeded == ids.size() ? rate : 0;
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false"));
    const QStringList args = QCoreApplication::arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    const int devicesWanted = bench::devicesOption(args, quick ? 2000 : 100000);
    QTemporaryDir dir;
    const double onFile = measure(dir.filePath(QStringLiteral("bench.simfleet")), devicesWanted, "a workspace file (SQLite)");
    if (onFile <= 0)
        return 1;
    if (!args.contains(QStringLiteral("--postgres")))
        return 0;
    auto server = bench::PostgresCluster::start(dir);
    if (!server)
        return stop(QStringLiteral("the PostgreSQL cluster did not start"));
    std::printf("\n");
    const double onServer = measure(server->newDatabase(), devicesWanted, "PostgreSQL (a throw-away cluster on loopback, fsync off)");
    if (onServer <= 0)
        return 1;
    std::printf("\nchange on PostgreSQL %.0f devices/s, on SQLite %.0f devices/s: PostgreSQL/SQLite %.2f\n", onServer, onFile,
                onServer / onFile);
    return 0;
}
