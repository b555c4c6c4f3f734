#include "euiccsession.h"

#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/constanttime.h"
#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/random.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/securechannel.h"


namespace simfleet::simulation {

EuiccSession::EuiccSession(Identity identity) : m_identity(std::move(identity)) { }

QByteArray EuiccSession::challenge()
{
    m_challenge = crypto::randomBytes(16);
    m_transactionId.clear();
    m_oneTimeKey = {};
    m_serverKey = {};
    return m_challenge;
}

Result<protocol::DeviceAuthentication> EuiccSession::authenticateServer(const protocol::ServerAuthentication &request,
                                                              const crypto::ChainVerifier &certificateIssuer,
                                                              const QDateTime &now)
{
    const auto refuse = [](const QString &why) { return failWith(ErrorCode::ServerNotAuthenticated, why); };
    if (m_challenge.isEmpty())
        return refuse(QStringLiteral("the device issued no challenge; start the download again"));
    const QByteArray challenge = std::exchange(m_challenge, {}); // single use
    if (request.serverCertificates.isEmpty())
        return refuse(QStringLiteral("the profile server sent no certificate"));
    auto leaf = crypto::Certificate::fromDer(request.serverCertificates.first());
    if (!leaf)
        return refuse(QStringLiteral("the profile server's certificate does not parse: %1").arg(leaf.errorMessage()));
    QList<crypto::Certificate> intermediates;
    for (qsizetype i = 1; i < request.serverCertificates.size(); ++i) {
        auto c = crypto::Certificate::fromDer(request.serverCertificates.at(i));
        if (!c)
            return refuse(c.errorMessage());
        intermediates.append(c.value());
    }
    // SGP.22 section 3.1.2.2 (eUICC verifies CERT.DPauth): chain to the CI, and the role.
    if (auto chain = certificateIssuer.verifyAt(leaf.value(), intermediates, now); !chain)
        return refuse(QStringLiteral("the profile server's certificate does not chain to the certificate issuer: %1")
                          .arg(chain.errorMessage()));
    if (leaf->role() != crypto::CertificateRole::ProfileServer)
        return refuse(QStringLiteral("the certificate presented is not a profile server's"));
    if (auto ok = crypto::ecdsaVerify(leaf->publicKey(), request.serverSigned1, request.serverSignature1,
                                      crypto::SignatureFormat::Raw);
        !ok)
        return refuse(QStringLiteral("the profile server's signature does not verify"));
    auto signed1 = protocol::ServerSigned1::decode(request.serverSigned1);
    if (!signed1)
        return refuse(signed1.errorMessage());
    if (!crypto::equalConstantTime(signed1->euiccChallenge, challenge))
        return refuse(QStringLiteral("the profile server answered another challenge (a replay)"));

    m_serverKey = leaf->publicKey();
    m_transactionId = signed1->transactionId;
    m_oneTimeKey = crypto::EcPrivateKey::generate();
    protocol::EuiccSigned1 answer;
    answer.transactionId = signed1->transactionId;
    answer.serverChallenge = signed1->serverChallenge;
    answer.serverAddress = signed1->serverAddress;
    answer.eid = m_identity.eid;
    answer.oneTimePublicKey = m_oneTimeKey.publicPoint();
    protocol::DeviceAuthentication out;
    out.euiccSigned1 = answer.encode();
    auto signature = crypto::ecdsaSign(m_identity.key, out.euiccSigned1, crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    out.euiccSignature1 = signature.value();
    out.deviceCertificates = m_identity.certificateChain;
    return out;
}

Result<LoadedProfile> EuiccSession::load(const QByteArray &boundProfilePackage, const std::function<bool(int)> &interrupted)
{
    const auto reject = [this](const QString &why) {
        m_oneTimeKey = {};
        m_transactionId.clear();
        return failWith(ErrorCode::PackageRejected, why);
    };
    if (m_oneTimeKey.isNull() || m_transactionId.isEmpty())
        return reject(QStringLiteral("no authenticated download session is open on the device"));
    auto bpp = protocol::BoundProfilePackage::decode(boundProfilePackage);
    if (!bpp)
        return reject(bpp.errorMessage());

    // ES8+.InitialiseSecureChannel (SGP.22 section 5.5.1): signed by the server this session
    // authenticated, over its data objects and our own one-time key; for this transaction.
    const protocol::InitialiseSecureChannelRequest &isc = bpp->initialiseSecureChannel;
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
    for (const QByteArray &segment : std::as_const(bpp->configureIsdp)) {
        if (stop())
            return restarted();
        auto opened = channel.open(0x87, segment);
        if (!opened)
            return reject(opened.errorMessage());
        if (auto ok = protocol::decodeConfigureIsdp(opened->view()); !ok)
            return reject(ok.errorMessage());
    }
    QByteArray metadataBytes;
    for (const QByteArray &segment : std::as_const(bpp->storeMetadata)) {
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
    if (!bpp->replaceSessionKeys.isEmpty())
        return reject(QStringLiteral("the package replaces the session keys, which this device does not support"));
    QByteArray package;
    package.reserve(bpp->profileElements.size() * protocol::SecureChannel::maxEncryptedData);
    for (const QByteArray &segment : std::as_const(bpp->profileElements)) {
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
