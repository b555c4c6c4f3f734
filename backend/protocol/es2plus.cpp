#include "es2plus.h"

#include <QJsonValue>

#include <algorithm>

namespace simfleet::protocol::es2plus {

namespace {

using jsonbinding::BodyReader;
using jsonbinding::compact;

constexpr jsonbinding::FunctionName<Function> functions[] = {
    { Function::DownloadOrder, "downloadOrder" },
    { Function::ConfirmOrder, "confirmOrder" },
    { Function::CancelOrder, "cancelOrder" },
    { Function::ReleaseProfile, "releaseProfile" },
    { Function::HandleDownloadProgressInfo, "handleDownloadProgressInfo" },
};

template<typename T, typename Fill>
Parsed<T> parse(QByteArrayView json, Fill fill)
{
    return jsonbinding::parse<T>(json, maxRequestBytes, "ES2+", fill);
}

StatusCode code(const char *subject, const char *reason, const char *identifier, const QString &message)
{
    return jsonbinding::statusCode(subject, reason, QLatin1StringView(identifier), message);
}

bool allDigits(QStringView text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

// An EID as ES2+ writes it: 32 decimal digits (SGP.29); its check digits are the service's to
// judge. Empty when not sent.
QString readEid(BodyReader &reader)
{
    const auto text = reader.optionalString(QStringLiteral("eid"));
    if (!text || text->isEmpty())
        return {};
    if (text->size() != 32 || !allDigits(*text)) {
        reader.refuse(status::invalidFormat(QStringLiteral("eid"), QStringLiteral("eid is not 32 digits")));
        return {};
    }
    return *text;
}

// An ICCID as ES2+ writes it: 19 or 20 digits, a 20th 'F' padding a 19-digit one (E.118 and
// SGP.22 section 6.5.1); the padding is dropped. Empty when not sent.
QString readIccid(BodyReader &reader, bool mandatory)
{
    const auto text = mandatory ? reader.string(QStringLiteral("iccid")) : reader.optionalString(QStringLiteral("iccid"));
    if (!text || (!mandatory && text->isEmpty()))
        return {};
    QString iccid = *text;
    if (iccid.size() == 20 && (iccid.endsWith(u'F') || iccid.endsWith(u'f')))
        iccid.chop(1);
    if (iccid.size() < 19 || iccid.size() > 20 || !allDigits(iccid)) {
        reader.refuse(status::invalidFormat(QStringLiteral("iccid"), QStringLiteral("iccid is not 19 or 20 digits")));
        return {};
    }
    return iccid;
}

std::optional<QString> readMatchingId(BodyReader &reader)
{
    auto text = reader.optionalString(QStringLiteral("matchingId"));
    if (text && !text->isEmpty() && !isMatchingId(*text)) {
        reader.refuse(status::matchingIdInvalid(
            QStringLiteral("matchingId must be 1 to 255 characters of 0-9, A-Z and '-' (SGP.22 section 4.1)")));
        return std::nullopt;
    }
    return text;
}

void insertIfSent(QJsonObject &object, const char *name, const QString &value)
{
    if (!value.isEmpty())
        object.insert(QLatin1StringView(name), value);
}

void insertIfSent(QJsonObject &object, const char *name, const std::optional<QString> &value)
{
    if (value)
        object.insert(QLatin1StringView(name), *value);
}

QJsonObject headerJson(const RequestHeader &header)
{
    return { { QStringLiteral("functionRequesterIdentifier"), header.functionRequesterIdentifier },
             { QStringLiteral("functionCallIdentifier"), header.functionCallIdentifier } };
}

QString finalStatusName(FinalProfileStatus status)
{
    return status == FinalProfileStatus::Available ? QStringLiteral("Available") : QStringLiteral("Unavailable");
}

// W3C's date and time with seconds and a zone designator (YYYY-MM-DDThh:mm:ssTZD), as section
// 5.3.5's timestamp is written.
std::optional<QDateTime> readTimestamp(BodyReader &reader)
{
    const auto text = reader.string(QStringLiteral("timestamp"));
    if (!text)
        return std::nullopt;
    const bool zoned = text->size() >= 20 && (text->endsWith(u'Z') || text->at(text->size() - 6) == u'+' || text->at(text->size() - 6) == u'-');
    const QDateTime at = QDateTime::fromString(*text, Qt::ISODate).toUTC();
    // Four-digit years in UTC too, so that what is read is written back the same way.
    if (!zoned || !at.isValid() || at.date().year() < 1000 || at.date().year() > 9999) {
        reader.refuse(status::invalidFormat(QStringLiteral("timestamp"), QStringLiteral("timestamp is not YYYY-MM-DDThh:mm:ssTZD")));
        return std::nullopt;
    }
    // Whole seconds, as the format has them.
    return QDateTime(at.date(), QTime(at.time().hour(), at.time().minute(), at.time().second()), Qt::UTC);
}

// An integer, which some operators' systems send as a decimal string.
std::optional<int> readPointId(BodyReader &reader)
{
    const QJsonValue value = reader.object().value(QStringLiteral("notificationPointId"));
    if (value.isUndefined() || value.isNull()) {
        reader.refuse(status::missingElement(QStringLiteral("notificationPointId")));
        return std::nullopt;
    }
    std::optional<int> id;
    if (value.isDouble() && value.toDouble() >= 0 && value.toDouble() == double(value.toInt()))
        id = value.toInt();
    else if (value.isString() && !value.toString().isEmpty() && value.toString().size() <= 9 && allDigits(value.toString()))
        id = value.toString().toInt();
    if (!id)
        reader.refuse(status::invalidFormat(QStringLiteral("notificationPointId"), QStringLiteral("notificationPointId is not an integer")));
    return id;
}

} // namespace

QString functionName(Function function)
{
    return jsonbinding::functionName(functions, function);
}

std::optional<Function> functionFromName(QStringView name)
{
    return jsonbinding::functionFromName(functions, name);
}

QString functionPath(Function function)
{
    return QStringLiteral("/gsma/rsp2/es2plus/") + functionName(function);
}

std::variant<ResponseBody, QString> readResponse(QByteArrayView json)
{
    return jsonbinding::readResponse(json, maxResponseBytes);
}

bool isMatchingId(QStringView text)
{
    return !text.isEmpty() && text.size() <= 255 && std::all_of(text.cbegin(), text.cend(), [](QChar c) {
               return (c >= u'0' && c <= u'9') || (c >= u'A' && c <= u'Z') || c == u'-';
           });
}

namespace status {
StatusCode eidInvalid(const QString &why) { return code("8.1.1", "2.1", "eid", why); }
StatusCode eidMissing(const QString &why) { return code("8.1.1", "2.2", "eid", why); }
StatusCode eidInvalidAssociation(const QString &why) { return code("8.1.1", "3.10", "eid", why); }
StatusCode iccidMissing(const QString &element)
{
    return jsonbinding::statusCode("8.2.1", "2.2", element, QStringLiteral("the request has no %1").arg(element));
}
StatusCode iccidUnavailable(const QString &why) { return code("8.2.1", "3.3", "iccid", why); }
StatusCode iccidInvalidTransition(const QString &why) { return code("8.2.1", "3.5", "iccid", why); }
StatusCode iccidUnknown(const QString &why) { return code("8.2.1", "3.9", "iccid", why); }
StatusCode profileTypeUnavailable(const QString &why) { return code("8.2.5", "3.7", "profileType", why); }
StatusCode profileTypeRefused(const QString &why) { return code("8.2.5", "3.8", "profileType", why); }
StatusCode profileTypeUnknown(const QString &why) { return code("8.2.5", "3.9", "profileType", why); }
StatusCode matchingIdInvalid(const QString &why) { return code("8.2.6", "2.1", "matchingId", why); }
StatusCode matchingIdInUse(const QString &why) { return code("8.2.6", "3.3", "matchingId", why); }
StatusCode matchingIdInvalidAssociation(const QString &why) { return code("8.2.6", "3.10", "matchingId", why); }
StatusCode confirmationCodeUnsupported(const QString &why) { return code("8.2.7", "3.1", "confirmationCode", why); }
StatusCode smdsInaccessible(const QString &why) { return code("8.9", "5.1", "smdsAddress", why); }
StatusCode executionError(const QString &why) { return jsonbinding::statusCode("8.8", "4.2", {}, why); }
} // namespace status

QByteArray DownloadOrderRequest::toJson() const
{
    QJsonObject body { { QStringLiteral("header"), headerJson(header) } };
    insertIfSent(body, "eid", eid);
    insertIfSent(body, "iccid", iccid);
    insertIfSent(body, "profileType", profileType);
    return compact(body);
}

Parsed<DownloadOrderRequest> DownloadOrderRequest::fromJson(QByteArrayView json)
{
    return parse<DownloadOrderRequest>(json, [](BodyReader &r, DownloadOrderRequest &v) {
        v.header = r.requestHeader().value_or(RequestHeader());
        v.eid = readEid(r);
        v.iccid = readIccid(r, false);
        v.profileType = r.optionalString(QStringLiteral("profileType")).value_or(QString());
        if (v.profileType.size() > 64)
            r.refuse(status::invalidFormat(QStringLiteral("profileType"), QStringLiteral("profileType is longer than 64 characters")));
    });
}

QByteArray DownloadOrderResponse::toJson() const
{
    return successResponse({ { QStringLiteral("iccid"), iccid } });
}

std::variant<DownloadOrderResponse, QString> DownloadOrderResponse::fromMembers(const QJsonObject &members)
{
    return jsonbinding::read<DownloadOrderResponse>(members, [](jsonbinding::MembersReader &r, DownloadOrderResponse &v) {
        v.iccid = r.string(QStringLiteral("iccid"));
    });
}

QByteArray ConfirmOrderRequest::toJson() const
{
    QJsonObject body { { QStringLiteral("header"), headerJson(header) }, { QStringLiteral("iccid"), iccid },
                       { QStringLiteral("releaseFlag"), releaseFlag } };
    insertIfSent(body, "eid", eid);
    insertIfSent(body, "matchingId", matchingId);
    insertIfSent(body, "confirmationCode", confirmationCode);
    insertIfSent(body, "smdsAddress", smdsAddress);
    return compact(body);
}

Parsed<ConfirmOrderRequest> ConfirmOrderRequest::fromJson(QByteArrayView json)
{
    return parse<ConfirmOrderRequest>(json, [](BodyReader &r, ConfirmOrderRequest &v) {
        v.header = r.requestHeader().value_or(RequestHeader());
        v.iccid = readIccid(r, true);
        v.eid = readEid(r);
        v.matchingId = readMatchingId(r);
        v.confirmationCode = r.optionalString(QStringLiteral("confirmationCode"));
        v.smdsAddress = r.optionalString(QStringLiteral("smdsAddress"));
        v.releaseFlag = r.boolean(QStringLiteral("releaseFlag")).value_or(false);
    });
}

QByteArray ConfirmOrderResponse::toJson() const
{
    QJsonObject body { { QStringLiteral("matchingId"), matchingId }, { QStringLiteral("smdpAddress"), smdpAddress } };
    insertIfSent(body, "eid", eid);
    return successResponse(body);
}

std::variant<ConfirmOrderResponse, QString> ConfirmOrderResponse::fromMembers(const QJsonObject &members)
{
    return jsonbinding::read<ConfirmOrderResponse>(members, [](jsonbinding::MembersReader &r, ConfirmOrderResponse &v) {
        v.eid = r.optionalString(QStringLiteral("eid"));
        v.matchingId = r.string(QStringLiteral("matchingId"));
        v.smdpAddress = r.optionalString(QStringLiteral("smdpAddress"));
    });
}

QByteArray CancelOrderRequest::toJson() const
{
    QJsonObject body { { QStringLiteral("header"), headerJson(header) }, { QStringLiteral("iccid"), iccid },
                       { QStringLiteral("finalProfileStatusIndicator"), finalStatusName(finalProfileStatusIndicator) } };
    insertIfSent(body, "eid", eid);
    insertIfSent(body, "matchingId", matchingId);
    return compact(body);
}

Parsed<CancelOrderRequest> CancelOrderRequest::fromJson(QByteArrayView json)
{
    return parse<CancelOrderRequest>(json, [](BodyReader &r, CancelOrderRequest &v) {
        v.header = r.requestHeader().value_or(RequestHeader());
        // Section 5.3.3's own code for its two mandatory inputs: 8.2.1 / 2.2.
        for (const QString &name : { QStringLiteral("iccid"), QStringLiteral("finalProfileStatusIndicator") }) {
            if (!r.optionalString(name) && !r.refusal())
                r.refuse(status::iccidMissing(name));
        }
        v.iccid = readIccid(r, true);
        v.eid = readEid(r);
        v.matchingId = readMatchingId(r);
        const QString indicator = r.string(QStringLiteral("finalProfileStatusIndicator")).value_or(QString());
        if (indicator == QStringLiteral("Available"))
            v.finalProfileStatusIndicator = FinalProfileStatus::Available;
        else if (indicator == QStringLiteral("Unavailable"))
            v.finalProfileStatusIndicator = FinalProfileStatus::Unavailable;
        else
            r.refuse(status::invalidFormat(QStringLiteral("finalProfileStatusIndicator"),
                                           QStringLiteral("finalProfileStatusIndicator is neither Available nor Unavailable")));
    });
}

QByteArray ReleaseProfileRequest::toJson() const
{
    return compact({ { QStringLiteral("header"), headerJson(header) }, { QStringLiteral("iccid"), iccid } });
}

Parsed<ReleaseProfileRequest> ReleaseProfileRequest::fromJson(QByteArrayView json)
{
    return parse<ReleaseProfileRequest>(json, [](BodyReader &r, ReleaseProfileRequest &v) {
        v.header = r.requestHeader().value_or(RequestHeader());
        v.iccid = readIccid(r, true);
    });
}

QByteArray HandleDownloadProgressInfoRequest::toJson() const
{
    QJsonObject body { { QStringLiteral("header"), headerJson(header) },
                       { QStringLiteral("iccid"), iccid },
                       { QStringLiteral("profileType"), profileType },
                       { QStringLiteral("timestamp"), timestamp.toUTC().toString(Qt::ISODate) },
                       { QStringLiteral("notificationPointId"), notificationPointId },
                       { QStringLiteral("notificationPointStatus"), jsonbinding::executionStatus(failure) } };
    insertIfSent(body, "eid", eid);
    if (!resultData.isEmpty())
        body.insert(QStringLiteral("resultData"), jsonbinding::base64(resultData));
    return compact(body);
}

Parsed<HandleDownloadProgressInfoRequest> HandleDownloadProgressInfoRequest::fromJson(QByteArrayView json)
{
    return parse<HandleDownloadProgressInfoRequest>(json, [](BodyReader &r, HandleDownloadProgressInfoRequest &v) {
        v.header = r.requestHeader().value_or(RequestHeader());
        v.eid = readEid(r);
        v.iccid = readIccid(r, true);
        v.profileType = r.string(QStringLiteral("profileType")).value_or(QString());
        v.timestamp = readTimestamp(r).value_or(QDateTime());
        if (r.refusal())
            return;
        v.notificationPointId = readPointId(r).value_or(0);
        if (r.refusal())
            return;
        const QJsonValue pointStatus = r.object().value(QStringLiteral("notificationPointStatus"));
        if (!pointStatus.isObject()) {
            r.refuse(pointStatus.isUndefined() ? status::missingElement(QStringLiteral("notificationPointStatus"))
                                               : status::invalidFormat(QStringLiteral("notificationPointStatus"),
                                                                       QStringLiteral("notificationPointStatus is not a JSON object")));
            return;
        }
        auto read = jsonbinding::readExecutionStatus(pointStatus.toObject());
        if (auto *problem = std::get_if<QString>(&read))
            r.refuse(status::invalidFormat(QStringLiteral("notificationPointStatus"), *problem));
        else
            v.failure = std::get<std::optional<StatusCode>>(read);
        if (r.object().contains(QStringLiteral("resultData")))
            v.resultData = r.base64(QStringLiteral("resultData"));
    });
}

} // namespace simfleet::protocol::es2plus
