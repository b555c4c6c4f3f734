#pragma once

#include "net/rsphttpserver.h"
#include "net/tlsidentity.h"

#include "core/result.h"

#include <QHostAddress>

#include <chrono>
#include <memory>

namespace simfleet::eim {

class EsipaService;

// simfleet's eIM on the network: ESipa in SGP.32 section 6.1's ASN.1 binding over HTTPS, every
// EsipaMessageFromIpaToEim POSTed to /gsma/rsp2/asn1. TLS authenticates the eIM to the devices;
// the devices are authenticated by what their eUICCs sign. Lives on the thread that creates it,
// which must run an event loop.
class EsipaHttpServer
{
public:
    explicit EsipaHttpServer(std::shared_ptr<EsipaService> service);

    void setTlsIdentity(const net::TlsIdentity &identity) { m_http.setTlsIdentity(identity); }
    Result<quint16> listen(const QHostAddress &address, quint16 port) { return m_http.listen(address, port); }
    net::RspHttpServer::Traffic traffic() const { return m_http.traffic(); }

    // Check-ins held at once, and for how long (EsipaService::setHold): a device taken up by a
    // campaign waits this long for its next package, within an IPA's HTTP timeout (the field's is
    // 30 s). Longer than a step takes on a loaded eIM: a device whose hold ends between two steps
    // drops out of session until its next check-in (with 5 s, a campaign over 1 000 of 100 000
    // devices polling at once lost its devices 1 800 times).
    static constexpr int heldCheckIns = 64;
    static constexpr std::chrono::milliseconds holdFor { 20000 };

private:
    std::shared_ptr<EsipaService> m_service;
    net::RspHttpServer m_http;
};

} // namespace simfleet::eim
