// Runs the conversation a device has with the backend, in process, with a simulated device of a
// simulated field: attestation, a profile download (EUICCInfo1, AuthenticateServer,
// PrepareDownload, the bound profile package and the installation result), then ES10c (the
// device's profiles listed, the profile enabled, disabled and deleted) and the notifications
// (listed, retrieved, checked and removed). Every message that crossed the device link is
// written to a directory, one file per message type, named after its ASN.1 type
// (../shared/spec/RSPDefinitions.asn1, or simfleet's own module for the attestation), so an
// independent ASN.1 compiler can decode each (tests/interop/tst_rsp_messages_asn1c.sh). Then
// SGP.32's ESipa messages (SGP32Definitions.asn1) and simfleet's eIM package carrying some of
// them, each file named Type.alternative where one type has several samples. The profile holds
// published test values only (TS 35.208 test set 1); the PKI is made for the run.
#include "acmemeter.h"
#include "esipasamples.h"
#include "sampleorder.h"
#include "crypto/chainverifier.h"
#include "crypto/demopki.h"
#include "devices/euiccprofiles.h"
#include "devices/notificationcollector.h"
#include "devices/tracingdevicelink.h"
#include "identity/eid.h"
#include "profiles/profileserver.h"
#include "protocol/attestationmessage.h"
#include "protocol/authenticateserver.h"
#include "protocol/boundprofilepackage.h"
#include "protocol/der.h"
#include "protocol/es9plus.h"
#include "protocol/esiparelay.h"
#include "protocol/preparedownload.h"
#include "protocol/esipa.h"
#include "protocol/ipaeuiccdata.h"
#include "protocol/notifications.h"
#include "protocol/profileinstallationresult.h"
#include "protocol/profilemanagement.h"
#include "protocol/securechannel.h"
#include "simulation/simulatedfield.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QTemporaryDir>

#include <cstdio>

using namespace simfleet;

namespace {

constexpr std::chrono::seconds patience(10);

// Passes every call to the device and keeps the first request and answer of each message type.
bool write(const QDir &dir, const QString &name, const QByteArray &bytes)
{
    QFile out(dir.filePath(name + QStringLiteral(".der")));
    return out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size();
}

int failed(const QString &why)
{
    std::fprintf(stderr, "rsp_messages_sample: %s\n", qPrintable(why));
    return 1;
}

template<typename T>
Result<T> ask(const devices::Answer<T> &answer)
{
    return answer.wait(patience, QStringLiteral("sample"));
}

// SGP.32's ESipa messages (SGP32Definitions) and simfleet's eIM package, around the SGP.22
// messages of the conversation: its EUICCInfo1, challenge, notification and installation
// result. Where one ASN.1 type has several samples the file is named Type.alternative.
// The eUICC's certificates (CERT.EUM, CERT.EUICC, DER) go into the IpaEuiccData the IPA answers
// a first check-in with, beside the device's EUICCInfo1.
void addEsipaMessages(QMap<QString, QByteArray> &messages, const QString &eid, const QByteArray &challenge,
                      const QByteArray &installationResult, const QByteArray &eumCertificate, const QByteArray &euiccCertificate)
{
    namespace samples = testing::esipa;
    using namespace protocol::esipa;
    const QString fromIpa = QStringLiteral("EsipaMessageFromIpaToEim.");
    const QString fromEim = QStringLiteral("EsipaMessageFromEimToIpa.");
    const QByteArray notification = messages.value(QStringLiteral("PendingNotification"));
    messages.insert(fromIpa + QStringLiteral("getEimPackageRequest"),
                    encode(MessageFromIpa(GetEimPackageRequest { eid, true, QByteArray::fromHex("00f110") })));
    // ePRAndNotifications: the signed result with the eUICC's pending notifications.
    messages.insert(fromIpa + QStringLiteral("provideEimPackageResult"),
                    encode(MessageFromIpa(ProvideEimPackageResult { samples::packageResult(), { installationResult, notification } })));
    messages.insert(fromIpa + QStringLiteral("handleNotificationEsipa"), encode(MessageFromIpa(HandleNotification { notification })));
    messages.insert(fromIpa + QStringLiteral("initiateAuthenticationRequestEsipa"),
                    encode(MessageFromIpa(InitiateAuthenticationRequest { challenge, QStringLiteral("smdp.nordtel.example"),
                                                                          messages.value(QStringLiteral("EUICCInfo1")) })));
    messages.insert(fromEim + QStringLiteral("getEimPackageResponse"), encode(MessageFromEim(GetEimPackageResponse { samples::packageRequest() })));
    messages.insert(fromEim + QStringLiteral("profileDownloadTriggerRequest"),
                    encode(MessageFromEim(GetEimPackageResponse { samples::downloadTrigger() })));
    messages.insert(fromEim + QStringLiteral("provideEimPackageResultResponse"),
                    encode(MessageFromEim(ProvideEimPackageResultResponse { { 12, 13 } })));
    // Section 2.11.1.2 and 2.11.2.2: the eIM asks for the certificates, EUICCInfo1 and
    // DeviceInfo; the IPA answers with them and more. The request alone with a search criterion
    // (NotificationEvent's enable), the response's CHOICE alone as the type IpaEuiccDataResponse.
    messages.insert(fromEim + QStringLiteral("ipaEuiccDataRequest"), encode(MessageFromEim(GetEimPackageResponse { samples::euiccDataRequest() })));
    protocol::IpaEuiccDataRequest searching;
    searching.tagList = QByteArray::fromHex("bf2b");
    searching.search = protocol::IpaEuiccDataRequest::Search::ProfileManagementOperation;
    searching.notificationEvent = int(protocol::eventBit(protocol::NotificationEvent::Enable));
    messages.insert(QStringLiteral("IpaEuiccDataRequest"), searching.encode());
    const protocol::IpaEuiccDataResponse euiccData { samples::euiccData(eumCertificate, euiccCertificate,
                                                                        messages.value(QStringLiteral("EUICCInfo1")), notification) };
    messages.insert(fromIpa + QStringLiteral("ipaEuiccDataResponse"), encode(MessageFromIpa(ProvideEimPackageResult { euiccData, {} })));
    messages.insert(QStringLiteral("IpaEuiccDataResponse"), euiccData.encode());
    messages.insert(QStringLiteral("IpaEuiccDataResponse.ipaEuiccDataError"),
                    protocol::IpaEuiccDataResponse { int(protocol::IpaEuiccDataResponse::IncorrectTagList) }.encode());
    // The indirect download as the eIM relays it (esiparelay: the same values ES9+ carries),
    // from this conversation's own bytes: what the IPA sends, and what the eIM answers.
    const auto serverRequest = protocol::AuthenticateServerRequest::decode(messages.value(QStringLiteral("AuthenticateServerRequest"))).value();
    const auto prepareRequest = protocol::PrepareDownloadRequest::decode(messages.value(QStringLiteral("PrepareDownloadRequest"))).value();
    const QByteArray transactionId = serverRequest.transactionId;
    messages.insert(fromEim + QStringLiteral("initiateAuthenticationResponseEsipa"),
                    encode(MessageFromEim(protocol::esiparelay::toEsipa(protocol::es9plus::InitiateAuthenticationResponse {
                                                                            transactionId, serverRequest.serverSigned1(),
                                                                            protocol::der::tlv(0x5F37, serverRequest.serverSignature1),
                                                                            protocol::der::tlv(0x04, serverRequest.ciKeyId),
                                                                            serverRequest.serverCertificate })
                                              .value())));
    messages.insert(fromIpa + QStringLiteral("authenticateClientRequestEsipa"),
                    encode(MessageFromIpa(AuthenticateClientRequest { transactionId, messages.value(QStringLiteral("AuthenticateServerResponse")) })));
    messages.insert(fromEim + QStringLiteral("authenticateClientResponseEsipa"),
                    encode(MessageFromEim(protocol::esiparelay::toEsipa(protocol::es9plus::AuthenticateClientResponse {
                                                                            transactionId, messages.value(QStringLiteral("StoreMetadataRequest")),
                                                                            prepareRequest.smdpSigned2(), prepareRequest.signatureObject(),
                                                                            prepareRequest.smdpCertificate })
                                              .value())));
    messages.insert(fromIpa + QStringLiteral("getBoundProfilePackageRequestEsipa"),
                    encode(MessageFromIpa(GetBoundProfilePackageRequest { transactionId, messages.value(QStringLiteral("PrepareDownloadResponse")) })));
    messages.insert(fromEim + QStringLiteral("getBoundProfilePackageResponseEsipa"),
                    encode(MessageFromEim(protocol::esiparelay::toEsipa(
                        protocol::es9plus::GetBoundProfilePackageResponse { transactionId, messages.value(QStringLiteral("BoundProfilePackage")) }))));
    // What ends a download trigger: the eUICC's installation result, back to the eIM.
    protocol::ProfileDownloadTriggerResult triggered;
    triggered.eimTransactionId = samples::downloadTrigger().eimTransactionId;
    triggered.profileInstallationResult = installationResult;
    messages.insert(fromIpa + QStringLiteral("profileDownloadTriggerResult"), encode(MessageFromIpa(ProvideEimPackageResult { triggered, {} })));
    // Nothing waits for the device.
    messages.insert(fromEim + QStringLiteral("eimPackageError"),
                    encode(MessageFromEim(GetEimPackageResponse { int(GetEimPackageResponse::NoEimPackageAvailable) })));
    messages.insert(QStringLiteral("SimfleetEimPackage"), samples::attachPackage().encode());
    messages.insert(QStringLiteral("SimfleetEimPackage.attest"), samples::attestPackage().encode());
    messages.insert(QStringLiteral("SimfleetEimPackageResult"), samples::attachReport().encode());
    SimfleetEimPackageResult unattached; // no profile it could attach with: no iccid, what happened
    unattached.eimTransactionId = samples::attachPackage().eimTransactionId;
    unattached.kind = SimfleetEimPackage::Kind::Attach;
    unattached.detail = QStringLiteral("no network here");
    unattached.attachError = SimfleetEimPackageResult::NoCoverage;
    messages.insert(QStringLiteral("SimfleetEimPackageResult.unattached"), unattached.encode());
    SimfleetEimPackageResult attested;
    attested.eimTransactionId = samples::attestPackage().eimTransactionId;
    attested.attestationResponse = messages.value(QStringLiteral("AttestationResponse"));
    messages.insert(QStringLiteral("SimfleetEimPackageResult.attest"), attested.encode());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: rsp_messages_sample OUTPUT-DIRECTORY\n");
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    QTemporaryDir fieldDir;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
    const QString address = QStringLiteral("smdp.nordtel.example");
    auto ci = crypto::demopki::createCertificateIssuer(QStringLiteral("Interop CI"), validity);
    auto eum = ci ? crypto::demopki::createManufacturer(ci.value(), QStringLiteral("Acme"), QStringLiteral("DE"),
                                                        QStringLiteral("89049032"), validity)
                  : Result<crypto::CertifiedKey>(ci.error());
    auto server = ci ? crypto::demopki::createProfileServer(ci.value(), QStringLiteral("Nordtel"), QStringLiteral("SE"), address, validity)
                     : Result<crypto::CertifiedKey>(ci.error());
    if (!ci || !eum || !server || !fieldDir.isValid())
        return failed(QStringLiteral("the PKI could not be made"));
    const QString eid = identity::Eid::fromPayload(QStringLiteral("890490320000000000000000000001")).value().toString();
    auto field = simulation::SimulatedField::create(fieldDir.filePath(QStringLiteral("interop.field")), QByteArray(32, '\x17'),
                                                    ci->certificate, { { QStringLiteral("Acme"), QStringLiteral("89049032"), 1, eum.value() } },
                                                    { testing::acmeMeter(eid) });
    if (!field)
        return failed(field.errorMessage());
    // Every message of the conversation through the backend's tracing link: the first of each
    // type for the checks below, and all of them into a protocol trace, as `--trace` writes it.
    auto trace = devices::ProtocolTrace::open(dir.filePath(QStringLiteral("trace")), 1);
    if (!trace)
        return failed(trace.errorMessage());
    QMap<QString, QByteArray> recorded;
    devices::TracingDeviceLink link(field.value()->linkTo(eid),
                                    [&recorded, trace = trace.value()](const QString &traced, devices::ProtocolTrace::Direction direction,
                                                                       const char *type, const QByteArray &der) {
                                        const QString name = QString::fromLatin1(type).section(u'.', -1);
                                        if (!recorded.contains(name))
                                            recorded.insert(name, der);
                                        trace->record(traced, direction, type, der);
                                    });
    crypto::ChainVerifier trust;
    trust.addTrustAnchor(ci->certificate);

    // Attestation, in simfleet's own module (SimfleetDefinitions.asn1).
    if (auto attested = ask(link.attest(protocol::AttestationRequest { QByteArray(32, '\x17') }.encode())); !attested)
        return failed(attested.errorMessage());

    // The download, step by step as ProfileServer::download relays it (SGP.22 section 3.1.3), so
    // the install notification stays on the device to be retrieved below.
    const profiles::ProfileServer profileServer(address, server.value(), trust);
    profiles::DownloadOrder order = testing::sampleOrder(eid);
    order.metadata.profileName = QStringLiteral("Nordtel IoT");
    order.metadata.fallbackAllowed = false;
    profiles::DownloadSession session;
    auto info = ask(link.euiccInfo1());
    auto challengeResponse = info ? ask(link.challenge()) : info;
    auto challenge = challengeResponse ? protocol::decodeGetEuiccChallengeResponse(challengeResponse.value()) : challengeResponse;
    auto request = challenge ? profileServer.initiateAuthentication(eid, challenge.value(), info.value(), session) : challenge;
    auto authenticated = request ? ask(link.authenticateServer(request.value())) : request;
    auto prepare = authenticated ? profileServer.authenticateClient(authenticated.value(), session, now) : authenticated;
    auto prepared = prepare ? ask(link.prepareDownload(prepare.value())) : prepare;
    auto bpp = prepared ? profileServer.getBoundProfilePackage(order, prepared.value(), session) : prepared;
    auto result = bpp ? ask(link.loadBoundPackage(bpp.value())) : bpp;
    auto installed = result ? profileServer.checkInstallationResult(order, result.value(), session) : Result<QString>(result.error());
    if (!installed)
        return failed(installed.errorMessage());
    // The same package again: the session is spent, and the device's signed refusal is real.
    auto refusedAnswer = ask(link.loadBoundPackage(bpp.value()));
    auto refused = refusedAnswer ? protocol::ProfileInstallationResult::decode(refusedAnswer.value())
                                 : Result<protocol::ProfileInstallationResult>(refusedAnswer.error());
    if (!refused || refused->success)
        return failed(QStringLiteral("the device did not refuse a spent package"));

    // ES10c and the notifications, as the backend asks them.
    if (auto profiles = ask(link.profilesInfo(protocol::ProfileInfoListRequest {}.encode())); !profiles)
        return failed(profiles.errorMessage());
    if (auto enabled = ask(devices::enableProfile(link, order.profile.iccid)); !enabled)
        return failed(enabled.errorMessage());
    if (auto listed = ask(link.listNotifications(protocol::ListNotificationRequest {}.encode())); !listed)
        return failed(listed.errorMessage());
    devices::NotificationCollector collector(link, trust, patience);
    collector.trust(session.euiccCertificate);
    auto collected = collector.collect(now);
    if (!collected || collected->delivered.size() != 3 || !collected->refused.isEmpty()) // install, refusal, enable
        return failed(collected ? QStringLiteral("%1 notifications delivered, %2 refused")
                                      .arg(collected->delivered.size())
                                      .arg(collected->refused.size())
                                : collected.errorMessage());
    if (auto disabled = ask(devices::disableProfile(link, order.profile.iccid)); !disabled)
        return failed(disabled.errorMessage());
    if (auto deleted = ask(devices::deleteProfile(link, order.profile.iccid)); !deleted)
        return failed(deleted.errorMessage());

    // The package's parts. StoreMetadata is MAC-only: its segment's value, less the MAC, is the
    // request as sent.
    auto parts = protocol::BoundProfilePackage::decode(bpp.value());
    if (!parts)
        return failed(parts.errorMessage());
    protocol::der::Reader segment(parts->storeMetadata.first());
    auto element = segment.next();
    if (!element)
        return failed(element.errorMessage());
    QMap<QString, QByteArray> messages = recorded;
    messages.insert(QStringLiteral("StoreMetadataRequest"),
                    element->content.first(element->content.size() - protocol::SecureChannel::macSize).toByteArray());
    messages.insert(QStringLiteral("InitialiseSecureChannelRequest"), parts->initialiseSecureChannel.encode());
    messages.insert(QStringLiteral("ConfigureISDPRequest"), protocol::encodeConfigureIsdp(protocol::simfleetObjectIdentifier()));
    messages.insert(QStringLiteral("ProfileInstallationResultData"), refused->receivedData);
    // The enable's notification alone (the list above stops asn1c's printing at the OID before it).
    auto retrieved = protocol::RetrieveNotificationsListResponse::decode(messages.value(QStringLiteral("RetrieveNotificationsListResponse")));
    if (!retrieved || retrieved->notifications.size() != 3 || retrieved->notifications.last().isInstallationResult())
        return failed(QStringLiteral("the retrieved notifications are not the three expected"));
    messages.insert(QStringLiteral("PendingNotification"), retrieved->notifications.last().encode());
    // The LPA's CtxParams1 with an activation code's matching ID, as simfleet relaying for a
    // device sends it (downloadThroughEs9Plus; SGP.22 section 5.7.13).
    protocol::AuthenticateServerRequest relayed;
    relayed.tac = QByteArray::fromHex("35000000");
    relayed.matchingId = QStringLiteral("04386-AGYFT-A74Y8-3F815");
    messages.insert(QStringLiteral("CtxParams1"), relayed.ctxParams1());
    addEsipaMessages(messages, eid, challenge.value(), refusedAnswer.value(), eum->certificate.toDer(), session.euiccCertificate.toDer());
    for (auto it = messages.cbegin(); it != messages.cend(); ++it) {
        if (!write(dir, it.key(), it.value()))
            return failed(QStringLiteral("cannot write to %1").arg(dir.path()));
    }
    return 0;
}
