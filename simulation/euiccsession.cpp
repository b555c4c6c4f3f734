#include "euiccsession.h"

#include "crypto/certificate.h"
#include "crypto/chainverifier.h"
#include "crypto/constanttime.h"
#include "crypto/ecdh.h"
#include "crypto/ecdsa.h"
#include "crypto/random.h"

#include <QCborArray>
#include <QCborValue>

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
    m_deviceSignature = out.euiccSignature1;
    return out;
}

Result<LoadedProfile> EuiccSession::load(const QList<QByteArray> &segments, const std::function<bool(int)> &interrupted)
{
    const auto reject = [this](const QString &why) {
        m_oneTimeKey = {};
        m_transactionId.clear();
        return failWith(ErrorCode::PackageRejected, why);
    };
    if (m_oneTimeKey.isNull() || m_transactionId.isEmpty())
        return reject(QStringLiteral("no authenticated download session is open on the device"));
    if (segments.size() < 3)
        return reject(QStringLiteral("the bound profile package has %1 segments; it needs at least 3").arg(segments.size()));

    // Segment 0: InitialiseSecureChannel, signed over itself and our own signature.
    QCborParserError error;
    const QCborValue first = QCborValue::fromCbor(segments.first(), &error);
    if (error.error != QCborError::NoError || !first.isArray() || first.toArray().size() != 2)
        return reject(QStringLiteral("the first segment is not InitialiseSecureChannel"));
    const QByteArray iscBytes = first.toArray().at(0).toByteArray();
    const QByteArray iscSignature = first.toArray().at(1).toByteArray();
    if (auto ok = crypto::ecdsaVerify(m_serverKey, QByteArray(iscBytes + m_deviceSignature), iscSignature, crypto::SignatureFormat::Raw); !ok)
        return reject(QStringLiteral("InitialiseSecureChannel is not signed by the authenticated server for this session"));
    auto isc = protocol::InitialiseSecureChannel::decode(iscBytes);
    if (!isc)
        return reject(isc.errorMessage());
    if (isc->transactionId != m_transactionId)
        return reject(QStringLiteral("InitialiseSecureChannel belongs to another transaction"));
    auto serverKey = crypto::EcPublicKey::fromUncompressedPoint(isc->serverOneTimePublicKey);
    if (!serverKey)
        return reject(serverKey.errorMessage());
    auto shared = crypto::ecdh(m_oneTimeKey, serverKey.value());
    m_oneTimeKey = {}; // one-time: never used again, whatever happens next
    if (!shared)
        return reject(shared.errorMessage());
    auto keys = protocol::SessionKeys::derive(shared.value(), m_transactionId, m_identity.eid);
    if (!keys)
        return reject(keys.errorMessage());
    protocol::SecureChannel channel(std::move(keys).value());

    LoadedProfile loaded;
    QByteArray package;
    int expectedSegments = -1;
    for (qsizetype i = 1; i < segments.size(); ++i) {
        if (interrupted && interrupted(int(i))) {
            m_transactionId.clear();
            crypto::wipeBytes(package);
            return failWith(ErrorCode::DeviceRestarted,
                            QStringLiteral("the device restarted during the download; nothing was installed"));
        }
        auto opened = channel.unprotect(segments.at(i));
        if (!opened) {
            crypto::wipeBytes(package);
            return reject(opened.errorMessage());
        }
        auto &[tag, content] = opened.value();
        if (i == 1) {
            if (tag != protocol::SegmentTag::StoreMetadata)
                return reject(QStringLiteral("the package does not start with its metadata"));
            auto metadata = protocol::ProfileMetadata::decode(content.view());
            if (!metadata)
                return reject(metadata.errorMessage());
            loaded.metadata = metadata.value();
            expectedSegments = metadata->profileSegments;
            continue;
        }
        if (tag != protocol::SegmentTag::LoadProfileElements) {
            crypto::wipeBytes(package);
            return reject(QStringLiteral("segment %1 is not a profile-element segment").arg(i));
        }
        package.append(content.view());
    }
    if (segments.size() - 2 != expectedSegments) {
        crypto::wipeBytes(package);
        return reject(QStringLiteral("the package announced %1 profile segments but carried %2")
                          .arg(expectedSegments)
                          .arg(segments.size() - 2));
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
