// Runs one profile download in process, between a profile server and a device session, and
// writes every SGP.22-encoded message that crossed between them to a directory, one file per
// message, named after its ASN.1 type (../shared/spec/RSPDefinitions.asn1), so an independent
// ASN.1 compiler can decode each (tests/interop/tst_rsp_messages_asn1c.sh). The profile holds
// published test values only (TS 35.208 test set 1); the PKI is made for the run.
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "identity/eid.h"
#include "profiles/profileserver.h"
#include "protocol/attestationmessage.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/euiccinfo.h"
#include "protocol/profileinstallationresult.h"
#include "crypto/ecdsa.h"
#include "protocol/entityattestationtoken.h"
#include "protocol/der.h"
#include "protocol/securechannel.h"
#include "simulation/euiccsession.h"

#include <QDir>
#include <QFile>

#include <cstdio>

using namespace simfleet;

namespace {

bool write(const QDir &dir, const QString &name, const QByteArray &bytes)
{
    QFile out(dir.filePath(name));
    return out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size();
}

int failed(const QString &why)
{
    std::fprintf(stderr, "rsp_messages_sample: %s\n", qPrintable(why));
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: rsp_messages_sample OUTPUT-DIRECTORY\n");
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
    auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Interop CI"), validity);
    auto eum = ci ? crypto::demopki::createManufacturer(ci.value(), QStringLiteral("Acme"), QStringLiteral("DE"),
                                                        QStringLiteral("89049032"), validity)
                  : Result<crypto::CertifiedKey>(ci.error());
    auto server = ci ? crypto::demopki::createProfileServer(ci.value(), QStringLiteral("Nordtel"), QStringLiteral("SE"),
                                                             QStringLiteral("smdp.nordtel.example"), validity)
                     : Result<crypto::CertifiedKey>(ci.error());
    if (!ci || !eum || !server)
        return failed(QStringLiteral("the PKI could not be made"));
    const auto eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000001")).value();
    const crypto::EcPrivateKey deviceKey = crypto::EcPrivateKey::generate();
    auto deviceCert = crypto::demopki::certifyDevice(eum.value(), eid, deviceKey.publicKey(), validity);
    if (!deviceCert)
        return failed(deviceCert.errorMessage());
    crypto::ChainVerifier trust;
    trust.addTrustAnchor(ci->certificate);

    simulation::EuiccSession session({ eid.toString(), deviceKey, { deviceCert->toDer(), eum->certificate.toDer() } });
    const profiles::ProfileServer profileServer(QStringLiteral("smdp.nordtel.example"), server.value(), trust);
    profiles::DownloadSession state;
    protocol::EuiccInfo1 info1;
    info1.ciKeyIdsForVerification = { ci->certificate.keyIdentifier() };
    info1.ciKeyIdsForSigning = { ci->certificate.keyIdentifier() };
    auto request = profileServer.initiateAuthentication(eid.toString(), session.challenge(), info1.encode(), state);
    if (!request)
        return failed(request.errorMessage());
    auto authenticated = session.authenticateServer(request.value(), trust, now);
    if (!authenticated)
        return failed(authenticated.errorMessage());
    auto prepare = profileServer.authenticateClient(authenticated.value(), state, now);
    if (!prepare)
        return failed(prepare.errorMessage());
    auto prepared = session.prepareDownload(prepare.value(), trust, now);
    if (!prepared)
        return failed(prepared.errorMessage());
    profiles::DownloadOrder order;
    order.eid = eid.toString();
    order.profile.iccid = QStringLiteral("8999901000000000017");
    order.profile.imsi = QStringLiteral("001010123456789");
    order.profile.ki = crypto::SecretBytes(QByteArray::fromHex("465b5ce8b199b49faa5f0a2ee238a6bc"));
    order.profile.opc = crypto::SecretBytes(QByteArray::fromHex("cd63cb71954a9f4e48a5994e37a02baf"));
    order.profile.serviceProviderName = QStringLiteral("Nordtel");
    order.metadata.serviceProviderName = QStringLiteral("Nordtel");
    order.metadata.profileName = QStringLiteral("Nordtel IoT");
    order.metadata.plmn = QStringLiteral("00101");
    order.metadata.fallbackAllowed = false;
    auto bpp = profileServer.getBoundProfilePackage(order, prepared.value(), state);
    if (!bpp)
        return failed(bpp.errorMessage());
    // The device installs what was written: these are the bytes of a download that worked.
    auto loaded = session.load(bpp.value());
    if (!loaded)
        return failed(loaded.errorMessage());

    auto parts = protocol::BoundProfilePackage::decode(bpp.value());
    if (!parts)
        return failed(parts.errorMessage());
    // StoreMetadata is MAC-only: its segment's value, less the MAC, is the request as sent.
    protocol::der::Reader segment(parts->storeMetadata.first());
    auto element = segment.next();
    if (!element)
        return failed(element.errorMessage());
    const QByteArray storeMetadata = element->content.first(element->content.size() - protocol::SecureChannel::macSize).toByteArray();
    // The device's answer to the load: the installation result, signed over its data.
    protocol::ProfileInstallationResult installed;
    installed.transactionId = state.transactionId;
    installed.sequenceNumber = 1;
    installed.notificationAddress = QStringLiteral("smdp.nordtel.example");
    installed.iccid = order.profile.iccid;
    installed.serverOid = protocol::simfleetObjectIdentifier();
    installed.isdpAid = QByteArray::fromHex("a0000005591010ffffffff8900001011");
    auto pirSignature = crypto::ecdsaSign(deviceKey, installed.resultData(), crypto::SignatureFormat::Raw);
    if (!pirSignature)
        return failed(pirSignature.errorMessage());
    installed.signature = pirSignature.value();
    protocol::ProfileInstallationResult refused = installed;
    refused.success = false;
    refused.failedCommand = protocol::ProfileInstallationResult::BppCommand::LoadProfileElements;
    refused.reason = protocol::ProfileInstallationResult::ErrorReason::Scp03tSecurityError;

    // The attestation exchange, in simfleet's own module (SimfleetDefinitions.asn1), with a real
    // token from the same device.
    protocol::EatClaims claims;
    claims.nonce = QByteArray(32, '\x17');
    claims.ueid = protocol::ueidForEid(eid.toString());
    claims.hwmodel = QStringLiteral("MeterOne M2");
    claims.swname = QStringLiteral("meter-os");
    claims.swversion = QStringLiteral("4.2.1");
    claims.issuedAt = now;
    auto token = protocol::signCoseSign1(protocol::encodeClaims(claims), { deviceCert->toDer(), eum->certificate.toDer() }, deviceKey);
    if (!token)
        return failed(token.errorMessage());
    protocol::AttestationResponse attested;
    attested.evidence = token.value();

    const bool ok = write(dir, QStringLiteral("AttestationRequest.der"), protocol::AttestationRequest { claims.nonce }.encode())
        && write(dir, QStringLiteral("AttestationResponse.der"), attested.encode())
        && write(dir, QStringLiteral("AuthenticateServerRequest.der"), request.value())
        && write(dir, QStringLiteral("ProfileInstallationResult.der"), installed.encode())
        && write(dir, QStringLiteral("ProfileInstallationResultData.der"), refused.resultData())
        && write(dir, QStringLiteral("AuthenticateServerResponse.der"), authenticated.value())
        && write(dir, QStringLiteral("PrepareDownloadRequest.der"), prepare.value())
        && write(dir, QStringLiteral("PrepareDownloadResponse.der"), prepared.value())
        && write(dir, QStringLiteral("BoundProfilePackage.der"), bpp.value())
        && write(dir, QStringLiteral("InitialiseSecureChannelRequest.der"), parts->initialiseSecureChannel.encode())
        && write(dir, QStringLiteral("StoreMetadataRequest.der"), storeMetadata)
        && write(dir, QStringLiteral("ConfigureISDPRequest.der"),
                 protocol::encodeConfigureIsdp(protocol::simfleetObjectIdentifier()));
    return ok ? 0 : failed(QStringLiteral("cannot write to %1").arg(dir.path()));
}
