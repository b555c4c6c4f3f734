#include "esipa.h"
#include "der.h"
#include "dervalues.h"
#include "esipacontent.h"

#include <limits>

// The two envelopes of SGP.32 section 6.3.1. Each message is the alternative of its tag; the
// codecs of what is inside live in esipapackages.cpp and esipadownload.cpp.
namespace simfleet::protocol::esipa {

namespace {

// The alternatives' tags, the same in both directions for a request and its answer.
constexpr quint16 tagInitiateAuthentication = 0xBF39;
constexpr quint16 tagGetBoundProfilePackage = 0xBF3A;
constexpr quint16 tagAuthenticateClient = 0xBF3B;
constexpr quint16 tagHandleNotification = 0xBF3D;
constexpr quint16 tagCancelSession = 0xBF41;
constexpr quint16 tagTransferEimPackage = 0xBF4E;
constexpr quint16 tagGetEimPackage = 0xBF4F;
constexpr quint16 tagProvideEimPackageResult = 0xBF50;

template<typename T>
quint16 tagOf();
template<> quint16 tagOf<InitiateAuthenticationRequest>() { return tagInitiateAuthentication; }
template<> quint16 tagOf<InitiateAuthenticationResponse>() { return tagInitiateAuthentication; }
template<> quint16 tagOf<AuthenticateClientRequest>() { return tagAuthenticateClient; }
template<> quint16 tagOf<AuthenticateClientResponse>() { return tagAuthenticateClient; }
template<> quint16 tagOf<GetBoundProfilePackageRequest>() { return tagGetBoundProfilePackage; }
template<> quint16 tagOf<GetBoundProfilePackageResponse>() { return tagGetBoundProfilePackage; }
template<> quint16 tagOf<CancelSessionRequest>() { return tagCancelSession; }
template<> quint16 tagOf<CancelSessionResponse>() { return tagCancelSession; }
template<> quint16 tagOf<HandleNotification>() { return tagHandleNotification; }
template<> quint16 tagOf<GetEimPackageRequest>() { return tagGetEimPackage; }
template<> quint16 tagOf<GetEimPackageResponse>() { return tagGetEimPackage; }
template<> quint16 tagOf<ProvideEimPackageResult>() { return tagProvideEimPackageResult; }
template<> quint16 tagOf<ProvideEimPackageResultResponse>() { return tagProvideEimPackageResult; }

template<typename Variant>
QByteArray encodeEnvelope(const Variant &message)
{
    return std::visit([](const auto &m) { return der::tlv(tagOf<std::decay_t<decltype(m)>>(), content::encode(m)); }, message);
}

// The message's one element, refusing a second one after it.
Result<der::Element> envelope(QByteArrayView bytes, const char *type)
{
    der::Reader r(bytes);
    auto top = r.next();
    if (!top)
        return content::bad(type, top.errorMessage());
    if (!r.atEnd())
        return content::bad(type, QStringLiteral("%1 trailing bytes after the message").arg(bytes.size() - r.position()));
    return top;
}

// Converts a message's decoded form to the envelope's variant, naming the message on failure.
template<typename Variant, typename T>
Result<Variant> wrap(Result<T> decoded, const char *name)
{
    if (!decoded)
        return content::bad(name, decoded.errorMessage());
    return Variant(std::move(decoded).value());
}

} // namespace

QByteArray encode(const MessageFromIpa &message)
{
    return encodeEnvelope(message);
}

QByteArray encode(const MessageFromEim &message)
{
    return encodeEnvelope(message);
}

Result<MessageFromIpa> decodeFromIpa(QByteArrayView bytes)
{
    auto top = envelope(bytes, "EsipaMessageFromIpaToEim");
    if (!top)
        return top.error();
    const QByteArrayView c = top->content;
    using M = MessageFromIpa;
    switch (top->tag) {
    case tagInitiateAuthentication:
        return wrap<M>(content::decodeInitiateAuthenticationRequest(c), "initiateAuthenticationRequestEsipa");
    case tagAuthenticateClient: return wrap<M>(content::decodeAuthenticateClientRequest(c), "authenticateClientRequestEsipa");
    case tagGetBoundProfilePackage:
        return wrap<M>(content::decodeGetBoundProfilePackageRequest(c), "getBoundProfilePackageRequestEsipa");
    case tagCancelSession: return wrap<M>(content::decodeCancelSessionRequest(c), "cancelSessionRequestEsipa");
    case tagHandleNotification: return wrap<M>(content::decodeHandleNotification(c), "handleNotificationEsipa");
    case tagGetEimPackage: return wrap<M>(content::decodeGetEimPackageRequest(c), "getEimPackageRequest");
    case tagProvideEimPackageResult: return wrap<M>(content::decodeProvideEimPackageResult(c), "provideEimPackageResult");
    case tagTransferEimPackage:
        return fail(QStringLiteral("transferEimPackageResponse is not served: simfleet's eIM does not push packages "
                                   "(SGP.32 section 6.3.3); the IPA asks with getEimPackageRequest"));
    default:
        return fail(QStringLiteral("EsipaMessageFromIpaToEim: tag %1 is none of its alternatives").arg(content::tagName(top->tag)));
    }
}

Result<MessageFromEim> decodeFromEim(QByteArrayView bytes)
{
    auto top = envelope(bytes, "EsipaMessageFromEimToIpa");
    if (!top)
        return top.error();
    const QByteArrayView c = top->content;
    using M = MessageFromEim;
    switch (top->tag) {
    case tagInitiateAuthentication:
        return wrap<M>(content::decodeInitiateAuthenticationResponse(c), "initiateAuthenticationResponseEsipa");
    case tagAuthenticateClient: return wrap<M>(content::decodeAuthenticateClientResponse(c), "authenticateClientResponseEsipa");
    case tagGetBoundProfilePackage:
        return wrap<M>(content::decodeGetBoundProfilePackageResponse(c), "getBoundProfilePackageResponseEsipa");
    case tagCancelSession: return wrap<M>(content::decodeCancelSessionResponse(c), "cancelSessionResponseEsipa");
    case tagGetEimPackage: return wrap<M>(content::decodeGetEimPackageResponse(c), "getEimPackageResponse");
    case tagProvideEimPackageResult:
        return wrap<M>(content::decodeProvideEimPackageResultResponse(c), "provideEimPackageResultResponse");
    case tagTransferEimPackage:
        return fail(QStringLiteral("transferEimPackageRequest is not served: simfleet's IPA does not take pushed packages "
                                   "(SGP.32 section 6.3.3); it asks with getEimPackageRequest"));
    default:
        return fail(QStringLiteral("EsipaMessageFromEimToIpa: tag %1 is none of its alternatives").arg(content::tagName(top->tag)));
    }
}

QString messageName(const MessageFromIpa &message)
{
    static const char *const names[] = { "initiateAuthenticationRequestEsipa", "authenticateClientRequestEsipa",
                                         "getBoundProfilePackageRequestEsipa", "cancelSessionRequestEsipa",
                                         "handleNotificationEsipa", "getEimPackageRequest", "provideEimPackageResult" };
    static_assert(std::size(names) == std::variant_size_v<MessageFromIpa>);
    return QLatin1StringView(names[message.index()]);
}

QString messageName(const MessageFromEim &message)
{
    static const char *const names[] = { "initiateAuthenticationResponseEsipa", "authenticateClientResponseEsipa",
                                         "getBoundProfilePackageResponseEsipa", "cancelSessionResponseEsipa",
                                         "getEimPackageResponse", "provideEimPackageResultResponse" };
    static_assert(std::size(names) == std::variant_size_v<MessageFromEim>);
    return QLatin1StringView(names[message.index()]);
}

namespace content {

Error bad(const char *what, const QString &why)
{
    return fail(QStringLiteral("%1: %2").arg(QLatin1StringView(what), why));
}

QString tagName(quint16 tag)
{
    return QStringLiteral("'%1'").arg(tag, tag > 0xff ? 4 : 2, 16, QLatin1Char('0')).toUpper();
}

Result<int> readCode(QByteArrayView bytes)
{
    auto value = der::readStrictInteger(bytes, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    if (!value)
        return value.error();
    return int(value.value());
}

} // namespace content

} // namespace simfleet::protocol::esipa
