#include "referencevaluejson.h"

#include "core/clock.h"
#include "store/referencevaluerepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace simfleet::attestation::referenceValueJson {

namespace {

// A measurement as published: SHA-256, 64 hex digits, nothing else.
std::optional<QByteArray> digestFromHex(const QString &hex)
{
    const QByteArray digest = QByteArray::fromHex(hex.toLatin1());
    if (hex.size() != 64 || digest.size() != 32 || digest.toHex() != hex.toLower().toLatin1())
        return std::nullopt;
    return digest;
}

Result<store::ReferenceValueRecord> entryFromJson(const QJsonValue &value, qsizetype index)
{
    const auto wrong = [&](const QString &why) {
        return fail(QStringLiteral("entry %1 %2; nothing was imported").arg(index + 1).arg(why));
    };
    if (!value.isObject())
        return wrong(QStringLiteral("is not an object"));
    const QJsonObject o = value.toObject();
    store::ReferenceValueRecord r;
    const std::pair<const char *, QString *> fields[] = { { "manufacturer", &r.manufacturer },
                                                          { "hwmodel", &r.hwmodel },
                                                          { "swname", &r.swname },
                                                          { "swversion", &r.swversion } };
    for (const auto &[field, target] : fields) {
        const QJsonValue v = o.value(QLatin1StringView(field));
        if (!v.isString() || v.toString().trimmed().isEmpty())
            return wrong(QStringLiteral("needs \"%1\" as a non-empty string").arg(QLatin1StringView(field)));
        *target = v.toString().trimmed();
    }
    const QJsonValue oem = o.value(QStringLiteral("oemid"));
    if (!oem.isUndefined() && !oem.isNull()) {
        const double n = oem.toDouble(-1);
        // A private enterprise number, exactly representable (JSON numbers are doubles).
        if (!oem.isDouble() || !(n >= 0) || n != std::floor(n) || n > 9007199254740991.0)
            return wrong(QStringLiteral("has an \"oemid\" that is not a private enterprise number"));
        r.oemid = qint64(n);
    }
    const QJsonValue measurements = o.value(QStringLiteral("measurements"));
    if (!measurements.isObject() || measurements.toObject().isEmpty())
        return wrong(QStringLiteral("needs \"measurements\" as an object of COMPONENT: SHA256HEX"));
    const QJsonObject m = measurements.toObject();
    for (auto it = m.begin(); it != m.end(); ++it) {
        const auto digest = digestFromHex(it.value().toString());
        if (it.key().trimmed().isEmpty() || !digest)
            return wrong(QStringLiteral("has a measurement \"%1\" that is not 64 hex digits (SHA-256)").arg(it.key()));
        r.measurements.append({ it.key(), *digest });
    }
    return r;
}

} // namespace

QJsonObject describe(const store::ReferenceValueRecord &r)
{
    QJsonObject measurements;
    for (const auto &[component, digest] : r.measurements)
        measurements.insert(component, QString::fromLatin1(digest.toHex()));
    return { { QStringLiteral("manufacturer"), r.manufacturer },
             { QStringLiteral("hwmodel"), r.hwmodel },
             { QStringLiteral("swname"), r.swname },
             { QStringLiteral("swversion"), r.swversion },
             { QStringLiteral("measurements"), measurements },
             { QStringLiteral("oemid"), r.oemid ? QJsonValue(*r.oemid) : QJsonValue(QJsonValue::Null) },
             { QStringLiteral("retired"), r.retiredAt ? QJsonValue(storedTime(*r.retiredAt)) : QJsonValue(QJsonValue::Null) } };
}

QJsonObject published(const store::ReferenceValueRecord &r)
{
    QJsonObject o = describe(r);
    o.remove(QStringLiteral("retired"));
    if (!r.oemid)
        o.remove(QStringLiteral("oemid"));
    return o;
}

QJsonArray published(const QList<store::ReferenceValueRecord> &values)
{
    QJsonArray out;
    for (const store::ReferenceValueRecord &r : values)
        out.append(published(r));
    return out;
}

Result<QList<store::ReferenceValueRecord>> parse(QByteArrayView json, const QString &source)
{
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isArray())
        return fail(QStringLiteral("%1 is not a JSON array of reference values (%2); nothing was imported")
                        .arg(source, error.error != QJsonParseError::NoError ? error.errorString()
                                                                              : QStringLiteral("not an array")));
    QList<store::ReferenceValueRecord> out;
    const QJsonArray array = document.array();
    for (qsizetype i = 0; i < array.size(); ++i) {
        auto r = entryFromJson(array.at(i), i);
        if (!r)
            return r.error();
        out.append(r.value());
    }
    return out;
}

} // namespace simfleet::attestation::referenceValueJson
