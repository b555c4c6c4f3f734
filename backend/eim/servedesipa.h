#pragma once

#include "core/result.h"

#include <QString>

#include <memory>

namespace simfleet::store {
class Workspace;
}
namespace simfleet::access {
class Session;
}

namespace simfleet::eim {

class EsipaService;

struct EsipaEndpoint
{
    QString eimId;
    QString listening; // HOST:PORT
    QString url;       // https://HOST:PORT, what an IPA is given (simfleet-field --eim)
};

// simfleet's eIM on the network for a process that serves it (`simfleet-cli serve`): the
// workspace's eIM (made, and audited as the user, when the workspace has none yet), relays to
// the operators' profile servers that run elsewhere, and ESipa over TLS on a thread of its own,
// so the thread that opened the workspace is free to run campaigns. Needs the Operations or
// Administrator role (campaigns are run from here) and an unlocked workspace.
class ServedEsipa
{
public:
    ~ServedEsipa();
    static Result<std::unique_ptr<ServedEsipa>> start(store::Workspace &workspace, const access::Session &by, const QString &listen,
                                                      const QString &tlsCertificateFile, const QString &tlsKeyFile);
    const EsipaEndpoint &endpoint() const;
    const std::shared_ptr<EsipaService> &service() const;

private:
    ServedEsipa();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace simfleet::eim
