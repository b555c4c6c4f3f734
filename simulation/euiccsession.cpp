#include "euiccsession.h"

#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/constanttime.h"
#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/random.h"
#include "crypto/rolecheck.h"
#include "protocol/authenticateserver.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/preparedownload.h"
#include "protocol/securechannel.h"


namespace simfleet::simulation {

EuiccSession::EuiccSession(Identity identity) : m_identity(std::move(identity)) { }

QByteArray EuiccSession::challenge()
{
    m_challenge = crypto::randomBytes(16);
    m_transactionId.clear();
    m_euiccSignature1Object.clear();
    m_smdpSignature2Object.clear();
    m_authenticated = false;
    m_serverAddress.clear();
    m_oneTimeKey = {};
    m_serverKey = {};
    m_serverCertificate = {};
    return m_challenge;
}

namespace {

// A profile server's certificate as the eUICC checks it (SGP.22 section 4.5.2.2): it parses,
// chains to the certificate issuer, and is made for the role of the step (CERT.DPauth to
// authenticate, CERT.DPpb to bind). sameAs: a certificate that also serves, the one that
// authenticated the server, for simfleet's demo servers, whose one pair serves both steps.
Result<crypto::Certificate> checkServerCertificate(const QByteArray &der, const crypto::ChainVerifier &certificateIssuer,
                                                   const QDateTime &now, crypto::RspRole role,
                                                   const crypto::Certificate *sameAs = nullptr)
{
    const auto refuse = [](const QString &why) { return failWith(ErrorCode::ServerNotAuthenticated, why); };
    if (der.isEmpty())
        return refuse(QStringLiteral("the profile server sent no certificate"));
    auto leaf = crypto::Certificate::fromDer(der);
    if (!leaf)
        return refuse(QStringLiteral("the profile server's certificate does not parse: %1").arg(leaf.errorMessage()));
    if (sameAs && leaf.value() == *sameAs)
        return leaf; // it chained when it authenticated the server, moments ago
    if (auto chain = certificateIssuer.verifyAt(leaf.value(), {}, now); !chain)
        return refuse(QStringLiteral("the profile server's certificate does not chain to the certificate issuer: %1")
                          .arg(chain.errorMessage()));
    if (auto made = crypto::checkRspRole(leaf.value(), role); !made)
        return refuse(QStringLiteral("the certificate presented is not the profile server's %1 certificate: %2")
                          .arg(crypto::rspRoleTitle(role), made.errorMessage()));
    return leaf;
}

} // namespace

Result<QByteArray> EuiccSession::authenticateServer(const QByteArray &requestBytes, const crypto::ChainVerifier &certificateIssuer,
                                                    const QDateTime &now)
{
    const auto refuse = [](const QString &why) { return failWith(ErrorCode::ServerNotAuthenticated, why); };
    if (m_challenge.isEmpty())
        return refuse(QStringLiteral("the device issued no challenge; start the download again"));
    const QByteArray challenge = std::exchange(m_challenge, {}); // single use
    auto request = protocol::AuthenticateServerRequest::decode(requestBytes);
    if (!request)
        return refuse(request.errorMessage());
    auto leaf = checkServerCertificate(request->serverCertificate, certificateIssuer, now, crypto::RspRole::ProfileServerAuth);
    if (!leaf)
        return leaf.error();
    if (auto ok = crypto::ecdsaVerify(leaf->publicKey(), request->serverSigned1(), request->serverSignature1,
                                      crypto::SignatureFormat::Raw);
        !ok)
        return refuse(QStringLiteral("the profile server's signature does not verify"));
    if (!crypto::equalConstantTime(request->euiccChallenge, challenge))
        return refuse(QStringLiteral("the profile server answered another challenge (a replay)"));

    m_transactionId = request->transactionId;
    m_serverAddress = request->serverAddress;
    m_serverCertificate = leaf.value();
    protocol::AuthenticateServerResponse answer;
    answer.transactionId = request->transactionId;
    answer.serverAddress = request->serverAddress;
    answer.serverChallenge = request->serverChallenge;
    answer.euiccInfo2 = protocol::EuiccInfo2 { request->ciKeyId }.encode();
    answer.ctxParams1 = request->ctxParams1(); // echoed (SGP.22 section 5.7.13)
    auto signature = crypto::ecdsaSign(m_identity.key, answer.euiccSigned1(), crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    answer.euiccSignature1 = signature.value();
    answer.euiccCertificate = m_identity.certificateChain.value(0);
    answer.eumCertificate = m_identity.certificateChain.value(1);
    m_euiccSignature1Object = answer.signatureObject();
    m_authenticated = true;
    return answer.encode();
}

Result<QByteArray> EuiccSession::prepareDownload(const QByteArray &requestBytes, const crypto::ChainVerifier &certificateIssuer,
                                                 const QDateTime &now)
{
    const auto refuse = [](const QString &why) { return failWith(ErrorCode::ServerNotAuthenticated, why); };
    if (!m_authenticated || m_transactionId.isEmpty())
        return refuse(QStringLiteral("the device has not authenticated a profile server in this session"));
    m_authenticated = false; // single use
    auto request = protocol::PrepareDownloadRequest::decode(requestBytes);
    if (!request)
        return refuse(request.errorMessage());
    auto binding = checkServerCertificate(request->smdpCertificate, certificateIssuer, now,
                                          crypto::RspRole::ProfileServerBinding, &m_serverCertificate);
    if (!binding)
        return binding.error();
    if (request->transactionId != m_transactionId)
        return refuse(QStringLiteral("PrepareDownload belongs to another transaction"));
    if (auto ok = crypto::ecdsaVerify(binding->publicKey(), request->signedData(m_euiccSignature1Object),
                                      request->smdpSignature2, crypto::SignatureFormat::Raw);
        !ok)
        return refuse(QStringLiteral("PrepareDownload is not signed by the profile server for this session"));

    m_serverKey = binding->publicKey();
    m_oneTimeKey = crypto::EcPrivateKey::generate();
    protocol::PrepareDownloadResponse answer;
    answer.transactionId = m_transactionId;
    answer.euiccOneTimePublicKey = m_oneTimeKey.publicPoint();
    m_smdpSignature2Object = request->signatureObject();
    auto signature = crypto::ecdsaSign(m_identity.key, answer.signedData(m_smdpSignature2Object), crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    answer.euiccSignature2 = signature.value();
    return answer.encode();
}

Result<LoadedProfile> EuiccSession::load(const QByteArray &boundProfilePackage, const std::function<bool(int)> &interrupted)
{
    auto package = protocol::BoundProfilePackage::decode(boundProfilePackage);
    if (!package) {
        m_oneTimeKey = {};
        m_transactionId.clear();
        return failWith(ErrorCode::PackageRejected, package.errorMessage());
    }
    return load(package.value(), interrupted);
}

Result<LoadedProfile> EuiccSession::load(const protocol::BoundProfilePackage &bpp, const std::function<bool(int)> &interrupted)
{
    const auto reject = [this](const QString &why) {
        m_oneTimeKey = {};
        m_transactionId.clear();
        return failWith(ErrorCode::PackageRejected, why);
    };
    if (m_oneTimeKey.isNull() || m_transactionId.isEmpty())
        return reject(QStringLiteral("no authenticated download session is open on the device"));

    // ES8+.InitialiseSecureChannel (SGP.22 section 5.5.1): signed by the server this session
    // authenticated, over its data objects and our own one-time key; for this transaction.
    const protocol::InitialiseSecureChannelRequest &isc = bpp.initialiseSecureChannel;
    if (auto ok = crypto::ecdsaVerify(m_serverKey, isc.signedData(m_oneTimeKey.publicPoint()), isc.signature,
                                      crypto::SignatureFormat::Raw);
        !ok)
        return reject(QStringLiteral("InitialiseSecureChannel is not signed by the authenticated server for this session"));
    if (isc.transactionId != m_transactionId)
        return reject(QStringLiteral("InitialiseSecureChannel belongs to another transaction"));
    auto serverKey = crypto::EcPublicKey::fromUncompressedPoint(isc.serverOneTimePublicKey);
    if (!serverKey)
        return reject(serverKey.errorMessage());
    auto shared = crypto::ecdh(m_oneTimeKey, serverKey.value());
    m_oneTimeKey = {}; // one-time: never used again, whatever happens next
    if (!shared)
        return reject(shared.errorMessage());
    auto keys = protocol::SessionKeys::derive(shared.value(), isc.hostId, QByteArray::fromHex(m_identity.eid.toLatin1()));
    if (!keys)
        return reject(keys.errorMessage());
    protocol::SecureChannel channel(std::move(keys).value());

    // The segments in the order they arrive; interrupted(i) is asked before the i-th (from 1).
    int index = 0;
    const auto stop = [&]() { return interrupted && interrupted(++index); };
    const auto restarted = [this]() {
        m_transactionId.clear();
        return failWith(ErrorCode::DeviceRestarted, QStringLiteral("the device restarted during the download; nothing was installed"));
    };
    for (const QByteArray &segment : std::as_const(bpp.configureIsdp)) {
        if (stop())
            return restarted();
        auto opened = channel.open(0x87, segment);
        if (!opened)
            return reject(opened.errorMessage());
        if (auto ok = protocol::decodeConfigureIsdp(opened->view()); !ok)
            return reject(ok.errorMessage());
    }
    QByteArray metadataBytes;
    for (const QByteArray &segment : std::as_const(bpp.storeMetadata)) {
        if (stop())
            return restarted();
        auto opened = channel.openMacOnly(0x88, segment);
        if (!opened)
            return reject(opened.errorMessage());
        metadataBytes += opened.value();
    }
    LoadedProfile loaded;
    auto metadata = protocol::ProfileMetadata::decode(metadataBytes);
    if (!metadata)
        return reject(metadata.errorMessage());
    loaded.metadata = metadata.value();
    if (!bpp.replaceSessionKeys.isEmpty())
        return reject(QStringLiteral("the package replaces the session keys, which this device does not support"));
    QByteArray package;
    package.reserve(bpp.profileElements.size() * protocol::SecureChannel::maxEncryptedData);
    for (const QByteArray &segment : std::as_const(bpp.profileElements)) {
        if (stop()) {
            crypto::wipeBytes(package);
            return restarted();
        }
        auto opened = channel.open(0x86, segment);
        if (!opened) {
            crypto::wipeBytes(package);
            return reject(opened.errorMessage());
        }
        package.append(opened->view());
    }
    m_transactionId.clear();
    auto content = protocol::decodeProfilePackage(package);
    crypto::wipeBytes(package);
    if (!content)
        return reject(content.errorMessage());
    if (content->iccid != loaded.metadata.iccid)
        return reject(QStringLiteral("the metadata names ICCID %1 but the profile is %2").arg(loaded.metadata.iccid, content->iccid));
    if (!content->imsi.startsWith(loaded.metadata.plmn))
        return reject(QStringLiteral("the profile's IMSI does not belong to the network its metadata names"));
    loaded.content = std::move(content).value();
    return loaded;
}

} // namespace simfleet::simulation
