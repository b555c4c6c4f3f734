#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <variant>

// SGP.22 v2.5 section 6's JSON binding, which ES9+ (6.5.2) and ES2+ (6.5.1) share: a request
// body is one JSON object; ASN.1 values travel as base64 of their DER; a response with a body
// carries header.functionExecutionStatus (6.5.1.4), Executed-Success with the function's
// output, or Failed with statusCodeData naming which element failed for which reason. Pure data
// in, bytes out: no I/O here.
namespace simfleet::protocol::jsonbinding {

// The X-Admin-Protocol value simfleet sends and the prefix it accepts (section 6.1.1).
inline constexpr const char *adminProtocol = "gsma/rsp/v2.5.0";
inline constexpr const char *adminProtocolPrefix = "gsma/rsp/v2.";

// statusCodeData (section 6.5.1.4): which element (subject) failed for which reason.
struct StatusCode
{
    QString subjectCode;
    QString reasonCode;
    QString subjectIdentifier; // optional
    QString message;           // optional, for people

    bool operator==(const StatusCode &other) const = default;
};

StatusCode statusCode(const char *subject, const char *reason, const QString &identifier, const QString &message);
// Section 6.5.1.4's generic codes: subject 1.6 (the function's request), reason 2.1 (invalid
// format) or 2.2 (mandatory element missing), subjectIdentifier naming the member.
StatusCode invalidFormat(const QString &element, const QString &why);
StatusCode missingElement(const QString &element);

// A request parsed, or what the server answers instead.
template<typename T>
using Parsed = std::variant<T, StatusCode>;

// The response envelope: header.functionExecutionStatus, Executed-Success with the body's other
// members, or Failed with statusCodeData and nothing else.
QByteArray successResponse(QJsonObject body = {});
QByteArray failedResponse(const StatusCode &status);
// functionExecutionStatus itself (section 6.5.1.4), which ES2+.HandleDownloadProgressInfo's
// notificationPointStatus also is: success without status, Failed with it.
QJsonObject executionStatus(const std::optional<StatusCode> &failure);
std::variant<std::optional<StatusCode>, QString> readExecutionStatus(const QJsonObject &status);

// A response as a client reads it: the members besides the header, or the server's status.
struct ResponseBody
{
    QJsonObject members;
    std::optional<StatusCode> failed;
};
// A response that is not one of section 6's is an error (a string naming what is wrong).
std::variant<ResponseBody, QString> readResponse(QByteArrayView json, qsizetype maxBytes);

QByteArray compact(const QJsonObject &object);
QString hex(const QByteArray &bytes);    // upper case, as section 6.5.2 writes transaction IDs
QString base64(const QByteArray &bytes); // RFC 4648 section 4, with padding

// Reads the members of one request body. Every reader names the member it refuses (section
// 6.5.1.4: subjectIdentifier), so a client's engineer sees what to fix; the first refusal is
// kept and later reads return nothing.
class BodyReader
{
public:
    // interfaceName names the interface in the refusal of an oversized body ("ES9+").
    static std::variant<BodyReader, StatusCode> open(QByteArrayView json, qsizetype maxBytes, const char *interfaceName);

    // A mandatory string member.
    std::optional<QString> string(const QString &name);
    // An optional string member: nullopt when absent (or null), the text (maybe empty) when there.
    std::optional<QString> optionalString(const QString &name);
    // A mandatory boolean member.
    std::optional<bool> boolean(const QString &name);
    // A mandatory ASN.1 value: base64 (RFC 4648 section 4, with padding) of its DER.
    QByteArray base64(const QString &name);
    // A TransactionId (section 6.5.2: hex of 1 to 16 bytes).
    QByteArray transactionId(const QString &name = QStringLiteral("transactionId"));
    // The request header of ES2+ (section 6.5.1.3): header.functionRequesterIdentifier and
    // header.functionCallIdentifier, both mandatory strings.
    struct RequestHeader
    {
        QString functionRequesterIdentifier;
        QString functionCallIdentifier;
    };
    std::optional<RequestHeader> requestHeader();

    // The body itself, for members of other kinds than these.
    const QJsonObject &object() const { return m_object; }
    // Refuses the request with this status unless an earlier read already did.
    void refuse(StatusCode status);
    const std::optional<StatusCode> &refusal() const { return m_refusal; }

private:
    explicit BodyReader(QJsonObject object) : m_object(std::move(object)) { }

    QJsonObject m_object;
    std::optional<StatusCode> m_refusal;
};

template<typename T, typename Fill>
Parsed<T> parse(QByteArrayView json, qsizetype maxBytes, const char *interfaceName, Fill fill)
{
    auto opened = BodyReader::open(json, maxBytes, interfaceName);
    if (auto *refused = std::get_if<StatusCode>(&opened))
        return *refused;
    BodyReader &reader = std::get<BodyReader>(opened);
    T value;
    fill(reader, value);
    if (reader.refusal())
        return *reader.refusal();
    return value;
}

// Reads a response's members on the client's side; the first problem is kept.
class MembersReader
{
public:
    explicit MembersReader(const QJsonObject &members) : m_members(members) { }

    QByteArray base64(const QString &name);
    QByteArray transactionId();
    QString string(const QString &name);          // mandatory
    QString optionalString(const QString &name);  // empty when absent

    const QString &problem() const { return m_problem; }

private:
    void note(const QString &problem);

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

// An interface's functions by the names their paths carry (section 6.1.1: /gsma/rsp2/<interface>/<function>).
template<typename Function>
struct FunctionName
{
    Function function;
    const char *name;
};

template<typename Function, std::size_t N>
QString functionName(const FunctionName<Function> (&functions)[N], Function function)
{
    for (const FunctionName<Function> &entry : functions) {
        if (entry.function == function)
            return QLatin1StringView(entry.name);
    }
    return {};
}

template<typename Function, std::size_t N>
std::optional<Function> functionFromName(const FunctionName<Function> (&functions)[N], QStringView name)
{
    for (const FunctionName<Function> &entry : functions) {
        if (name == QLatin1StringView(entry.name))
            return entry.function;
    }
    return std::nullopt;
}

} // namespace simfleet::protocol::jsonbinding
