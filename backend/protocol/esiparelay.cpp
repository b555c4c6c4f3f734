#include "esiparelay.h"

#include "der.h"

namespace simfleet::protocol::esiparelay {

namespace {

// The value of a data object ES9+ sends whole.
Result<QByteArray> valueOf(const QByteArray &object, quint16 tag, const char *what)
{
    der::Reader reader(object);
    auto element = reader.expect(tag, what);
    if (!element)
        return element.error();
    if (!reader.atEnd())
        return fail(QStringLiteral("%1 has bytes after it").arg(QLatin1StringView(what)));
    return element->content.toByteArray();
}

Error refusedBy(const char *function, int code)
{
    return failWith(ErrorCode::ProfileServerRefused,
                    QStringLiteral("the eIM relayed %1 and the profile server refused it (error %2)").arg(QLatin1StringView(function)).arg(code));
}

} // namespace

es9plus::InitiateAuthenticationRequest toEs9(const esipa::InitiateAuthenticationRequest &request)
{
    return { request.euiccChallenge, request.euiccInfo1, request.smdpAddress };
}

esipa::InitiateAuthenticationRequest toEsipa(const es9plus::InitiateAuthenticationRequest &request)
{
    return { request.euiccChallenge, request.smdpAddress, request.euiccInfo1 };
}

Result<esipa::InitiateAuthenticationResponse> toEsipa(const es9plus::InitiateAuthenticationResponse &response)
{
    auto signature = valueOf(response.serverSignature1, 0x5F37, "serverSignature1");
    auto keyId = valueOf(response.euiccCiPKIdToBeUsed, 0x04, "euiccCiPKIdToBeUsed");
    if (!signature)
        return signature.error();
    if (!keyId)
        return keyId.error();
    esipa::InitiateAuthenticationResponse out;
    out.transactionId = response.transactionId;
    out.serverSigned1 = response.serverSigned1;
    out.serverSignature1 = signature.value();
    out.euiccCiPKIdToBeUsed = keyId.value();
    out.serverCertificate = response.serverCertificate;
    return out;
}

Result<es9plus::InitiateAuthenticationResponse> toEs9(const esipa::InitiateAuthenticationResponse &response)
{
    if (response.error)
        return refusedBy("initiateAuthentication", *response.error);
    return es9plus::InitiateAuthenticationResponse { response.transactionId, response.serverSigned1,
                                                     der::tlv(0x5F37, response.serverSignature1),
                                                     der::tlv(0x04, response.euiccCiPKIdToBeUsed), response.serverCertificate };
}

es9plus::AuthenticateClientRequest toEs9(const esipa::AuthenticateClientRequest &request)
{
    return { request.transactionId, request.authenticateServerResponse };
}

esipa::AuthenticateClientRequest toEsipa(const es9plus::AuthenticateClientRequest &request)
{
    return { request.transactionId, request.authenticateServerResponse };
}

Result<esipa::AuthenticateClientResponse> toEsipa(const es9plus::AuthenticateClientResponse &response)
{
    auto signature = valueOf(response.smdpSignature2, 0x5F37, "smdpSignature2");
    if (!signature)
        return signature.error();
    esipa::AuthenticateClientResponse out;
    out.transactionId = response.transactionId;
    out.profileMetadata = response.profileMetadata;
    out.smdpSigned2 = response.smdpSigned2;
    out.smdpSignature2 = signature.value();
    out.smdpCertificate = response.smdpCertificate;
    return out;
}

Result<es9plus::AuthenticateClientResponse> toEs9(const esipa::AuthenticateClientResponse &response)
{
    if (response.error)
        return refusedBy("authenticateClient", *response.error);
    return es9plus::AuthenticateClientResponse { response.transactionId, response.profileMetadata, response.smdpSigned2,
                                                 der::tlv(0x5F37, response.smdpSignature2), response.smdpCertificate };
}

es9plus::GetBoundProfilePackageRequest toEs9(const esipa::GetBoundProfilePackageRequest &request)
{
    return { request.transactionId, request.prepareDownloadResponse };
}

esipa::GetBoundProfilePackageRequest toEsipa(const es9plus::GetBoundProfilePackageRequest &request)
{
    return { request.transactionId, request.prepareDownloadResponse };
}

esipa::GetBoundProfilePackageResponse toEsipa(const es9plus::GetBoundProfilePackageResponse &response)
{
    esipa::GetBoundProfilePackageResponse out;
    out.transactionId = response.transactionId;
    out.boundProfilePackage = response.boundProfilePackage;
    return out;
}

Result<es9plus::GetBoundProfilePackageResponse> toEs9(const esipa::GetBoundProfilePackageResponse &response)
{
    if (response.error)
        return refusedBy("getBoundProfilePackage", *response.error);
    return es9plus::GetBoundProfilePackageResponse { response.transactionId, response.boundProfilePackage };
}

es9plus::CancelSessionRequest toEs9(const esipa::CancelSessionRequest &request)
{
    return { request.transactionId, request.cancelSessionResponse };
}

esipa::CancelSessionRequest toEsipa(const es9plus::CancelSessionRequest &request)
{
    return { request.transactionId, request.cancelSessionResponse };
}

} // namespace simfleet::protocol::esiparelay
