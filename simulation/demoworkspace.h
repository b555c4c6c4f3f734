#pragma once

#include "core/result.h"
#include "store/workspace.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace simfleet {
class Clock;
}

namespace simfleet::store {
class Workspace;
}

namespace simfleet::simulation {

struct DemoFleetSizes
{
    int meters = 2000;   // the utility's smart meters (TR 33.812 use case 3, metering)
    int carUnits = 800;  // the insurer's pay-as-you-drive units (use case 1)
    int trackers = 600;  // the logistics company's container and tool trackers (use case 2)
    bool faults = true;  // false: every device healthy (benchmarks)
};

// Summary of what a demo workspace holds, for the command line to print.
struct DemoContents
{
    int operators = 0;
    int customers = 0;
    int fleets = 0;
    int devices = 0;
    int certificates = 0;
    QString keyFile;
    QString fieldFile; // the simulated devices' own file
    QString eimRootFile; // the root the devices trust the eIM's TLS certificate by
    QStringList users; // "admin (Administrator)", ...; every one's password is demoPassword
};

// The password of every demo user (store::demoUserPassword).
inline constexpr const char *demoPassword = store::demoUserPassword;

// Builds the demo workspace the README and the GUI's first run open: a demo PKI (certificate
// issuer, three manufacturers, a profile server per operator), four operators in different
// countries numbering from test ranges, the three customers of the seed use cases and their
// fleets of simulated devices. The same seed gives the same fleet every time. The passphrase
// is random and kept in a key file beside the workspace, readable by the owner only.
class DemoWorkspace
{
public:
    static Result<std::unique_ptr<store::Workspace>> create(const QString &path, const Clock *clock = nullptr,
                                                            DemoFleetSizes sizes = {}, DemoContents *contents = nullptr);
    static Result<std::unique_ptr<store::Workspace>> openOrCreate(const QString &path, const Clock *clock = nullptr);
    // The desktop's demo (simfleet --demo): created with its stories told on first use.
    static Result<std::unique_ptr<store::Workspace>> openOrCreateWithStories(const QString &path);
    // The demo as the README shows it: created two months ago (DemoStories::beginning), with the
    // seed's three stories told up to now (DemoStories), opened on the system clock. told: what
    // the stories did, one line each. Nothing is left behind on failure.
    static Result<std::unique_ptr<store::Workspace>> createWithStories(const QString &path, DemoContents *contents = nullptr,
                                                                       QStringList *told = nullptr, DemoFleetSizes sizes = {});

    // The TLS identity the demo's eIM serves ESipa with (`simfleet-cli serve`), for "localhost",
    // and the root its devices trust (`simfleet-field --eim-root`), beside the workspace: a demo
    // runs on one machine. The key is readable by its owner only.
    struct EimTlsFiles
    {
        QString certificate; // PATH.eim-tls.pem: the certificate, then its root
        QString key;         // PATH.eim-tls.key
        QString root;        // PATH.eim-root.pem
    };
    static EimTlsFiles eimTlsFiles(const QString &workspacePath);

    // The demo's manufacturers, whose keys the simulated field beside the workspace holds, issue
    // fresh revocation lists for those stored that are past or within a week of their
    // nextUpdate, as a real manufacturer's distribution point would: a demo opened next month
    // still attests, instead of every verdict being revocation-unknown. Returns how many lists
    // were added; nothing for a workspace that is not a demo.
    static Result<int> renewRevocationLists(store::Workspace &workspace, class SimulatedField *openField = nullptr);
};

} // namespace simfleet::simulation
