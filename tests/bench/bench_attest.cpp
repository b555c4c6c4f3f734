// Attestation throughput: verdicts per second for a fleet of simulated devices (100 000, or
// 2 000 with --quick), end to end (nonces issued and stored, evidence signed by each device,
// chains and signatures verified, verdicts and evidence stored), next to the bare ECDSA P-256
// verify rate of this machine measured in the same run. A verdict needs three verifications (the
// device certificate, the manufacturer certificate, the evidence), so bare/3 is the ceiling one
// core allows. Usage: bench_attest [--quick]

#include "benchsupport.h"
#include "testsession.h"

#include "attestation/attestationservice.h"
#include "crypto/ecdsa.h"
#include "crypto/eckey.h"
#include "simulation/simulatedfield.h"
#include "simulation/demoworkspace.h"
#include "store/devicerepository.h"
#include "store/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <future>

using namespace simfleet;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("simfleet.*.info=false"));
    const bool quick = QCoreApplication::arguments().contains(QStringLiteral("--quick"));
    const int devicesWanted = quick ? 2000 : 100000;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bench.simfleet"));

    QElapsedTimer t;
    t.start();
    auto ws = simulation::DemoWorkspace::create(path, nullptr, { devicesWanted, 0, 0, false });
    if (!ws) {
        std::fprintf(stderr, "%s\n", qPrintable(ws.errorMessage()));
        return 1;
    }
    auto field = simulation::SimulatedField::open(simulation::SimulatedField::pathForWorkspace(path));
    if (!field) {
        std::fprintf(stderr, "%s\n", qPrintable(field.errorMessage()));
        return 1;
    }
    const double setupSeconds = double(t.nsecsElapsed()) / 1e9;
    const auto devices = store::DeviceRepository(ws.value()->database()).idsInFleet(1).value();

    // First contact: each device derives its key and has its certificate issued (once in its life).
    t.restart();
    {
        std::vector<std::unique_ptr<devices::DeviceLink>> links;
        std::vector<devices::Answer<devices::DeviceInfo>> answers;
        for (const auto &[id, eid] : devices) {
            links.push_back(field.value()->linkTo(eid));
            answers.push_back(links.back()->info());
        }
        for (auto &a : answers) {
            if (auto info = a.wait(std::chrono::minutes(1), {}); !info) {
                std::fprintf(stderr, "first contact failed: %s\n", qPrintable(info.errorMessage()));
                return 1;
            }
        }
    }
    const double firstContactSeconds = double(t.nsecsElapsed()) / 1e9;

    const double bare = bench::measureP256(1500).verify;
    attestation::AttestationService service(*ws.value(), *field.value());
    t.restart();
    const auto outcomes = service.attest(testing::ownerOf(*ws.value()), devices);
    const double seconds = double(t.nsecsElapsed()) / 1e9;
    if (!outcomes) {
        std::fprintf(stderr, "%s\n", qPrintable(outcomes.errorMessage()));
        return 1;
    }
    qsizetype affirming = 0;
    for (const auto &o : outcomes.value())
        affirming += o.verdict.tier == attestation::TrustTier::Affirming ? 1 : 0;
    const double rate = double(devices.size()) / seconds;
    const double ceiling = bare / 3.0;
    std::printf("simfleet attestation, %lld devices, %d cores (workspace and field set up in %.1f s; first contact, "
                "certificates issued, %.1f s)\n",
                static_cast<long long>(devices.size()), QThread::idealThreadCount(), setupSeconds, firstContactSeconds);
    std::printf("verdicts: %lld affirming of %lld in %.2f s = %.0f verdicts/s (nonces, device signatures, verification "
                "and storage included)\n",
                static_cast<long long>(affirming), static_cast<long long>(devices.size()), seconds, rate);
    std::printf("bare ECDSA P-256 verify, one core: %.0f/s; 3 verifications per verdict allow %.0f verdicts/s per core; "
                "achieved %.0f%% of one core's ceiling\n",
                bare, ceiling, 100.0 * rate / ceiling);
    std::printf("peak RSS %ld MiB\n", bench::peakMemoryMiB());
    return affirming == devices.size() ? 0 : 1;
}
