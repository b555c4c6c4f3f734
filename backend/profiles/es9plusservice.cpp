#include "es9plusservice.h"

#include "profileslog.h"

#include "core/clock.h"
#include "crypto/certificate.h"
#include "crypto/ecdsa.h"
#include "protocol/authenticateserver.h"
#include "protocol/cancelsession.h"
#include "protocol/der.h"
#include "protocol/euiccinfo.h"
#include "protocol/notifications.h"
#include "protocol/preparedownload.h"

namespace simfleet::profiles {

using namespace protocol::es9plus;
using Reply = Es9PlusService::Reply;

namespace {

Reply failed(const StatusCode &status)
{
    return { failedResponse(status) };
}

QString hex(const QByteArray &id)
{
    return QString::fromLatin1(id.toHex().toUpper());
}

StatusCode noCertificateForDevice(const QString &why)
{
    // SGP.22 section 6.5.2.6: the server has no CERT.DPauth from a CI the eUICC verifies with.
    return { QStringLiteral("8.8.4"), QStringLiteral("3.7"), QStringLiteral("euiccInfo1"), why };
}

} // namespace

Es9PlusService::Es9PlusService(std::shared_ptr<const ProfileServer> server, const Clock &clock, std::chrono::seconds sessionLifetime,
                               std::shared_ptr<DownloadOrderBook> orders)
    : m_server(std::move(server)),
      m_clock(clock),
      m_lifetime(sessionLifetime),
      m_orders(orders ? std::move(orders) : std::make_shared<DownloadOrderBook>())
{
}

Es9PlusService::~Es9PlusService() = default;

void Es9PlusService::addOrder(DownloadOrder order)
{
    m_orders->addForEid(std::move(order));
}

qsizetype Es9PlusService::pendingOrders() const
{
    return m_orders->pendingDownloads();
}

qsizetype Es9PlusService::openSessions() const
{
    QMutexLocker lock(&m_mutex);
    return m_sessions.size();
}

QList<Es9PlusInstallation> Es9PlusService::installations() const
{
    QMutexLocker lock(&m_mutex);
    return m_installations;
}

Reply Es9PlusService::handle(Function function, QByteArrayView requestBody)
{
    switch (function) {
    case Function::InitiateAuthentication: return initiateAuthentication(requestBody);
    case Function::AuthenticateClient: return authenticateClient(requestBody);
    case Function::GetBoundProfilePackage: return getBoundProfilePackage(requestBody);
    case Function::HandleNotification: return handleNotification(requestBody);
    case Function::CancelSession: return cancelSession(requestBody);
    }
    return failed(status::executionError(QStringLiteral("no such function")));
}

void Es9PlusService::notify(const BookedOrder &order, const QString &eid, protocol::es2plus::NotificationPoint point,
                            const std::optional<StatusCode> &failure, const QByteArray &resultData) const
{
    // Only an operator that ordered over ES2+ has asked to hear (section 5.3.5).
    if (!m_progress || !order.viaEs2Plus)
        return;
    protocol::es2plus::HandleDownloadProgressInfoRequest progress;
    progress.eid = eid;
    progress.iccid = order.order.profile.iccid;
    progress.profileType = order.profileType;
    progress.timestamp = m_clock.now();
    progress.notificationPointId = int(point);
    progress.failure = failure;
    progress.resultData = resultData;
    m_progress(progress);
}

void Es9PlusService::expireLocked(const QDateTime &now)
{
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        if (!it->busy && it->started.addSecs(m_lifetime.count()) <= now) {
            qCInfo(lcProfiles) << "ES9+ session" << hex(it.key()) << "expired";
            // An order whose package was never bound is the device's to ask for again.
            if (it->order && it->step != Step::Bound)
                m_orders->handBack(it->order->id);
            it = m_sessions.erase(it);
        } else {
            ++it;
        }
    }
}

std::variant<Es9PlusService::Session, StatusCode> Es9PlusService::claim(const QByteArray &transactionId, Step expected)
{
    QMutexLocker lock(&m_mutex);
    expireLocked(m_clock.now());
    auto it = m_sessions.find(transactionId);
    if (it == m_sessions.end())
        return status::unknownTransaction(
            QStringLiteral("transaction %1 is unknown, ended or expired; start again with initiateAuthentication").arg(hex(transactionId)));
    if (it->busy || it->step != expected)
        return status::unknownTransaction(QStringLiteral("transaction %1 does not take this call now (a replay, or a call out of "
                                                         "SGP.22's order)")
                                              .arg(hex(transactionId)));
    it->busy = true;
    return *it;
}

void Es9PlusService::release(const QByteArray &transactionId, std::optional<Session> next)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_sessions.find(transactionId);
    if (it == m_sessions.end())
        return;
    if (next) {
        next->busy = false;
        *it = std::move(*next);
        return;
    }
    if (it->order && it->step != Step::Bound)
        m_orders->handBack(it->order->id);
    m_sessions.erase(it);
}

Reply Es9PlusService::initiateAuthentication(QByteArrayView requestBody)
{
    // ES9+.InitiateAuthentication (SGP.22 section 5.6.1).
    auto parsed = InitiateAuthenticationRequest::fromJson(requestBody);
    if (auto *refused = std::get_if<StatusCode>(&parsed))
        return failed(*refused);
    const auto &request = std::get<InitiateAuthenticationRequest>(parsed);
    if (request.smdpAddress != m_server->address())
        return failed(status::invalidSmdpAddress(
            QStringLiteral("this profile server is %1, not %2").arg(m_server->address(), request.smdpAddress)));
    if (request.euiccChallenge.size() != 16)
        return failed(status::invalidFormat(QStringLiteral("euiccChallenge"), QStringLiteral("euiccChallenge is not 16 bytes")));
    auto info = protocol::EuiccInfo1::decode(request.euiccInfo1);
    if (!info)
        return failed(status::invalidFormat(QStringLiteral("euiccInfo1"), info.errorMessage()));
    if (info->svn.isEmpty() || info->svn.at(0) != 2)
        return failed(status::unsupportedVersion(
            QStringLiteral("the eUICC implements SGP.22 version %1; this server speaks version 2").arg(QString::fromLatin1(info->svn.toHex()))));

    Session session;
    auto made = m_server->authenticateServerRequest({}, request.euiccChallenge, request.euiccInfo1, session.download);
    if (!made)
        return failed(made.error().code == ErrorCode::ServerNotAuthenticated ? noCertificateForDevice(made.errorMessage())
                                                                             : status::unsupportedCiKey(made.errorMessage()));
    session.started = m_clock.now();
    InitiateAuthenticationResponse response;
    response.transactionId = made->transactionId;
    response.serverSigned1 = made->serverSigned1();
    response.serverSignature1 = protocol::der::tlv(0x5F37, made->serverSignature1);
    response.euiccCiPKIdToBeUsed = protocol::der::tlv(0x04, made->ciKeyId);
    response.serverCertificate = made->serverCertificate;
    {
        QMutexLocker lock(&m_mutex);
        expireLocked(session.started);
        m_sessions.insert(made->transactionId, std::move(session));
    }
    qCDebug(lcProfiles) << "ES9+ session" << hex(response.transactionId) << "initiated";
    return { response.toJson() };
}

Reply Es9PlusService::authenticateClient(QByteArrayView requestBody)
{
    // ES9+.AuthenticateClient (SGP.22 section 5.6.3): the device authenticated, its EID learned
    // from CERT.EUICC, and the order it asks for (by the Matching ID in its signed ctxParams1, or
    // by its EID) bound to the session.
    auto parsed = AuthenticateClientRequest::fromJson(requestBody);
    if (auto *refused = std::get_if<StatusCode>(&parsed))
        return failed(*refused);
    const auto &request = std::get<AuthenticateClientRequest>(parsed);
    auto decoded = protocol::AuthenticateServerResponse::decode(request.authenticateServerResponse);
    if (!decoded)
        return failed(status::invalidFormat(QStringLiteral("authenticateServerResponse"), decoded.errorMessage()));
    auto matchingId = decoded->matchingId();
    if (!matchingId)
        return failed(status::invalidFormat(QStringLiteral("authenticateServerResponse"), matchingId.errorMessage()));
    auto claimed = claim(request.transactionId, Step::Initiated);
    if (auto *refused = std::get_if<StatusCode>(&claimed))
        return failed(*refused);
    Session session = std::get<Session>(std::move(claimed));

    auto prepare = m_server->prepareDownloadRequest(request.authenticateServerResponse, session.download, m_clock.now());
    if (!prepare) {
        release(request.transactionId, std::nullopt); // SGP.22: the session ends with the failure
        return failed(status::euiccVerificationFailed(prepare.errorMessage()));
    }
    // Only now is the Matching ID known to come from this eUICC: it signed euiccSigned1.
    auto taken = m_orders->takeForDownload(session.download.eid, matchingId.value());
    if (auto *refused = std::get_if<DownloadRefusal>(&taken)) {
        release(request.transactionId, std::nullopt);
        qCInfo(lcProfiles) << "ES9+ session" << hex(request.transactionId) << "refused:" << refused->status.message;
        if (refused->identified)
            notify(*refused->identified, session.download.eid, protocol::es2plus::NotificationPoint::EligibilityCheck, refused->status);
        return failed(refused->status);
    }
    session.order = std::get<BookedOrder>(std::move(taken));
    notify(*session.order, session.download.eid, protocol::es2plus::NotificationPoint::EligibilityCheck, std::nullopt);
    AuthenticateClientResponse response;
    response.transactionId = request.transactionId;
    response.profileMetadata = m_server->storedMetadata(session.order->order).encode();
    response.smdpSigned2 = prepare->smdpSigned2();
    response.smdpSignature2 = prepare->signatureObject();
    response.smdpCertificate = prepare->smdpCertificate;
    session.step = Step::Authenticated;
    release(request.transactionId, std::move(session));
    return { response.toJson() };
}

Reply Es9PlusService::getBoundProfilePackage(QByteArrayView requestBody)
{
    // ES9+.GetBoundProfilePackage (SGP.22 section 5.6.2).
    auto parsed = GetBoundProfilePackageRequest::fromJson(requestBody);
    if (auto *refused = std::get_if<StatusCode>(&parsed))
        return failed(*refused);
    const auto &request = std::get<GetBoundProfilePackageRequest>(parsed);
    if (auto decoded = protocol::PrepareDownloadResponse::decode(request.prepareDownloadResponse); !decoded)
        return failed(status::invalidFormat(QStringLiteral("prepareDownloadResponse"), decoded.errorMessage()));
    auto claimed = claim(request.transactionId, Step::Authenticated);
    if (auto *refused = std::get_if<StatusCode>(&claimed))
        return failed(*refused);
    Session session = std::get<Session>(std::move(claimed));

    const auto point = protocol::es2plus::NotificationPoint::BppDownload;
    auto bpp = m_server->getBoundProfilePackage(session.order->order, request.prepareDownloadResponse, session.download);
    if (!bpp) {
        const StatusCode refusal = bpp.error().code == ErrorCode::DeviceNotAuthenticated ? status::euiccVerificationFailed(bpp.errorMessage())
                                                                                          : status::executionError(bpp.errorMessage());
        notify(*session.order, session.download.eid, point, refusal);
        release(request.transactionId, std::nullopt);
        return failed(refusal);
    }
    // The order is used from here on; an order the operator cancelled meanwhile sends nothing.
    if (!m_orders->markDownloaded(session.order->id, session.download.eid)) {
        session.order.reset();
        release(request.transactionId, std::nullopt);
        return failed(status::unknownTransaction(
            QStringLiteral("transaction %1 ended: the operator cancelled its order").arg(hex(request.transactionId))));
    }
    notify(*session.order, session.download.eid, point, std::nullopt);
    session.step = Step::Bound;
    release(request.transactionId, std::move(session));
    return { GetBoundProfilePackageResponse { request.transactionId, bpp.value() }.toJson() };
}

Reply Es9PlusService::handleNotification(QByteArrayView requestBody)
{
    // ES9+.HandleNotification (SGP.22 section 5.6.4) answers nothing (section 6.2: HTTP 204),
    // whatever it holds; a notification that does not verify is only logged.
    auto parsed = HandleNotificationRequest::fromJson(requestBody);
    if (auto *refused = std::get_if<StatusCode>(&parsed)) {
        qCInfo(lcProfiles) << "ES9+ notification refused:" << refused->message;
        return {};
    }
    const QByteArray der = std::get<HandleNotificationRequest>(parsed).pendingNotification;
    auto notification = protocol::PendingNotification::decode(der);
    if (!notification) {
        qCInfo(lcProfiles) << "ES9+ notification refused:" << notification.errorMessage();
        return {};
    }
    if (!notification->isInstallationResult()) {
        const auto &other = std::get<protocol::OtherSignedNotification>(notification->content);
        auto leaf = crypto::Certificate::fromDer(other.euiccCertificate);
        auto manufacturer = crypto::Certificate::fromDer(other.eumCertificate);
        const bool verified = leaf && manufacturer && m_server->deviceTrust().verifyAt(leaf.value(), { manufacturer.value() }, m_clock.now())
            && crypto::checkEidInManufacturerRange(leaf.value(), manufacturer.value())
            && crypto::ecdsaVerify(leaf->publicKey(), other.signedData(), other.signature, crypto::SignatureFormat::Raw);
        qCInfo(lcProfiles) << "ES9+ notification" << other.metadata.sequenceNumber << "for" << other.metadata.iccid
                           << (verified ? "verified" : "does not verify");
        return {};
    }
    const auto &result = std::get<protocol::ProfileInstallationResult>(notification->content);
    auto claimed = claim(result.transactionId, Step::Bound);
    if (auto *refused = std::get_if<StatusCode>(&claimed)) {
        qCInfo(lcProfiles) << "ES9+ installation result refused:" << refused->message;
        return {};
    }
    Session session = std::get<Session>(std::move(claimed));
    if (auto verified = m_server->verifiedInstallationResult(der, session.download); !verified) {
        // Not from the session's device: the session waits for its own result.
        release(result.transactionId, std::move(session));
        qCInfo(lcProfiles) << "ES9+ installation result refused:" << verified.errorMessage();
        return {};
    }
    auto iccid = ProfileServer::installedIccid(session.order->order, result);
    // Section 5.3.5: the eUICC's own result goes to the operator as resultData.
    notify(*session.order, session.download.eid, protocol::es2plus::NotificationPoint::BppInstallation,
           iccid ? std::nullopt
                 : std::optional(protocol::jsonbinding::statusCode("8.2.10", "4.2", QStringLiteral("boundProfilePackage"),
                                                                   iccid.errorMessage())),
           der);
    {
        QMutexLocker lock(&m_mutex);
        m_installations.append({ session.download.eid, result.transactionId, iccid ? iccid.value() : QString(), iccid.errorMessage() });
    }
    release(result.transactionId, std::nullopt);
    return {};
}

Reply Es9PlusService::cancelSession(QByteArrayView requestBody)
{
    // ES9+.CancelSession (SGP.22 section 5.6.5): the eUICC's signed cancellation ends the session;
    // an order whose package was not bound yet stays for the device.
    auto parsed = CancelSessionRequest::fromJson(requestBody);
    if (auto *refused = std::get_if<StatusCode>(&parsed))
        return failed(*refused);
    const auto &request = std::get<CancelSessionRequest>(parsed);
    auto cancel = protocol::CancelSessionResponse::decode(request.cancelSessionResponse);
    if (!cancel)
        return failed(status::invalidFormat(QStringLiteral("cancelSessionResponse"), cancel.errorMessage()));
    std::variant<Session, StatusCode> claimed = status::unknownTransaction({});
    for (Step step : { Step::Initiated, Step::Authenticated, Step::Bound }) {
        claimed = claim(request.transactionId, step);
        if (std::holds_alternative<Session>(claimed))
            break;
    }
    if (auto *refused = std::get_if<StatusCode>(&claimed))
        return failed(*refused);
    Session session = std::get<Session>(std::move(claimed));
    // Before AuthenticateClient the server has no device key to check the signature with; the
    // transaction ID, which only the client was told, is what identifies the session then.
    const bool signedByDevice = session.download.deviceKey.isNull()
        || crypto::ecdsaVerify(session.download.deviceKey, cancel->signedData(), cancel->signature, crypto::SignatureFormat::Raw);
    if (cancel->transactionId != request.transactionId || !signedByDevice) {
        release(request.transactionId, std::move(session));
        return failed(status::euiccVerificationFailed(QStringLiteral("the cancellation is not signed by the session's eUICC")));
    }
    qCInfo(lcProfiles) << "ES9+ session" << hex(request.transactionId) << "cancelled, reason" << int(cancel->reason);
    release(request.transactionId, std::nullopt);
    return { successResponse() };
}

} // namespace simfleet::profiles
