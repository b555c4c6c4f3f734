#include "profileserver.h"

#include "crypto/certificate.h"
#include "crypto/constanttime.h"
#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "protocol/authenticateserver.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/euiccinfo.h"
#include "protocol/notifications.h"
#include "protocol/preparedownload.h"
#include "protocol/profileinstallationresult.h"
#include "protocol/securechannel.h"
#include "devices/devicelink.h"
#include "devices/deviceslog.h"
#include "store/certificaterepository.h"
#include "store/operatorrepository.h"
#include "store/referencevaluerepository.h"
#include "store/secretvault.h"
#include "store/workspace.h"


namespace simfleet::profiles {

ProfileServer::ProfileServer(QString address, crypto::CertifiedKey authentication, crypto::ChainVerifier deviceTrust,
                             std::optional<crypto::CertifiedKey> binding)
    : m_address(std::move(address)),
      m_authentication(std::move(authentication)),
      m_binding(binding ? std::move(*binding) : m_authentication),
      m_deviceTrust(std::move(deviceTrust)),
      m_authenticationDer(m_authentication.certificate.toDer()),
      m_bindingDer(m_binding.certificate.toDer()),
      m_ciKeyId(m_authentication.certificate.authorityKeyIdentifier()),
      // The host ID of the key derivation (SGP.22 annex G): this server's, from its binding certificate.
      m_hostId(crypto::sha256(m_bindingDer).first(8))
{
    for (const crypto::Certificate &anchor : m_deviceTrust.trustAnchors())
        m_deviceCiKeyIds.append(anchor.keyIdentifier());
}

Result<crypto::ChainVerifier> deviceTrustOf(const store::Workspace &workspace)
{
    auto issuers = store::CertificateRepository(workspace.database()).list(store::CertificateRoleName::CertificateIssuer);
    if (!issuers)
        return issuers.error();
    crypto::ChainVerifier trust;
    for (const store::CertificateRecord &c : issuers.value()) {
        if (auto cert = crypto::Certificate::fromDer(c.der))
            trust.addTrustAnchor(cert.value());
    }
    return trust;
}

Result<std::unique_ptr<ProfileServer>> ProfileServer::ofOperator(const store::Workspace &workspace, const store::OperatorRecord &op)
{
    auto certificates = store::CertificateRepository(workspace.database()).list();
    if (!certificates)
        return certificates.error();
    auto trust = deviceTrustOf(workspace);
    if (!trust)
        return trust.error();
    crypto::ChainVerifier deviceTrust = std::move(trust).value();
    std::optional<crypto::CertifiedKey> serverKey;
    std::optional<crypto::CertifiedKey> bindingKey;
    QString serverName;
    for (const store::CertificateRecord &c : certificates.value()) {
        auto cert = crypto::Certificate::fromDer(c.der);
        if (!cert)
            continue;
        // An imported server has a binding pair (CERT.DPpb) beside its authentication pair; the
        // demo's servers have one pair, which serves both steps.
        if (c.role == store::CertificateRoleName::ProfileServer && c.operatorId == op.id && !c.privateKeySealed.isEmpty()) {
            auto pkcs8 = workspace.vault().open({ "certificate", c.id, "private_key_sealed" }, c.privateKeySealed);
            if (!pkcs8)
                return fail(QStringLiteral("%1's profile server key cannot be opened: %2").arg(op.name, pkcs8.errorMessage()));
            auto key = crypto::EcPrivateKey::fromPkcs8(pkcs8.value());
            if (!key)
                return key.error();
            if (c.name.endsWith(QLatin1StringView(profileServerBindingSuffix))) {
                bindingKey = crypto::CertifiedKey { cert.value(), key.value() };
                continue;
            }
            serverKey = crypto::CertifiedKey { cert.value(), key.value() };
            serverName = cert->subject().commonName;
        }
    }
    if (!serverKey)
        return fail(QStringLiteral("%1 has no profile server with a key in this workspace; import its certificate and key first")
                        .arg(op.name));
    // A certificate its issuer revoked after the import authenticates nothing (SGP.22 section
    // 4.5.2.2: the CI's list covers the SM-DP+ certificates it issued).
    store::RevocationListRepository revocationLists(workspace.database());
    for (const std::optional<crypto::CertifiedKey> *pair : { &serverKey, &bindingKey }) {
        if (!*pair)
            continue;
        const crypto::Certificate &serverCert = (*pair)->certificate;
        auto revoked = revocationLists.listNaming(serverCert);
        if (!revoked)
            return revoked.error();
        if (revoked.value())
            return fail(QStringLiteral("%1's profile server certificate was revoked by %2; import its current one with "
                                       "operators set-profile-server")
                            .arg(op.name, serverCert.issuerText()));
    }
    auto profileTemplate = profileTemplateOf(workspace, op);
    if (!profileTemplate)
        return profileTemplate.error();
    auto server = std::make_unique<ProfileServer>(serverName, *serverKey, deviceTrust, bindingKey);
    server->setProfileTemplate(std::move(profileTemplate).value());
    return server;
}

Result<protocol::ProfileTemplate> profileTemplateOf(const store::Workspace &workspace, const store::OperatorRecord &op)
{
    if (!op.hasProfileTemplate)
        return protocol::ProfileTemplate::builtIn();
    auto sealed = store::OperatorRepository(workspace.database()).sealedProfileTemplate(op.id);
    if (!sealed)
        return sealed.error();
    auto package = workspace.vault().open({ "operator", op.id, "profile_template_sealed" }, sealed.value());
    if (!package)
        return fail(QStringLiteral("%1's profile template cannot be opened: %2").arg(op.name, package.errorMessage()));
    auto made = protocol::ProfileTemplate::fromPackage(package->view());
    if (!made)
        return fail(QStringLiteral("%1's profile template no longer reads: %2").arg(op.name, made.errorMessage()));
    return made;
}

Result<QByteArray> ProfileServer::initiateAuthentication(const QString &eid, const QByteArray &euiccChallenge,
                                                         const QByteArray &euiccInfo1, DownloadSession &session) const
{
    auto request = authenticateServerRequest(eid, euiccChallenge, euiccInfo1, session);
    if (!request)
        return request.error();
    return request->encode();
}

Result<protocol::AuthenticateServerRequest> ProfileServer::authenticateServerRequest(const QString &eid, const QByteArray &euiccChallenge,
                                                                                    const QByteArray &euiccInfo1,
                                                                                    DownloadSession &session) const
{
    // ES9+.InitiateAuthentication (SGP.22 section 5.6.1): a fresh transaction and challenge,
    // serverSigned1 signed with the authentication key.
    if (euiccChallenge.size() != 16)
        return failWith(ErrorCode::DeviceNotAuthenticated, QStringLiteral("the device's challenge is not 16 bytes"));
    auto info = protocol::EuiccInfo1::decode(euiccInfo1);
    if (!info)
        return failWith(ErrorCode::DeviceNotAuthenticated, info.errorMessage());
    const auto named = [](const QList<QByteArray> &ids) {
        QStringList hex;
        for (const QByteArray &id : ids)
            hex.append(QString::fromLatin1(id.toHex()));
        return hex.isEmpty() ? QStringLiteral("none") : hex.join(QStringLiteral(", "));
    };
    // Over ES9+ the EID is not known yet (it comes with CERT.EUICC at AuthenticateClient).
    const QString device = eid.isEmpty() ? QStringLiteral("the eUICC") : QStringLiteral("device %1").arg(eid);
    // The eUICC must be able to verify this server's certificates: their issuer among those it
    // verifies with.
    if (!info->ciKeyIdsForVerification.contains(m_ciKeyId))
        return failWith(ErrorCode::ServerNotAuthenticated,
                        QStringLiteral("%1 trusts no certificate issuer this profile server is certified by (it "
                                       "verifies with key ids %2; the server's issuer is %3); the server needs a "
                                       "certificate from an issuer the device carries")
                            .arg(device, named(info->ciKeyIdsForVerification), QString::fromLatin1(m_ciKeyId.toHex())));
    // And it signs under one CI both share (euiccCiPKIdToBeUsed): this server's own when it can.
    QByteArray signingCi;
    for (const QByteArray &id : std::as_const(info->ciKeyIdsForSigning)) {
        if (m_deviceCiKeyIds.contains(id) && (signingCi.isEmpty() || id == m_ciKeyId))
            signingCi = id;
    }
    if (signingCi.isEmpty())
        return failWith(ErrorCode::DeviceNotAuthenticated,
                        QStringLiteral("%1 signs under no certificate issuer this workspace trusts (it signs under "
                                       "key ids %2); add its certificate issuer to the workspace's trust first")
                            .arg(device, named(info->ciKeyIdsForSigning)));
    session = DownloadSession {};
    session.eid = eid;
    session.transactionId = crypto::randomBytes(16);
    session.serverChallenge = crypto::randomBytes(16);
    session.euiccChallenge = euiccChallenge;
    protocol::AuthenticateServerRequest request;
    request.transactionId = session.transactionId;
    request.euiccChallenge = euiccChallenge;
    request.serverAddress = m_address;
    request.serverChallenge = session.serverChallenge;
    request.ciKeyId = signingCi;
    request.serverCertificate = m_authenticationDer;
    request.tac = QByteArray::fromHex("35000000");
    auto signature = crypto::ecdsaSign(m_authentication.key, request.serverSigned1(), crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    request.serverSignature1 = signature.value();
    return request;
}

Result<QByteArray> ProfileServer::authenticateClient(const QByteArray &authenticateServerResponse, DownloadSession &session,
                                                     const QDateTime &now) const
{
    auto request = prepareDownloadRequest(authenticateServerResponse, session, now);
    if (!request)
        return request.error();
    return request->encode();
}

Result<protocol::PrepareDownloadRequest> ProfileServer::prepareDownloadRequest(const QByteArray &authenticateServerResponse,
                                                                               DownloadSession &session, const QDateTime &now) const
{
    // ES9+.AuthenticateClient (SGP.22 section 5.6.2): the device's chain to the certificate
    // issuer through its manufacturer, the EID in the manufacturer's range, its signature over
    // euiccSigned1, and this session's transaction and challenge.
    const auto refuse = [](const QString &why) { return failWith(ErrorCode::DeviceNotAuthenticated, why); };
    auto response = protocol::AuthenticateServerResponse::decode(authenticateServerResponse);
    if (!response)
        return refuse(response.errorMessage());
    auto leaf = crypto::Certificate::fromDer(response->euiccCertificate);
    auto manufacturer = crypto::Certificate::fromDer(response->eumCertificate);
    if (!leaf || !manufacturer)
        return refuse(QStringLiteral("the device's certificates do not parse"));
    if (auto chain = m_deviceTrust.verifyAt(leaf.value(), { manufacturer.value() }, now); !chain)
        return refuse(QStringLiteral("the device's certificate does not chain to the certificate issuer: %1").arg(chain.errorMessage()));
    if (auto range = crypto::checkEidInManufacturerRange(leaf.value(), manufacturer.value()); !range)
        return refuse(range.errorMessage());
    // Over ES9+ the device is known only now (SGP.22 section 5.6.2: the EID from CERT.EUICC).
    if (!session.eid.isEmpty() && leaf->subject().serialNumber != session.eid)
        return refuse(QStringLiteral("the device answering is %1, not %2").arg(leaf->subject().serialNumber, session.eid));
    if (auto ok = crypto::ecdsaVerify(leaf->publicKey(), response->euiccSigned1(), response->euiccSignature1,
                                      crypto::SignatureFormat::Raw);
        !ok)
        return refuse(QStringLiteral("the device's signature does not verify"));
    if (response->transactionId != session.transactionId
        || !crypto::equalConstantTime(response->serverChallenge, session.serverChallenge))
        return refuse(QStringLiteral("the device answered another session's challenge (a replay)"));
    session.eid = leaf->subject().serialNumber;
    session.deviceKey = leaf->publicKey();
    session.euiccCertificate = leaf.value();
    session.euiccSignature1Object = response->signatureObject();

    // ES10b.PrepareDownload's request, signed with the binding key over smdpSigned2 and the
    // device's signature (section 5.6.2 step 12).
    protocol::PrepareDownloadRequest prepare;
    prepare.transactionId = session.transactionId;
    prepare.smdpCertificate = m_bindingDer;
    auto signature = crypto::ecdsaSign(m_binding.key, prepare.signedData(session.euiccSignature1Object), crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    prepare.smdpSignature2 = signature.value();
    session.smdpSignature2Object = prepare.signatureObject();
    return prepare;
}

Result<QByteArray> ProfileServer::getBoundProfilePackage(const DownloadOrder &order, const QByteArray &prepareDownloadResponse,
                                                         const DownloadSession &session) const
{
    const auto refuse = [](const QString &why) { return failWith(ErrorCode::DeviceNotAuthenticated, why); };
    if (session.deviceKey.isNull() || order.eid != session.eid)
        return refuse(QStringLiteral("no authenticated session with %1").arg(order.eid));
    auto response = protocol::PrepareDownloadResponse::decode(prepareDownloadResponse);
    if (!response)
        return refuse(response.errorMessage());
    if (response->transactionId != session.transactionId)
        return refuse(QStringLiteral("the device's one-time key belongs to another transaction"));
    if (auto ok = crypto::ecdsaVerify(session.deviceKey, response->signedData(session.smdpSignature2Object),
                                      response->euiccSignature2, crypto::SignatureFormat::Raw);
        !ok)
        return refuse(QStringLiteral("the device's one-time key is not signed by the device"));
    auto deviceOneTime = crypto::EcPublicKey::fromUncompressedPoint(response->euiccOneTimePublicKey);
    if (!deviceOneTime)
        return refuse(deviceOneTime.errorMessage());

    // The bound profile package (SGP.22 section 2.5.4): the server's one-time key, the shared
    // secret, the session keys (annex G, with this server's host ID and the device's EID);
    // then ConfigureISDP, StoreMetadata and the profile elements, protected (section 2.6.4).
    const crypto::EcPrivateKey oneTime = crypto::EcPrivateKey::generate();
    auto shared = crypto::ecdh(oneTime, deviceOneTime.value());
    if (!shared)
        return shared.error();
    protocol::BoundProfilePackage bpp;
    protocol::InitialiseSecureChannelRequest &isc = bpp.initialiseSecureChannel;
    isc.transactionId = session.transactionId;
    isc.hostId = m_hostId;
    isc.serverOneTimePublicKey = oneTime.publicPoint();
    auto keys = protocol::SessionKeys::derive(shared.value(), isc.hostId, QByteArray::fromHex(order.eid.toLatin1()));
    if (!keys)
        return keys.error();
    // Section 5.5.1: signed with the binding key over its data objects and the device's
    // one-time key, so it belongs to this session and no other.
    auto iscSignature = crypto::ecdsaSign(m_binding.key, isc.signedData(response->euiccOneTimePublicKey),
                                          crypto::SignatureFormat::Raw);
    if (!iscSignature)
        return iscSignature.error();
    isc.signature = iscSignature.value();

    auto package = m_template.personalise(order.profile);
    if (!package)
        return package.error();
    const protocol::ProfileMetadata metadata = storedMetadata(order);
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

protocol::ProfileMetadata ProfileServer::storedMetadata(const DownloadOrder &order) const
{
    protocol::ProfileMetadata metadata = order.metadata;
    metadata.iccid = order.profile.iccid;
    // The profile's enable, disable and delete notifications come to this server (SGP.22
    // section 3.5), unless the order names another address.
    if (metadata.notifications.isEmpty())
        metadata.notifications = { { protocol::eventBit(protocol::NotificationEvent::Enable)
                                         | protocol::eventBit(protocol::NotificationEvent::Disable)
                                         | protocol::eventBit(protocol::NotificationEvent::Delete),
                                     m_address } };
    return metadata;
}

Result<protocol::ProfileInstallationResult> ProfileServer::verifiedInstallationResult(const QByteArray &answer,
                                                                                      const DownloadSession &session) const
{
    // ES9+.HandleNotification's ProfileInstallationResult (SGP.22 section 5.6.4): signed by the
    // device that authenticated in this session, for this transaction.
    using Pir = protocol::ProfileInstallationResult;
    const auto rejected = [](const QString &why) { return failWith(ErrorCode::PackageRejected, why); };
    auto result = Pir::decode(answer);
    if (!result)
        return rejected(result.errorMessage());
    if (auto ok = crypto::ecdsaVerify(session.deviceKey, result->receivedData, result->signature, crypto::SignatureFormat::Raw);
        !ok)
        return rejected(QStringLiteral("the installation result is not signed by the device"));
    if (result->transactionId != session.transactionId)
        return rejected(QStringLiteral("the installation result belongs to another transaction"));
    return result;
}

Result<QString> ProfileServer::installedIccid(const DownloadOrder &order, const protocol::ProfileInstallationResult &result)
{
    using Pir = protocol::ProfileInstallationResult;
    const auto rejected = [](const QString &why) { return failWith(ErrorCode::PackageRejected, why); };
    if (!result.success) {
        const QString why = QStringLiteral("the device did not install the profile (step %1, reason %2)")
                                .arg(int(result.failedCommand))
                                .arg(int(result.reason));
        switch (result.reason) {
        case Pir::ErrorReason::IccidAlreadyExists: return failWith(ErrorCode::AlreadyInstalled, why);
        case Pir::ErrorReason::InsufficientMemory: return failWith(ErrorCode::NoMemory, why);
        default: return rejected(why);
        }
    }
    if (result.iccid != order.profile.iccid)
        return rejected(QStringLiteral("the device reports %1 installed, not %2").arg(result.iccid, order.profile.iccid));
    return result.iccid;
}

Result<QString> ProfileServer::checkInstallationResult(const DownloadOrder &order, const QByteArray &answer,
                                                      const DownloadSession &session) const
{
    auto result = verifiedInstallationResult(answer, session);
    if (!result)
        return result.error();
    return installedIccid(order, result.value());
}

Result<QString> ProfileServer::download(devices::DeviceLink &link, const DownloadOrder &order,
                                        std::chrono::milliseconds timeout, const QDateTime &now, DownloadSession *finished) const
{
    // SGP.22 section 3.1.3, with simfleet relaying between the server and the device.
    const auto serverRefused = [](const Error &e) {
        return e.code == ErrorCode::None ? Error { e.message, ErrorCode::ServerNotAuthenticated } : e;
    };
    // Section 3.1.2: the LPA (here the backend) reads EUICCInfo1 and the challenge first, and
    // InitiateAuthentication carries both.
    auto infoAnswer = link.euiccInfo1();
    auto info = devices::awaitAnswer(infoAnswer, timeout, order.eid);
    if (!info)
        return info.error();
    auto challengeAnswer = link.challenge();
    auto answeredChallenge = devices::awaitAnswer(challengeAnswer, timeout, order.eid);
    if (!answeredChallenge)
        return answeredChallenge.error();
    auto challenge = protocol::decodeGetEuiccChallengeResponse(answeredChallenge.value());
    if (!challenge)
        return failWith(ErrorCode::DeviceNotAuthenticated, challenge.errorMessage());
    DownloadSession localSession;
    DownloadSession &session = finished ? *finished : localSession;
    auto request = initiateAuthentication(order.eid, challenge.value(), info.value(), session);
    if (!request)
        return request.error();
    auto authAnswer = link.authenticateServer(request.value());
    auto authenticated = devices::awaitAnswer(authAnswer, timeout, order.eid);
    if (!authenticated)
        return serverRefused(authenticated.error());
    auto prepare = authenticateClient(authenticated.value(), session, now);
    if (!prepare)
        return prepare.error();
    auto prepareAnswer = link.prepareDownload(prepare.value());
    auto prepared = devices::awaitAnswer(prepareAnswer, timeout, order.eid);
    if (!prepared)
        return serverRefused(prepared.error());
    auto bpp = getBoundProfilePackage(order, prepared.value(), session);
    if (!bpp)
        return bpp.error();
    auto loadAnswer = link.loadBoundPackage(bpp.value());
    auto answered = devices::awaitAnswer(loadAnswer, timeout, order.eid);
    if (!answered)
        return answered.error().code == ErrorCode::None ? failWith(ErrorCode::PackageRejected, answered.errorMessage())
                                                 : answered.error();
    auto result = verifiedInstallationResult(answered.value(), session);
    if (!result)
        return result.error();
    // Section 3.1.3: the result delivered to the server (ES9+.HandleNotification), the LPA
    // removes the install notification from the eUICC (ES10b.RemoveNotificationFromList). A
    // device that does not answer keeps it for the next collection of its notifications.
    auto removeAnswer = link.removeNotification(protocol::NotificationSentRequest { result->sequenceNumber }.encode());
    auto removed = devices::awaitAnswer(removeAnswer, timeout, order.eid);
    auto status = removed ? protocol::NotificationSentResponse::decode(removed.value())
                          : Result<protocol::NotificationSentResponse>(removed.error());
    if (!status || status->status != protocol::NotificationSentResponse::Ok)
        qCInfo(lcDevices) << "device" << order.eid << "kept its install notification" << result->sequenceNumber << ":"
                          << (status ? QStringLiteral("status %1").arg(status->status) : status.errorMessage());
    return installedIccid(order, result.value());
}

} // namespace simfleet::profiles
