#include "jsonbinding.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>

namespace simfleet::protocol::jsonbinding {

namespace {

const QString executedSuccess = QStringLiteral("Executed-Success");
const QString executedWithWarning = QStringLiteral("Executed-WithWarning");
const QString failedStatus = QStringLiteral("Failed");
const QString expiredStatus = QStringLiteral("Expired");

bool isAscii(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x80; });
}

} // namespace

StatusCode statusCode(const char *subject, const char *reason, const QString &identifier, const QString &message)
{
    return { QLatin1StringView(subject), QLatin1StringView(reason), identifier, message };
}

StatusCode invalidFormat(const QString &element, const QString &why)
{
    return statusCode("1.6", "2.1", element, why);
}

StatusCode missingElement(const QString &element)
{
    return statusCode("1.6", "2.2", element, QStringLiteral("the request has no %1").arg(element));
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex().toUpper());
}

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QJsonObject executionStatus(const std::optional<StatusCode> &failure)
{
    if (!failure)
        return { { QStringLiteral("status"), executedSuccess } };
    QJsonObject data { { QStringLiteral("subjectCode"), failure->subjectCode }, { QStringLiteral("reasonCode"), failure->reasonCode } };
    if (!failure->subjectIdentifier.isEmpty())
        data.insert(QStringLiteral("subjectIdentifier"), failure->subjectIdentifier);
    if (!failure->message.isEmpty())
        data.insert(QStringLiteral("message"), failure->message);
    return { { QStringLiteral("status"), failedStatus }, { QStringLiteral("statusCodeData"), data } };
}

std::variant<std::optional<StatusCode>, QString> readExecutionStatus(const QJsonObject &status)
{
    const QString statusText = status.value(QStringLiteral("status")).toString();
    if (statusText == executedSuccess || statusText == executedWithWarning)
        return std::optional<StatusCode>();
    if (statusText != failedStatus && statusText != expiredStatus)
        return QStringLiteral("the execution status is not one of SGP.22's (Executed-Success, Executed-WithWarning, Failed, Expired)");
    const QJsonObject data = status.value(QStringLiteral("statusCodeData")).toObject();
    return std::optional<StatusCode>(StatusCode { data.value(QStringLiteral("subjectCode")).toString(),
                                                  data.value(QStringLiteral("reasonCode")).toString(),
                                                  data.value(QStringLiteral("subjectIdentifier")).toString(),
                                                  data.value(QStringLiteral("message")).toString() });
}

QByteArray successResponse(QJsonObject body)
{
    body.insert(QStringLiteral("header"), QJsonObject { { QStringLiteral("functionExecutionStatus"), executionStatus(std::nullopt) } });
    return compact(body);
}

QByteArray failedResponse(const StatusCode &status)
{
    return compact(QJsonObject {
        { QStringLiteral("header"), QJsonObject { { QStringLiteral("functionExecutionStatus"), executionStatus(status) } } } });
}

std::variant<ResponseBody, QString> readResponse(QByteArrayView json, qsizetype maxBytes)
{
    if (json.size() > maxBytes)
        return QStringLiteral("the response is %1 bytes, more than %2").arg(json.size()).arg(maxBytes);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return QStringLiteral("the response is not a JSON object");
    ResponseBody response { document.object(), std::nullopt };
    const QJsonValue header = response.members.take(QStringLiteral("header"));
    const QJsonValue status = header.toObject().value(QStringLiteral("functionExecutionStatus"));
    if (!status.isObject() || !status.toObject().value(QStringLiteral("status")).isString())
        return QStringLiteral("the response has no header.functionExecutionStatus.status");
    auto read = readExecutionStatus(status.toObject());
    if (auto *problem = std::get_if<QString>(&read))
        return *problem;
    response.failed = std::get<std::optional<StatusCode>>(read);
    return response;
}

std::variant<BodyReader, StatusCode> BodyReader::open(QByteArrayView json, qsizetype maxBytes, const char *interfaceName)
{
    if (json.size() > maxBytes)
        return invalidFormat(QStringLiteral("body"), QStringLiteral("the body is %1 bytes, more than the %2 an %3 request may have")
                                                         .arg(json.size())
                                                         .arg(maxBytes)
                                                         .arg(QLatin1StringView(interfaceName)));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return invalidFormat(QStringLiteral("body"),
                             QStringLiteral("the body is not JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset));
    if (!document.isObject())
        return invalidFormat(QStringLiteral("body"), QStringLiteral("the body is not a JSON object"));
    return BodyReader(document.object());
}

void BodyReader::refuse(StatusCode status)
{
    if (!m_refusal)
        m_refusal = std::move(status);
}

std::optional<QString> BodyReader::optionalString(const QString &name)
{
    if (m_refusal)
        return std::nullopt;
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isString() || !value.toString().isValidUtf16()) {
        refuse(invalidFormat(name, QStringLiteral("%1 is not a string of Unicode text").arg(name)));
        return std::nullopt;
    }
    return value.toString();
}

std::optional<QString> BodyReader::string(const QString &name)
{
    if (m_refusal)
        return std::nullopt;
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull()) {
        refuse(missingElement(name));
        return std::nullopt;
    }
    return optionalString(name);
}

std::optional<bool> BodyReader::boolean(const QString &name)
{
    if (m_refusal)
        return std::nullopt;
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull()) {
        refuse(missingElement(name));
        return std::nullopt;
    }
    if (!value.isBool()) {
        refuse(invalidFormat(name, QStringLiteral("%1 is not true or false").arg(name)));
        return std::nullopt;
    }
    return value.toBool();
}

QByteArray BodyReader::base64(const QString &name)
{
    const auto text = string(name);
    if (!text)
        return {};
    auto decoded = QByteArray::fromBase64Encoding(text->toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    // RFC 4648 section 4 with its padding: a value cut short is refused, not read in part.
    if (!isAscii(*text) || text->size() % 4 != 0 || !decoded || decoded.decoded.isEmpty()) {
        refuse(invalidFormat(name, QStringLiteral("%1 is not base64 of a DER value").arg(name)));
        return {};
    }
    return decoded.decoded;
}

QByteArray BodyReader::transactionId(const QString &name)
{
    const auto text = string(name);
    if (!text)
        return {};
    const bool hex = !text->isEmpty() && text->size() % 2 == 0 && text->size() <= 32
        && std::all_of(text->cbegin(), text->cend(),
                       [](QChar c) { return c.isDigit() || (c >= u'A' && c <= u'F') || (c >= u'a' && c <= u'f'); });
    if (!hex) {
        refuse(invalidFormat(name, QStringLiteral("%1 is not 1 to 16 bytes in hex").arg(name)));
        return {};
    }
    return QByteArray::fromHex(text->toLatin1());
}

std::optional<BodyReader::RequestHeader> BodyReader::requestHeader()
{
    if (m_refusal)
        return std::nullopt;
    const QJsonValue value = m_object.value(QStringLiteral("header"));
    if (value.isUndefined() || value.isNull()) {
        refuse(missingElement(QStringLiteral("header")));
        return std::nullopt;
    }
    if (!value.isObject()) {
        refuse(invalidFormat(QStringLiteral("header"), QStringLiteral("header is not a JSON object")));
        return std::nullopt;
    }
    BodyReader inner(value.toObject());
    RequestHeader header;
    header.functionRequesterIdentifier = inner.string(QStringLiteral("functionRequesterIdentifier")).value_or(QString());
    header.functionCallIdentifier = inner.string(QStringLiteral("functionCallIdentifier")).value_or(QString());
    if (inner.refusal()) {
        StatusCode refused = *inner.refusal();
        refused.subjectIdentifier = QStringLiteral("header.") + refused.subjectIdentifier;
        refuse(std::move(refused));
        return std::nullopt;
    }
    return header;
}

void MembersReader::note(const QString &problem)
{
    if (m_problem.isEmpty())
        m_problem = problem;
}

QByteArray MembersReader::base64(const QString &name)
{
    const QJsonValue value = m_members.value(name);
    auto decoded = QByteArray::fromBase64Encoding(value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!value.isString() || !decoded || decoded.decoded.isEmpty()) {
        note(QStringLiteral("the response's %1 is missing or not base64").arg(name));
        return {};
    }
    return decoded.decoded;
}

QByteArray MembersReader::transactionId()
{
    const QJsonValue value = m_members.value(QStringLiteral("transactionId"));
    const QByteArray id = QByteArray::fromHex(value.toString().toLatin1());
    if (!value.isString() || id.isEmpty() || id.size() > 16 || id.toHex().toUpper() != value.toString().toLatin1().toUpper())
        note(QStringLiteral("the response's transactionId is missing or not hex"));
    return id;
}

QString MembersReader::string(const QString &name)
{
    const QJsonValue value = m_members.value(name);
    if (!value.isString()) {
        note(QStringLiteral("the response's %1 is missing or not a string").arg(name));
        return {};
    }
    return value.toString();
}

QString MembersReader::optionalString(const QString &name)
{
    const QJsonValue value = m_members.value(name);
    if (!value.isUndefined() && !value.isNull() && !value.isString())
        note(QStringLiteral("the response's %1 is not a string").arg(name));
    return value.toString();
}

} // namespace simfleet::protocol::jsonbinding
