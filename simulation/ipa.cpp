#include "ipa.h"

#include "simulateddevice.h"
#include "simulationlog.h"

#include "devices/devicelink.h"
#include "net/es9plusdownload.h"
#include "net/es9plusfunctions.h"
#include "net/rsphttpsclient.h"
#include "protocol/activationcode.h"
#include "protocol/esiparelay.h"
#include "protocol/eimpackage.h"
#include "protocol/esipa.h"
#include "protocol/ipaeuiccdata.h"
#include "protocol/notifications.h"

namespace simfleet::simulation {

namespace esipa = protocol::esipa;

EsipaHttpsTransport::EsipaHttpsTransport(QUrl eim, QList<QSslCertificate> roots, QString peerName,
                                         std::chrono::milliseconds timeout)
    : m_client(std::make_shared<net::RspHttpsClient>(std::move(eim), std::move(roots), std::move(peerName), timeout))
{
    m_client->setPeerRole(QStringLiteral("the eIM"));
}

EsipaHttpsTransport::~EsipaHttpsTransport() = default;

Result<QByteArray> EsipaHttpsTransport::operator()(const QByteArray &message)
{
    auto reply = m_client->post(QString::fromLatin1(esipa::path), message, esipa::contentType, esipa::adminProtocol,
                                esipa::maxResponseBytes);
    if (!reply)
        return reply.error();
    if (reply->status == 204)
        return QByteArray();
    if (reply->status != 200)
        return fail(QStringLiteral("the eIM answered HTTP %1: %2").arg(reply->status).arg(QString::fromUtf8(reply->body.left(200)).trimmed()));
    return reply->body;
}

Ipa::Ipa(SimulatedDevice &device, EsipaTransport transport) : m_device(device), m_transport(std::move(transport)) { }

Result<QByteArray> Ipa::exchange(const QByteArray &message) const
{
    return m_transport(message);
}

namespace {

QByteArray provide(esipa::ProvideEimPackageResult result)
{
    return esipa::encode(esipa::MessageFromIpa(std::move(result)));
}

QByteArray packageError(int code)
{
    return provide(esipa::ProvideEimPackageResult { code, {} });
}

// The profile server as the IPA reaches it: through its eIM's ESipa relay (SGP.32 section
// 3.2.1, the indirect download), the ES9+ values in ESipa's DER.
class RelayedEs9Plus : public net::Es9PlusFunctions
{
public:
    explicit RelayedEs9Plus(const EsipaTransport &transport) : m_transport(transport) { }

    Result<protocol::es9plus::InitiateAuthenticationResponse>
    initiateAuthentication(const protocol::es9plus::InitiateAuthenticationRequest &request) override
    {
        return answer<esipa::InitiateAuthenticationResponse>(protocol::esiparelay::toEsipa(request));
    }
    Result<protocol::es9plus::AuthenticateClientResponse> authenticateClient(const protocol::es9plus::AuthenticateClientRequest &request) override
    {
        return answer<esipa::AuthenticateClientResponse>(protocol::esiparelay::toEsipa(request));
    }
    Result<protocol::es9plus::GetBoundProfilePackageResponse>
    getBoundProfilePackage(const protocol::es9plus::GetBoundProfilePackageRequest &request) override
    {
        return answer<esipa::GetBoundProfilePackageResponse>(protocol::esiparelay::toEsipa(request));
    }
    Result<void> handleNotification(const protocol::es9plus::HandleNotificationRequest &request) override
    {
        auto reply = m_transport(esipa::encode(esipa::MessageFromIpa(esipa::HandleNotification { request.pendingNotification })));
        return reply ? Result<void>() : Result<void>(reply.error());
    }
    Result<void> cancelSession(const protocol::es9plus::CancelSessionRequest &request) override
    {
        auto reply = exchange(protocol::esiparelay::toEsipa(request));
        if (!reply)
            return reply.error();
        const auto *answered = std::get_if<esipa::CancelSessionResponse>(&reply.value());
        if (!answered || answered->error)
            return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("the eIM did not cancel the session"));
        return {};
    }

private:
    Result<esipa::MessageFromEim> exchange(esipa::MessageFromIpa message)
    {
        auto reply = m_transport(esipa::encode(message));
        if (!reply)
            return failWith(reply.error().code == ErrorCode::None ? ErrorCode::ProfileServerUnreachable : reply.error().code,
                            reply.errorMessage());
        auto decoded = esipa::decodeFromEim(reply.value());
        if (!decoded)
            return failWith(ErrorCode::ProfileServerRefused, QStringLiteral("the eIM's answer does not read: %1").arg(decoded.errorMessage()));
        return decoded;
    }
    template<typename Response, typename Request>
    auto answer(Request request) -> decltype(protocol::esiparelay::toEs9(std::declval<Response>()))
    {
        auto reply = exchange(std::move(request));
        if (!reply)
            return reply.error();
        const auto *response = std::get_if<Response>(&reply.value());
        if (!response)
            return failWith(ErrorCode::ProfileServerRefused,
                            QStringLiteral("the eIM answered with %1").arg(esipa::messageName(reply.value())));
        return protocol::esiparelay::toEs9(*response);
    }
    const EsipaTransport &m_transport;
};

// The eUICC as its IPA reaches it (ES10b, inside the device): the calls a download makes.
class EuiccOfIpa : public devices::DeviceLink
{
public:
    explicit EuiccOfIpa(SimulatedDevice &device) : m_device(device) { }
    QString eid() const override { return m_device.spec().eid; }
    devices::Answer<devices::DeviceInfo> info() override { return now<devices::DeviceInfo>([](SimulatedDevice &d) { return d.info(); }); }
    devices::Answer<QByteArray> attest(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.attest(r); }); }
    devices::Answer<QByteArray> profilesInfo(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.profilesInfo(r); }); }
    devices::Answer<QByteArray> enableProfile(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.changeProfile(r); }); }
    devices::Answer<QByteArray> disableProfile(const QByteArray &r) override { return enableProfile(r); }
    devices::Answer<QByteArray> deleteProfile(const QByteArray &r) override { return enableProfile(r); }
    devices::Answer<QByteArray> listNotifications(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.listNotifications(r); }); }
    devices::Answer<QByteArray> retrieveNotifications(const QByteArray &r) override
    {
        return bytes([r](SimulatedDevice &d) { return d.retrieveNotifications(r); });
    }
    devices::Answer<QByteArray> removeNotification(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.removeNotification(r); }); }
    devices::Answer<QByteArray> euiccInfo1() override { return bytes([](SimulatedDevice &d) { return d.euiccInfo1(); }); }
    devices::Answer<QByteArray> challenge() override { return bytes([](SimulatedDevice &d) { return d.challenge(); }); }
    devices::Answer<QByteArray> authenticateServer(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.authenticateServer(r); }); }
    devices::Answer<QByteArray> prepareDownload(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.prepareDownload(r); }); }
    devices::Answer<QByteArray> loadBoundPackage(const QByteArray &r) override { return bytes([r](SimulatedDevice &d) { return d.loadBoundPackage(r); }); }
    devices::Answer<devices::AttachReport> attach(const QByteArray &rand, const QByteArray &autn) override
    {
        return now<devices::AttachReport>([rand, autn](SimulatedDevice &d) { return d.attach(rand, autn); });
    }

private:
    template<typename T>
    devices::Answer<T> now(const std::function<Result<T>(SimulatedDevice &)> &call)
    {
        return devices::Answer<T>::ready(call(m_device));
    }
    devices::Answer<QByteArray> bytes(const std::function<Result<QByteArray>(SimulatedDevice &)> &call) { return now<QByteArray>(call); }
    SimulatedDevice &m_device;
};

} // namespace

Ipa::Ran Ipa::run(const QByteArray &packageBytes)
{
    const QString eid = m_device.spec().eid;
    auto message = esipa::decodeFromEim(packageBytes);
    const auto *response = message ? std::get_if<esipa::GetEimPackageResponse>(&message.value()) : nullptr;
    if (!response)
        return { packageError(esipa::ProvideEimPackageResult::InvalidPackageFormat), {} };

    if (const auto *request = std::get_if<protocol::EuiccPackageRequest>(&response->content)) {
        // SGP.32 section 3.5: the IPA hands the package to the eUICC as it is.
        const QByteArray transactionId = request->content.transactionId;
        if (auto kept = m_unacknowledged.constFind(transactionId); !transactionId.isEmpty() && kept != m_unacknowledged.cend())
            return { kept.value(), transactionId };
        auto answer = m_device.loadEuiccPackage(request->encode());
        if (!answer)
            return { packageError(esipa::ProvideEimPackageResult::InvalidPackageFormat), {} };
        auto result = protocol::EuiccPackageResult::decode(answer.value());
        if (!result)
            return { packageError(esipa::ProvideEimPackageResult::UndefinedError), {} };
        QByteArray provided = provide(esipa::ProvideEimPackageResult { std::move(result).value(), {} });
        if (!transactionId.isEmpty())
            m_unacknowledged.insert(transactionId, provided);
        return { provided, transactionId };
    }
    if (const auto *request = std::get_if<protocol::IpaEuiccDataRequest>(&response->content)) {
        auto info = m_device.info();
        if (!info || info->certificateChain.size() < 2)
            return { provide(esipa::ProvideEimPackageResult { protocol::IpaEuiccDataResponse { int(127) }, {} }), {} };
        protocol::IpaEuiccData data;
        if (request->wants(0xA6))
            data.euiccCertificate = info->certificateChain.value(0);
        if (request->wants(0xA5))
            data.eumCertificate = info->certificateChain.value(1);
        if (request->wants(0xBF20)) {
            if (auto info1 = m_device.euiccInfo1())
                data.euiccInfo1 = info1.value();
        }
        return { provide(esipa::ProvideEimPackageResult { protocol::IpaEuiccDataResponse { std::move(data) }, {} }), {} };
    }
    if (const auto *package = std::get_if<esipa::SimfleetEimPackage>(&response->content)) {
        esipa::SimfleetEimPackageResult result;
        result.eimTransactionId = package->eimTransactionId;
        result.kind = package->kind;
        if (package->kind == esipa::SimfleetEimPackage::Kind::Attest) {
            auto evidence = m_device.attest(package->attestationRequest);
            if (!evidence)
                return { packageError(esipa::ProvideEimPackageResult::InvalidPackageFormat), {} };
            result.attestationResponse = evidence.value();
        } else {
            auto report = m_device.attach(package->rand, package->autn);
            if (report) {
                result.iccid = report->iccid;
                result.res = report->res;
                result.fellBack = report->fellBack;
                result.detail = report->detail;
            } else {
                result.detail = report.errorMessage();
                result.attachError = esipa::SimfleetEimPackageResult::attachErrorOf(report.error().code);
            }
        }
        return { provide(esipa::ProvideEimPackageResult { std::move(result), {} }), {} };
    }
    if (const auto *trigger = std::get_if<protocol::ProfileDownloadTriggerRequest>(&response->content)) {
        // SGP.32 section 3.2.1: the IPA downloads with the activation code, through its eIM.
        protocol::ProfileDownloadTriggerResult result;
        result.eimTransactionId = trigger->eimTransactionId;
        auto code = protocol::ActivationCode::parse(trigger->activationCode);
        if (!code) {
            result.errorResponse = code.errorMessage().toUtf8();
            return { provide(esipa::ProvideEimPackageResult { std::move(result), {} }), {} };
        }
        RelayedEs9Plus server(m_transport);
        EuiccOfIpa euicc(m_device);
        QByteArray installation;
        auto installed = net::downloadThroughEs9Plus(server, euicc, code->smdpAddress, std::chrono::seconds(30), code->matchingId,
                                                     &installation);
        if (!installation.isEmpty())
            result.profileInstallationResult = installation;
        else
            result.errorResponse = installed ? QByteArray() : installed.errorMessage().toUtf8();
        if (result.profileInstallationResult.isEmpty() && result.errorResponse.isEmpty())
            result.errorResponse = QByteArrayLiteral("the download ended without an installation result");
        return { provide(esipa::ProvideEimPackageResult { std::move(result), {} }), {} };
    }
    return { packageError(esipa::ProvideEimPackageResult::UnknownPackage), {} };
}

Result<Ipa::CheckIn> Ipa::checkIn()
{
    CheckIn done;
    const QString eid = m_device.spec().eid;
    for (int round = 0; round < maxPackagesPerCheckIn; ++round) {
        auto answer = exchange(esipa::encode(esipa::MessageFromIpa(esipa::GetEimPackageRequest { eid, false, {} })));
        if (!answer)
            return answer.error();
        auto message = esipa::decodeFromEim(answer.value());
        if (!message)
            return fail(QStringLiteral("the eIM's answer to %1 does not read: %2").arg(eid, message.errorMessage()));
        const auto *response = std::get_if<esipa::GetEimPackageResponse>(&message.value());
        if (!response)
            return fail(QStringLiteral("the eIM answered %1's getEimPackage with %2").arg(eid, esipa::messageName(message.value())));
        if (const int *error = std::get_if<int>(&response->content)) {
            if (*error == esipa::GetEimPackageResponse::NoEimPackageAvailable)
                break;
            return fail(QStringLiteral("the eIM refused %1's getEimPackage (eimPackageError %2)").arg(eid).arg(*error));
        }
        const Ran ran = run(answer.value());
        auto acknowledged = exchange(ran.provide);
        if (!acknowledged)
            return acknowledged.error();
        // Answered: the eIM has the result (acknowledged or refused it), so it is not kept.
        if (auto ack = esipa::decodeFromEim(acknowledged.value());
            ack && std::holds_alternative<esipa::ProvideEimPackageResultResponse>(ack.value()))
            m_unacknowledged.remove(ran.transactionId);
        ++done.packages;
        auto delivered = deliverNotifications();
        if (!delivered)
            return delivered.error();
        done.notifications += delivered.value();
    }
    return done;
}

Result<int> Ipa::deliverNotifications()
{
    // SGP.22 section 3.5 as SGP.32 has the IPA do it: retrieve what the eUICC keeps, deliver each
    // to the eIM (handleNotification), remove each delivered.
    auto retrieved = m_device.retrieveNotifications(protocol::RetrieveNotificationsListRequest {}.encode());
    if (!retrieved)
        return 0;
    auto list = protocol::RetrieveNotificationsListResponse::decode(retrieved.value());
    if (!list)
        return 0;
    int delivered = 0;
    for (const protocol::PendingNotification &n : std::as_const(list->notifications)) {
        auto sent = exchange(esipa::encode(esipa::MessageFromIpa(esipa::HandleNotification { n.encode() })));
        if (!sent)
            return sent.error();
        if (m_device.removeNotification(protocol::NotificationSentRequest { n.metadata().sequenceNumber }.encode()))
            ++delivered;
    }
    return delivered;
}

} // namespace simfleet::simulation
