#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSslCertificate>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>

namespace simfleet::net {
class RspHttpsClient;
}

namespace simfleet::simulation {

class SimulatedDevice;

// One ESipa exchange: an EsipaMessageFromIpaToEim (DER) to the eIM, its answer back (empty for
// HTTP 204), or an error when the eIM was not reached or refused the message.
using EsipaTransport = std::function<Result<QByteArray>(const QByteArray &message)>;

// ESipa over HTTPS (SGP.32 section 6.1, the ASN.1 binding): POST /gsma/rsp2/asn1, the eIM's
// certificate chaining to the roots given and to nothing else.
class EsipaHttpsTransport
{
public:
    EsipaHttpsTransport(QUrl eim, QList<QSslCertificate> roots, QString peerName = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~EsipaHttpsTransport();
    Result<QByteArray> operator()(const QByteArray &message);

private:
    std::shared_ptr<net::RspHttpsClient> m_client;
};

// A simulated device's IoT Profile Assistant (SGP.32 section 3.2, the IPAd): at each check-in it
// asks its eIM for packages (getEimPackage) until none is left, runs each on the device's eUICC
// (ES10b.LoadEuiccPackage for an eUICC package, the eUICC's certificates for IpaEuiccDataRequest,
// simfleet's own package for attestation and the attach report), provides the result, and
// delivers the notifications the eUICC kept (handleNotification), removing those delivered. The
// eUICC is the same code as in-process; only who drives it differs.
class Ipa
{
public:
    Ipa(SimulatedDevice &device, EsipaTransport transport);

    struct CheckIn
    {
        int packages = 0;      // run and provided
        int notifications = 0; // delivered
    };
    // One check-in; fails when the eIM was not reached. What ran stays done (the eUICC committed
    // it); a result the eIM did not acknowledge is kept and provided again when the eIM hands
    // the same package out again, instead of running it twice (the eUICC would refuse it).
    Result<CheckIn> checkIn();
    // Packages one check-in runs at most, so a misbehaving eIM cannot keep a device busy.
    static constexpr int maxPackagesPerCheckIn = 64;

private:
    Result<QByteArray> exchange(const QByteArray &message) const;
    // Runs one package: the ProvideEimPackageResult to answer it with (DER), and for an eUICC
    // package its transaction ID (whose result is kept until the eIM has it).
    struct Ran
    {
        QByteArray provide;
        QByteArray transactionId;
    };
    Ran run(const QByteArray &packageResponse);
    Result<int> deliverNotifications();

    SimulatedDevice &m_device;
    EsipaTransport m_transport;
    // eUICC package results not yet acknowledged, by the package's transaction ID (a real IPA
    // keeps them in the eUICC until the eIM acknowledges, SGP.32 section 2.11.1.4).
    QHash<QByteArray, QByteArray> m_unacknowledged;
};

} // namespace simfleet::simulation
