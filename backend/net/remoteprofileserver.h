#pragma once

#include "core/result.h"

#include <QList>
#include <QSslCertificate>
#include <QString>

#include <chrono>
#include <memory>

namespace simfleet::devices {
class DeviceLink;
}
namespace simfleet::store {
class Workspace;
struct OperatorRecord;
}

namespace simfleet::net {

class Es9PlusFunctions;

// An operator's profile server that runs elsewhere (`operators set-profile-server NAME
// --address --root`), which a campaign downloads through as the device's relay (SGP.32's
// indirect download; SGP.22 section 3.1.3 on the wire). Copyable and thread-safe: each download
// opens its own HTTPS client on the worker's thread.
class RemoteProfileServer
{
public:
    // Needs the operator to have a remote profile server recorded. timeout: how long one ES9+
    // function may take before the server counts as down (profile-server-unreachable).
    static Result<RemoteProfileServer> ofOperator(const store::Workspace &workspace, const store::OperatorRecord &op,
                                                  std::chrono::milliseconds timeout);
    RemoteProfileServer(QString address, QList<QSslCertificate> roots, std::chrono::milliseconds timeout);

    const QString &address() const { return m_address; }

    // Downloads the profile the matching ID names into the device; returns the ICCID it
    // installed. What went wrong on the server's side carries ProfileServerUnreachable,
    // ProfileServerUntrusted or ProfileServerRefused, with the server's address in the message.
    Result<QString> download(devices::DeviceLink &link, const QString &smdpAddress, const QString &matchingId,
                             std::chrono::milliseconds deviceTimeout) const;
    // Its ES9+ for a relay whose calls arrive on any thread (the eIM's): each call opens its own
    // HTTPS client on the calling thread.
    std::shared_ptr<Es9PlusFunctions> functions() const;

private:
    QString m_address;
    QList<QSslCertificate> m_roots;
    std::chrono::milliseconds m_timeout;
};

} // namespace simfleet::net
