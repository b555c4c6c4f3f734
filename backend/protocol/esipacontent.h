#pragma once

#include "core/result.h"
#include "esipa.h"

#include <QByteArray>
#include <QByteArrayView>

// Inside esipa.cpp and its neighbours: each ESipa message as the content octets of its
// alternative of EsipaMessageFromIpaToEim or EsipaMessageFromEimToIpa. Those alternatives are
// tagged with the message's own tag (implicitly, for the SEQUENCEs and tagged CHOICEs) or around
// an untagged CHOICE (explicitly, for handleNotificationEsipa and provideEimPackageResult), so
// in both cases the envelope is one TLV and these codecs read and write what is inside it.
namespace simfleet::protocol::esipa::content {

Error bad(const char *what, const QString &why);
QString tagName(quint16 tag);
Result<int> readCode(QByteArrayView content);

// The eIM packages' messages (esipapackages.cpp).
QByteArray encode(const GetEimPackageRequest &m);
QByteArray encode(const GetEimPackageResponse &m);
QByteArray encode(const ProvideEimPackageResult &m);
QByteArray encode(const ProvideEimPackageResultResponse &m);
QByteArray encode(const HandleNotification &m);
Result<GetEimPackageRequest> decodeGetEimPackageRequest(QByteArrayView content);
Result<GetEimPackageResponse> decodeGetEimPackageResponse(QByteArrayView content);
Result<ProvideEimPackageResult> decodeProvideEimPackageResult(QByteArrayView content);
Result<ProvideEimPackageResultResponse> decodeProvideEimPackageResultResponse(QByteArrayView content);
Result<HandleNotification> decodeHandleNotification(QByteArrayView content);

// The indirect download relayed (esipadownload.cpp).
QByteArray encode(const InitiateAuthenticationRequest &m);
QByteArray encode(const InitiateAuthenticationResponse &m);
QByteArray encode(const AuthenticateClientRequest &m);
QByteArray encode(const AuthenticateClientResponse &m);
QByteArray encode(const GetBoundProfilePackageRequest &m);
QByteArray encode(const GetBoundProfilePackageResponse &m);
QByteArray encode(const CancelSessionRequest &m);
QByteArray encode(const CancelSessionResponse &m);
Result<InitiateAuthenticationRequest> decodeInitiateAuthenticationRequest(QByteArrayView content);
Result<InitiateAuthenticationResponse> decodeInitiateAuthenticationResponse(QByteArrayView content);
Result<AuthenticateClientRequest> decodeAuthenticateClientRequest(QByteArrayView content);
Result<AuthenticateClientResponse> decodeAuthenticateClientResponse(QByteArrayView content);
Result<GetBoundProfilePackageRequest> decodeGetBoundProfilePackageRequest(QByteArrayView content);
Result<GetBoundProfilePackageResponse> decodeGetBoundProfilePackageResponse(QByteArrayView content);
Result<CancelSessionRequest> decodeCancelSessionRequest(QByteArrayView content);
Result<CancelSessionResponse> decodeCancelSessionResponse(QByteArrayView content);

} // namespace simfleet::protocol::esipa::content
