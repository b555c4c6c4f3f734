#include "profileserver.h"

#include "crypto/certificate.h"
#include "crypto/constanttime.h"
#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/securechannel.h"
#include "devices/devicelink.h"
#include "store/certificaterepository.h"
#include "store/operatorrepository.h"
#include "store/referencevaluerepository.h"
#include "store/secretvault.h"
#include "store/workspace.h"


namespace simfleet::profiles {

ProfileServer::ProfileServer(QString address, crypto::CertifiedKey key, crypto::ChainVerifier deviceTrust)
    : m_address(std::move(address)), m_key(std::move(key)), m_deviceTrust(std::move(deviceTrust))
{
}

Result<std::unique_ptr<ProfileServer>> ProfileServer::ofOperator(const store::Workspace &workspace, const store::OperatorRecord &op)
{
    auto certificates = store::CertificateRepository(workspace.database()).list();
    if (!certificates)
        return certificates.error();
    crypto::ChainVerifier deviceTrust;
    std::optional<crypto::CertifiedKey> serverKey;
    QString serverName;
    for (const store::CertificateRecord &c : certificates.value()) {
        auto cert = crypto::Certificate::fromDer(c.der);
        if (!cert)
            continue;
        if (c.role == store::CertificateRoleName::CertificateIssuer)
            deviceTrust.addTrustAnchor(cert.value());
        // An imported server has a binding pair beside its authentication pair; this server
        // signs both steps with the authentication key (one certificate reaches the device).
        if (c.role == store::CertificateRoleName::ProfileServer && c.operatorId == op.id && !c.privateKeySealed.isEmpty()
            && !c.name.endsWith(QLatin1StringView(profileServerBindingSuffix))) {
            auto pkcs8 = workspace.vault().open({ "certificate", c.id, "private_key_sealed" }, c.privateKeySealed);
            if (!pkcs8)
                return fail(QStringLiteral("%1's profile server key cannot be opened: %2").arg(op.name, pkcs8.errorMessage()));
            auto key = crypto::EcPrivateKey::fromPkcs8(pkcs8.value());
            if (!key)
                return key.error();
            serverKey = crypto::CertifiedKey { cert.value(), key.value() };
            serverName = cert->subject().commonName;
        }
    }
    if (!serverKey)
        return fail(QStringLiteral("%1 has no profile server with a key in this workspace; import its certificate and key first")
                        .arg(op.name));
    // A certificate its issuer revoked after the import authenticates nothing (SGP.22 section
    // 4.5.2.2: the CI's list covers the SM-DP+ certificates it issued).
    auto lists = store::RevocationListRepository(workspace.database()).newestByIssuer();
    if (!lists)
        return lists.error();
    const crypto::Certificate &serverCert = serverKey->certificate;
    if (const auto crl = lists->constFind(serverCert.issuerText()); crl != lists->cend() && crl->lists(serverCert))
        return fail(QStringLiteral("%1's profile server certificate was revoked by %2; import its current one with "
                                   "operators set-profile-server")
                        .arg(op.name, serverCert.issuerText()));
    return std::make_unique<ProfileServer>(serverName, *serverKey, deviceTrust);
}

Result<protocol::ServerAuthentication> ProfileServer::authenticate(const QByteArray &euiccChallenge, QByteArray *transactionId,
                                                         QByteArray *serverChallenge) const
{
    // ES9+.InitiateAuthentication (SGP.22 section 3.1.2.1).
    protocol::ServerSigned1 signed1;
    signed1.transactionId = crypto::randomBytes(16);
    signed1.euiccChallenge = euiccChallenge;
    signed1.serverAddress = m_address;
    signed1.serverChallenge = crypto::randomBytes(16);
    protocol::ServerAuthentication out;
    out.serverSigned1 = signed1.encode();
    auto signature = crypto::ecdsaSign(m_key.key, out.serverSigned1, crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    out.serverSignature1 = signature.value();
    out.serverCertificates = { m_key.certificate.toDer() };
    *transactionId = signed1.transactionId;
    *serverChallenge = signed1.serverChallenge;
    return out;
}

Result<crypto::EcPublicKey> ProfileServer::checkDevice(const QString &eid, const protocol::DeviceAuthentication &device,
                                                       const QByteArray &transactionId, const QByteArray &serverChallenge,
                                                       const QDateTime &now) const
{
    // ES9+.AuthenticateClient (SGP.22 section 3.1.2.3): the device's chain to the certificate
    // issuer through its manufacturer, the EID in the manufacturer's range, then its signature.
    const auto refuse = [](const QString &why) { return failWith(ErrorCode::DeviceNotAuthenticated, why); };
    if (device.deviceCertificates.size() != 2)
        return refuse(QStringLiteral("the device must present its certificate and its manufacturer's"));
    auto leaf = crypto::Certificate::fromDer(device.deviceCertificates.at(0));
    auto manufacturer = crypto::Certificate::fromDer(device.deviceCertificates.at(1));
    if (!leaf || !manufacturer)
        return refuse(QStringLiteral("the device's certificates do not parse"));
    if (auto chain = m_deviceTrust.verifyAt(leaf.value(), { manufacturer.value() }, now); !chain)
        return refuse(QStringLiteral("the device's certificate does not chain to the certificate issuer: %1").arg(chain.errorMessage()));
    if (auto range = crypto::checkEidInManufacturerRange(leaf.value(), manufacturer.value()); !range)
        return refuse(range.errorMessage());
    if (leaf->subject().serialNumber != eid)
        return refuse(QStringLiteral("the device answering is %1, not %2").arg(leaf->subject().serialNumber, eid));
    if (auto ok = crypto::ecdsaVerify(leaf->publicKey(), device.euiccSigned1, device.euiccSignature1, crypto::SignatureFormat::Raw);
        !ok)
        return refuse(QStringLiteral("the device's signature does not verify"));
    auto signed1 = protocol::EuiccSigned1::decode(device.euiccSigned1);
    if (!signed1)
        return refuse(signed1.errorMessage());
    if (signed1->transactionId != transactionId || !crypto::equalConstantTime(signed1->serverChallenge, serverChallenge)
        || signed1->eid != eid)
        return refuse(QStringLiteral("the device answered another session's challenge (a replay)"));
    auto oneTime = crypto::EcPublicKey::fromUncompressedPoint(signed1->oneTimePublicKey);
    if (!oneTime)
        return refuse(oneTime.errorMessage());
    return oneTime.value();
}

Result<QByteArray> ProfileServer::bind(const DownloadOrder &order, const protocol::DeviceAuthentication &device,
                                       const QByteArray &transactionId, const QByteArray &serverChallenge,
                                       const QDateTime &now) const
{
    auto deviceKey = checkDevice(order.eid, device, transactionId, serverChallenge, now);
    if (!deviceKey)
        return deviceKey.error();

    // The bound profile package (SGP.22 section 2.5.4): the server's one-time key, the shared
    // secret, the session keys (annex G, with this server's host ID and the device's EID);
    // then ConfigureISDP, StoreMetadata and the profile elements, protected (section 2.6.4).
    const crypto::EcPrivateKey oneTime = crypto::EcPrivateKey::generate();
    auto shared = crypto::ecdh(oneTime, deviceKey.value());
    if (!shared)
        return shared.error();
    protocol::BoundProfilePackage bpp;
    protocol::InitialiseSecureChannelRequest &isc = bpp.initialiseSecureChannel;
    isc.transactionId = transactionId;
    isc.hostId = crypto::sha256(m_key.certificate.toDer()).first(8);
    isc.serverOneTimePublicKey = oneTime.publicPoint();
    auto keys = protocol::SessionKeys::derive(shared.value(), isc.hostId, QByteArray::fromHex(order.eid.toLatin1()));
    if (!keys)
        return keys.error();
    // Section 5.5.1: signed over its data objects and the device's one-time key, so it belongs
    // to this session and no other.
    auto iscSignature = crypto::ecdsaSign(m_key.key, isc.signedData(deviceKey->uncompressedPoint()), crypto::SignatureFormat::Raw);
    if (!iscSignature)
        return iscSignature.error();
    isc.signature = iscSignature.value();

    auto package = protocol::encodeProfilePackage(order.profile);
    if (!package)
        return package.error();
    protocol::ProfileMetadata metadata = order.metadata;
    metadata.iccid = order.profile.iccid;
    protocol::SecureChannel channel(std::move(keys).value());
    auto configure = channel.protect(0x87, protocol::encodeConfigureIsdp(protocol::simfleetObjectIdentifier()));
    if (!configure)
        return configure.error();
    bpp.configureIsdp = configure.value();
    auto stored = channel.macOnly(0x88, metadata.encode());
    if (!stored)
        return stored.error();
    bpp.storeMetadata = stored.value();
    auto elements = channel.protect(0x86, package->view());
    if (!elements)
        return elements.error();
    bpp.profileElements = elements.value();
    return bpp.encode();
}

Result<QString> ProfileServer::download(devices::DeviceLink &link, const DownloadOrder &order,
                                        std::chrono::milliseconds timeout, const QDateTime &now) const
{
    auto challengeAnswer = link.challenge();
    auto challenge = devices::awaitAnswer(challengeAnswer, timeout, order.eid);
    if (!challenge)
        return challenge.error();
    QByteArray transactionId;
    QByteArray serverChallenge;
    auto request = authenticate(challenge.value(), &transactionId, &serverChallenge);
    if (!request)
        return request.error();
    auto authAnswer = link.authenticateServer(request.value());
    auto device = devices::awaitAnswer(authAnswer, timeout, order.eid);
    if (!device)
        return device.error().code == ErrorCode::None ? failWith(ErrorCode::ServerNotAuthenticated, device.errorMessage())
                                             : device.error();
    auto bpp = bind(order, device.value(), transactionId, serverChallenge, now);
    if (!bpp)
        return bpp.error();
    auto loadAnswer = link.loadBoundPackage(bpp.value());
    auto installed = devices::awaitAnswer(loadAnswer, timeout, order.eid);
    if (!installed)
        return installed.error().code == ErrorCode::None ? failWith(ErrorCode::PackageRejected, installed.errorMessage())
                                                : installed.error();
    if (installed.value() != order.profile.iccid)
        return failWith(ErrorCode::PackageRejected,
                        QStringLiteral("the device reports %1 installed, not %2").arg(installed.value(), order.profile.iccid));
    return installed;
}

} // namespace simfleet::profiles
