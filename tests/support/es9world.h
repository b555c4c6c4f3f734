#pragma once

// What the ES9+ tests share: one simulated Acme meter, the profile server Nordtel under the
// same CI, the ES9+ service over it, and readers for the service's JSON answers.

#include "core/clock.h"
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "identity/eid.h"
#include "profiles/es9plusservice.h"
#include "profiles/profileserver.h"
#include "protocol/es9plus.h"
#include "protocol/preparedownload.h"
#include "simulation/simulatedfield.h"

#include "acmemeter.h"
#include "sampleorder.h"

#include <QTemporaryDir>

namespace simfleet::testing::es9 {

using namespace simfleet::protocol::es9plus;

inline const QString iccid = QStringLiteral("8999901000000000017");
inline constexpr std::chrono::seconds patience(10);

inline profiles::DownloadOrder orderFor(const QString &eid)
{
    return testing::sampleOrder(eid);
}

// One simulated Acme meter and the profile server Nordtel under the same CI, behind ES9+.
struct World
{
    QTemporaryDir dir;
    crypto::CertifiedKey ci;
    crypto::CertifiedKey eum;
    QString eid;       // the first device's
    QStringList eids;  // every device's
    std::unique_ptr<simulation::SimulatedField> field;
    std::shared_ptr<profiles::ProfileServer> server;
    ManualClock clock { QDateTime::currentDateTimeUtc() };
    std::shared_ptr<profiles::Es9PlusService> service;
};

inline std::unique_ptr<World> world(const QString &address = QStringLiteral("smdp.nordtel.example"), int devices = 1)
{
    auto w = std::make_unique<World>();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
    w->ci = crypto::demopki::createCertificateIssuer(QStringLiteral("ES9 CI"), validity).value();
    w->eum = crypto::demopki::createManufacturer(w->ci, QStringLiteral("Acme"), QStringLiteral("DE"), QStringLiteral("89049032"), validity)
                 .value();
    auto serverKey = crypto::demopki::createProfileServer(w->ci, QStringLiteral("Nordtel"), QStringLiteral("SE"), address, validity).value();
    std::vector<simulation::FieldDevice> meters;
    for (int i = 1; i <= devices; ++i) {
        // Four digits of device number (the same EIDs as two for the first 99): room for a bench's fleet.
        w->eids.append(identity::Eid::fromPayload(QStringLiteral("89049032000000000000000000%1").arg(i, 4, 10, QLatin1Char('0')))
                           .value()
                           .toString());
        meters.push_back(testing::acmeMeter(w->eids.last()));
    }
    w->eid = w->eids.first();
    w->field = simulation::SimulatedField::create(w->dir.filePath(QStringLiteral("es9.field")), QByteArray(32, '\x29'), w->ci.certificate,
                                                  { { QStringLiteral("Acme"), QStringLiteral("89049032"), 1, w->eum } },
                                                  meters)
                   .value();
    crypto::ChainVerifier trust;
    trust.addTrustAnchor(w->ci.certificate);
    w->server = std::make_shared<profiles::ProfileServer>(address, serverKey, trust);
    w->service = std::make_shared<profiles::Es9PlusService>(w->server, w->clock);
    return w;
}

template<typename T>
inline Result<T> ask(const devices::Answer<T> &answer)
{
    return answer.wait(patience, QStringLiteral("test"));
}

inline StatusCode refusalOf(const QByteArray &responseBody)
{
    auto read = readResponse(responseBody);
    if (auto *problem = std::get_if<QString>(&read))
        return { QStringLiteral("not ES9+"), {}, {}, *problem };
    const auto &response = std::get<ResponseBody>(read);
    return response.failed ? *response.failed : StatusCode { QStringLiteral("success"), {}, {}, {} };
}

inline QJsonObject membersOf(const QByteArray &responseBody)
{
    auto read = readResponse(responseBody);
    return std::holds_alternative<ResponseBody>(read) ? std::get<ResponseBody>(read).members : QJsonObject();
}

// A PrepareDownloadResponse that decodes but no device made.
inline QByteArray wellFormedPrepareDownloadResponse(const QByteArray &transactionId)
{
    protocol::PrepareDownloadResponse response;
    response.transactionId = transactionId;
    response.euiccOneTimePublicKey = crypto::EcPrivateKey::generate().publicPoint();
    response.euiccSignature2 = QByteArray(64, '\x02');
    return response.encode();
}

} // namespace simfleet::testing::es9
