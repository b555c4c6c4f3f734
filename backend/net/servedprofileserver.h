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

namespace simfleet::net {

// How an operator's profile server is served (`profile-server`, or the desktop's Operators
// page for demos): ES9+ for devices and their relays, and optionally ES2+ for the operator.
struct ProfileServerOptions
{
    QString operatorName;
    QString listen;            // ADDRESS:PORT (port 0: any free one)
    QString address;           // the SM-DP+ address clients name; empty: the one listened on
    QString tlsCertificateFile; // PEM (chain after it) or DER
    QString tlsKeyFile;
    QString es2Listen;         // empty: no ES2+
    QString es2ClientCaFile;   // the CA the operator's TLS certificates chain to
    QString es2NotifyUrl;      // https://HOST:PORT for handleDownloadProgressInfo; empty: none
};

// Where a served profile server can be reached, once it listens.
struct ProfileServerEndpoints
{
    QString operatorName;
    QString listening; // ADDRESS:PORT as bound
    QString address;   // the SM-DP+ address
    QString url;       // ES9+
    QString es2Listening;
    QString es2Url;
    QString es2Notify;
};

// An operator's profile server served over HTTPS (SGP.22 section 6): ES9+ on one listener,
// ES2+ with mutual TLS on another, sharing one order book. prepare() reads the workspace and the
// files; listen() opens the sockets on the calling thread, which must run an event loop and is
// where the object must also be destroyed.
class ServedProfileServer
{
public:
    // What is wrong with the options themselves, before anything is read: for a usage error.
    static Result<void> checkOptions(const ProfileServerOptions &options);
    // Who may manage operators may serve them (the server signs with the operator's keys).
    static Result<std::shared_ptr<ServedProfileServer>> prepare(store::Workspace &workspace, const access::Session &by,
                                                                const ProfileServerOptions &options);
    ~ServedProfileServer();
    ServedProfileServer(const ServedProfileServer &) = delete;
    ServedProfileServer &operator=(const ServedProfileServer &) = delete;

    Result<ProfileServerEndpoints> listen();

private:
    ServedProfileServer();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace simfleet::net
