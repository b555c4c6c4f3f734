#include "es9plus.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

namespace simfleet::protocol::es9plus {

namespace {

const QString executedSuccess = QStringLiteral("Executed-Success");
const QString failedStatus = QStringLiteral("Failed");

struct FunctionEntry
{
    Function function;
    const char *name;
};

constexpr FunctionEntry functions[] = {
    { Function::InitiateAuthentication, "initiateAuthentication" },
    { Function::AuthenticateClient, "authenticateClient" },
    { Function::GetBoundProfilePackage, "getBoundProfilePackage" },
    { Function::HandleNotification, "handleNotification" },
    { Function::CancelSession, "cancelSession" },
};

// Reads the members of one request body. Every reader names the member it refuses (section
// 6.5.1.4: subjectIdentifier), so a client's engineer sees what to fix.
class BodyReader
{
public:
    static std::variant<BodyReader, StatusCode> open(QByteArrayView json)
    {
        if (json.size() > maxRequestBytes)
            return status::invalidFormat(QStringLiteral("body"),
                                         QStringLiteral("the body is %1 bytes, more than the %2 an ES9+ request may have")
                                             .arg(json.size())
                                             .arg(maxRequestBytes));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
        if (error.error != QJsonParseError::NoError)
            return status::invalidFormat(QStringLiteral("body"),
                                         QStringLiteral("the body is not JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset));
        if (!document.isObject())
            return status::invalidFormat(QStringLiteral("body"), QStringLiteral("the body is not a JSON object"));
        return BodyReader(document.object());
    }

    // A mandatory string member.
    std::optional<QString> string(const QString &name)
    {
        if (m_refusal)
            return std::nullopt;
        const QJsonValue value = m_object.value(name);
        if (value.isUndefined() || value.isNull()) {
            m_refusal = status::missingElement(name);
            return std::nullopt;
        }
        if (!value.isString() || !value.toString().isValidUtf16()) {
            m_refusal = status::invalidFormat(name, QStringLiteral("%1 is not a string of Unicode text").arg(name));
            return std::nullopt;
        }
        return value.toString();
    }

    // A mandatory ASN.1 value: base64 (RFC 4648 section 4, with padding) of its DER.
    QByteArray base64(const QString &name)
    {
        const auto text = string(name);
        if (!text)
            return {};
        auto decoded = QByteArray::fromBase64Encoding(text->toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        const bool ascii = std::all_of(text->cbegin(), text->cend(), [](QChar c) { return c.unicode() < 0x80; });
        // RFC 4648 section 4 with its padding: a value cut short is refused, not read in part.
        if (!ascii || text->size() % 4 != 0 || !decoded || decoded.decoded.isEmpty()) {
            m_refusal = status::invalidFormat(name, QStringLiteral("%1 is not base64 of a DER value").arg(name));
            return {};
        }
        return decoded.decoded;
    }

    // A TransactionId (section 6.5.2: hex of 1 to 16 bytes).
    QByteArray transactionId(const QString &name = QStringLiteral("transactionId"))
    {
        const auto text = string(name);
        if (!text)
            return {};
        const bool hex = !text->isEmpty() && text->size() % 2 == 0 && text->size() <= 32
            && std::all_of(text->cbegin(), text->cend(), [](QChar c) { return c.isDigit() || (c >= u'A' && c <= u'F') || (c >= u'a' && c <= u'f'); });
        if (!hex) {
            m_refusal = status::invalidFormat(name, QStringLiteral("%1 is not 1 to 16 bytes in hex").arg(name));
            return {};
        }
        return QByteArray::fromHex(text->toLatin1());
    }

    const std::optional<StatusCode> &refusal() const { return m_refusal; }

private:
    explicit BodyReader(QJsonObject object) : m_object(std::move(object)) { }

    QJsonObject m_object;
    std::optional<StatusCode> m_refusal;
};

template<typename T, typename Fill>
Parsed<T> parse(QByteArrayView json, Fill fill)
{
    auto opened = BodyReader::open(json);
    if (auto *refused = std::get_if<StatusCode>(&opened))
        return *refused;
    BodyReader &reader = std::get<BodyReader>(opened);
    T value;
    fill(reader, value);
    if (reader.refusal())
        return *reader.refusal();
    return value;
}

QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex().toUpper());
}

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Reads a response's members on the client's side; the first problem is kept.
class MembersReader
{
public:
    explicit MembersReader(const QJsonObject &members) : m_members(members) { }

    QByteArray base64(const QString &name)
    {
        const QJsonValue value = m_members.value(name);
        auto decoded = QByteArray::fromBase64Encoding(value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!value.isString() || !decoded || decoded.decoded.isEmpty()) {
            note(QStringLiteral("the response's %1 is missing or not base64").arg(name));
            return {};
        }
        return decoded.decoded;
    }

    QByteArray transactionId()
    {
        const QJsonValue value = m_members.value(QStringLiteral("transactionId"));
        const QByteArray id = QByteArray::fromHex(value.toString().toLatin1());
        if (!value.isString() || id.isEmpty() || id.size() > 16 || id.toHex().toUpper() != value.toString().toLatin1().toUpper())
            note(QStringLiteral("the response's transactionId is missing or not hex"));
        return id;
    }

    const QString &problem() const { return m_problem; }

private:
    void note(const QString &problem)
    {
        if (m_problem.isEmpty())
            m_problem = problem;
    }

    const QJsonObject &m_members;
    QString m_problem;
};

template<typename T, typename Fill>
std::variant<T, QString> read(const QJsonObject &members, Fill fill)
{
    MembersReader reader(members);
    T value;
    fill(reader, value);
    if (!reader.problem().isEmpty())
        return reader.problem();
    return value;
}

StatusCode code(const char *subject, const char *reason, const QString &identifier, const QString &message)
{
    return { QLatin1StringView(subject), QLatin1StringView(reason), identifier, message };
}

} // namespace

QString functionName(Function function)
{
    for (const FunctionEntry &entry : functions) {
        if (entry.function == function)
            return QLatin1StringView(entry.name);
    }
    return {};
}

std::optional<Function> functionFromName(QStringView name)
{
    for (const FunctionEntry &entry : functions) {
        if (name == QLatin1StringView(entry.name))
            return entry.function;
    }
    return std::nullopt;
}

QString functionPath(Function function)
{
    return QStringLiteral("/gsma/rsp2/es9plus/") + functionName(function);
}

namespace status {
// Section 6.5.1.4's generic codes: subject 1.6 (the function's request), reason 2.1 (invalid
// format) or 2.2 (mandatory element missing), subjectIdentifier naming the member.
StatusCode invalidFormat(const QString &element, const QString &why) { return code("1.6", "2.1", element, why); }
StatusCode missingElement(const QString &element)
{
    return code("1.6", "2.2", element, QStringLiteral("the request has no %1").arg(element));
}
// Section 6.5.2.6 (InitiateAuthentication).
StatusCode invalidSmdpAddress(const QString &why) { return code("8.8.1", "3.8", QStringLiteral("smdpAddress"), why); }
StatusCode unsupportedCiKey(const QString &why) { return code("8.8.2", "3.1", QStringLiteral("euiccInfo1"), why); }
StatusCode unsupportedVersion(const QString &why) { return code("8.8.3", "3.1", QStringLiteral("euiccInfo1"), why); }
// Sections 6.5.2.7 to 6.5.2.10.
StatusCode euiccVerificationFailed(const QString &why) { return code("8.1", "6.1", {}, why); }
StatusCode eidRefused(const QString &why) { return code("8.1.1", "3.8", QStringLiteral("EID"), why); }
StatusCode unknownTransaction(const QString &why) { return code("8.10.1", "3.9", QStringLiteral("transactionId"), why); }
StatusCode orderExpired(const QString &why) { return code("8.8.5", "4.10", {}, why); }
StatusCode executionError(const QString &why) { return code("8.8", "4.2", {}, why); }
} // namespace status

QByteArray successResponse(QJsonObject body)
{
    body.insert(QStringLiteral("header"),
                QJsonObject { { QStringLiteral("functionExecutionStatus"), QJsonObject { { QStringLiteral("status"), executedSuccess } } } });
    return compact(body);
}

QByteArray failedResponse(const StatusCode &status)
{
    QJsonObject data { { QStringLiteral("subjectCode"), status.subjectCode }, { QStringLiteral("reasonCode"), status.reasonCode } };
    if (!status.subjectIdentifier.isEmpty())
        data.insert(QStringLiteral("subjectIdentifier"), status.subjectIdentifier);
    if (!status.message.isEmpty())
        data.insert(QStringLiteral("message"), status.message);
    const QJsonObject executionStatus { { QStringLiteral("status"), failedStatus }, { QStringLiteral("statusCodeData"), data } };
    return compact(QJsonObject {
        { QStringLiteral("header"), QJsonObject { { QStringLiteral("functionExecutionStatus"), executionStatus } } } });
}

std::variant<ResponseBody, QString> readResponse(QByteArrayView json)
{
    if (json.size() > maxResponseBytes)
        return QStringLiteral("the response is %1 bytes, more than %2").arg(json.size()).arg(maxResponseBytes);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return QStringLiteral("the response is not a JSON object");
    ResponseBody response { document.object(), std::nullopt };
    const QJsonObject executionStatus =
        response.members.take(QStringLiteral("header")).toObject().value(QStringLiteral("functionExecutionStatus")).toObject();
    const QString statusText = executionStatus.value(QStringLiteral("status")).toString();
    if (statusText == executedSuccess || statusText == QStringLiteral("Executed-WithWarning"))
        return response;
    if (statusText != failedStatus && statusText != QStringLiteral("Expired"))
        return QStringLiteral("the response has no header.functionExecutionStatus.status");
    const QJsonObject data = executionStatus.value(QStringLiteral("statusCodeData")).toObject();
    response.failed = StatusCode { data.value(QStringLiteral("subjectCode")).toString(), data.value(QStringLiteral("reasonCode")).toString(),
                                   data.value(QStringLiteral("subjectIdentifier")).toString(),
                                   data.value(QStringLiteral("message")).toString() };
    return response;
}

QByteArray InitiateAuthenticationRequest::toJson() const
{
    return compact({ { QStringLiteral("euiccChallenge"), base64(euiccChallenge) },
                     { QStringLiteral("euiccInfo1"), base64(euiccInfo1) },
                     { QStringLiteral("smdpAddress"), smdpAddress } });
}

Parsed<InitiateAuthenticationRequest> InitiateAuthenticationRequest::fromJson(QByteArrayView json)
{
    return parse<InitiateAuthenticationRequest>(json, [](BodyReader &r, InitiateAuthenticationRequest &v) {
        v.euiccChallenge = r.base64(QStringLiteral("euiccChallenge"));
        v.euiccInfo1 = r.base64(QStringLiteral("euiccInfo1"));
        v.smdpAddress = r.string(QStringLiteral("smdpAddress")).value_or(QString());
    });
}

QByteArray InitiateAuthenticationResponse::toJson() const
{
    return successResponse({ { QStringLiteral("transactionId"), hex(transactionId) },
                             { QStringLiteral("serverSigned1"), base64(serverSigned1) },
                             { QStringLiteral("serverSignature1"), base64(serverSignature1) },
                             { QStringLiteral("euiccCiPKIdToBeUsed"), base64(euiccCiPKIdToBeUsed) },
                             { QStringLiteral("serverCertificate"), base64(serverCertificate) } });
}

std::variant<InitiateAuthenticationResponse, QString> InitiateAuthenticationResponse::fromMembers(const QJsonObject &members)
{
    return read<InitiateAuthenticationResponse>(members, [](MembersReader &r, InitiateAuthenticationResponse &v) {
        v.transactionId = r.transactionId();
        v.serverSigned1 = r.base64(QStringLiteral("serverSigned1"));
        v.serverSignature1 = r.base64(QStringLiteral("serverSignature1"));
        v.euiccCiPKIdToBeUsed = r.base64(QStringLiteral("euiccCiPKIdToBeUsed"));
        v.serverCertificate = r.base64(QStringLiteral("serverCertificate"));
    });
}

QByteArray AuthenticateClientRequest::toJson() const
{
    return compact({ { QStringLiteral("transactionId"), hex(transactionId) },
                     { QStringLiteral("authenticateServerResponse"), base64(authenticateServerResponse) } });
}

Parsed<AuthenticateClientRequest> AuthenticateClientRequest::fromJson(QByteArrayView json)
{
    return parse<AuthenticateClientRequest>(json, [](BodyReader &r, AuthenticateClientRequest &v) {
        v.transactionId = r.transactionId();
        v.authenticateServerResponse = r.base64(QStringLiteral("authenticateServerResponse"));
    });
}

QByteArray AuthenticateClientResponse::toJson() const
{
    return successResponse({ { QStringLiteral("transactionId"), hex(transactionId) },
                             { QStringLiteral("profileMetadata"), base64(profileMetadata) },
                             { QStringLiteral("smdpSigned2"), base64(smdpSigned2) },
                             { QStringLiteral("smdpSignature2"), base64(smdpSignature2) },
                             { QStringLiteral("smdpCertificate"), base64(smdpCertificate) } });
}

std::variant<AuthenticateClientResponse, QString> AuthenticateClientResponse::fromMembers(const QJsonObject &members)
{
    return read<AuthenticateClientResponse>(members, [](MembersReader &r, AuthenticateClientResponse &v) {
        v.transactionId = r.transactionId();
        v.profileMetadata = r.base64(QStringLiteral("profileMetadata"));
        v.smdpSigned2 = r.base64(QStringLiteral("smdpSigned2"));
        v.smdpSignature2 = r.base64(QStringLiteral("smdpSignature2"));
        v.smdpCertificate = r.base64(QStringLiteral("smdpCertificate"));
    });
}

QByteArray GetBoundProfilePackageRequest::toJson() const
{
    return compact({ { QStringLiteral("transactionId"), hex(transactionId) },
                     { QStringLiteral("prepareDownloadResponse"), base64(prepareDownloadResponse) } });
}

Parsed<GetBoundProfilePackageRequest> GetBoundProfilePackageRequest::fromJson(QByteArrayView json)
{
    return parse<GetBoundProfilePackageRequest>(json, [](BodyReader &r, GetBoundProfilePackageRequest &v) {
        v.transactionId = r.transactionId();
        v.prepareDownloadResponse = r.base64(QStringLiteral("prepareDownloadResponse"));
    });
}

QByteArray GetBoundProfilePackageResponse::toJson() const
{
    return successResponse({ { QStringLiteral("transactionId"), hex(transactionId) },
                             { QStringLiteral("boundProfilePackage"), base64(boundProfilePackage) } });
}

std::variant<GetBoundProfilePackageResponse, QString> GetBoundProfilePackageResponse::fromMembers(const QJsonObject &members)
{
    return read<GetBoundProfilePackageResponse>(members, [](MembersReader &r, GetBoundProfilePackageResponse &v) {
        v.transactionId = r.transactionId();
        v.boundProfilePackage = r.base64(QStringLiteral("boundProfilePackage"));
    });
}

QByteArray HandleNotificationRequest::toJson() const
{
    return compact({ { QStringLiteral("pendingNotification"), base64(pendingNotification) } });
}

Parsed<HandleNotificationRequest> HandleNotificationRequest::fromJson(QByteArrayView json)
{
    return parse<HandleNotificationRequest>(json, [](BodyReader &r, HandleNotificationRequest &v) {
        v.pendingNotification = r.base64(QStringLiteral("pendingNotification"));
    });
}

QByteArray CancelSessionRequest::toJson() const
{
    return compact({ { QStringLiteral("transactionId"), hex(transactionId) },
                     { QStringLiteral("cancelSessionResponse"), base64(cancelSessionResponse) } });
}

Parsed<CancelSessionRequest> CancelSessionRequest::fromJson(QByteArrayView json)
{
    return parse<CancelSessionRequest>(json, [](BodyReader &r, CancelSessionRequest &v) {
        v.transactionId = r.transactionId();
        v.cancelSessionResponse = r.base64(QStringLiteral("cancelSessionResponse"));
    });
}

} // namespace simfleet::protocol::es9plus
