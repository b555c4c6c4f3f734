#include "entityattestationtoken.h"

#include "crypto/ecdsa.h"
#include "crypto/sha256.h"

#include <QCborArray>
#include <QCborValue>

#include <cmath>
#include <set>

namespace simfleet::protocol {

namespace {

QCborArray versionClaim(const QString &version)
{
    return QCborArray { version };
}

Result<QString> versionFrom(const QCborValue &v, const char *claim)
{
    if (v.isString())
        return v.toString();
    if (v.isArray() && v.toArray().size() >= 1 && v.toArray().at(0).isString())
        return v.toArray().at(0).toString();
    return fail(QStringLiteral("the %1 claim is malformed").arg(QLatin1StringView(claim)));
}

// RFC 8949 section 5.6: a map with a key twice is not valid CBOR, and decoders disagree on which
// value counts (Qt's value() finds the first, many tools the last), so one signed token could say
// one thing to this verifier and another to an auditor's. Every map at every depth is checked.
struct CborKeyOrder
{
    bool operator()(const QCborValue &a, const QCborValue &b) const { return a.compare(b) < 0; }
};

std::optional<QString> duplicateKey(const QCborValue &v)
{
    if (v.isMap()) {
        const QCborMap m = v.toMap();
        std::set<QCborValue, CborKeyOrder> seen;
        for (auto it = m.cbegin(); it != m.cend(); ++it) {
            if (!seen.insert(it.key()).second)
                return it.key().toDiagnosticNotation();
            if (auto inner = duplicateKey(it.key()))
                return inner;
            if (auto inner = duplicateKey(it.value()))
                return inner;
        }
    } else if (v.isArray()) {
        for (const QCborValue &e : v.toArray()) {
            if (auto inner = duplicateKey(e))
                return inner;
        }
    } else if (v.isTag()) {
        return duplicateKey(v.taggedValue());
    }
    return std::nullopt;
}

Result<void> refuseDuplicateKeys(const QCborValue &v, const char *part)
{
    if (const auto key = duplicateKey(v))
        return fail(QStringLiteral("%1 has the map key %2 twice, so it can be read two ways; such a token is refused")
                        .arg(QLatin1StringView(part), *key));
    return {};
}

QCborMap locationClaim(const ReportedLocation &l)
{
    QCborMap m { { eat::where::latitude, l.latitude }, { eat::where::longitude, l.longitude } };
    if (l.accuracy)
        m.insert(eat::where::accuracy, *l.accuracy);
    if (l.measuredAt.isValid())
        m.insert(eat::where::timestamp, l.measuredAt.toSecsSinceEpoch());
    return m;
}

// The location claim of untrusted evidence: a map whose latitude and longitude are numbers on
// the globe; a claim that says something else is refused rather than drawn somewhere.
Result<std::optional<ReportedLocation>> locationFrom(const QCborValue &v)
{
    if (v.isUndefined())
        return std::optional<ReportedLocation>();
    const auto malformed = [](const QString &why) {
        return fail(QStringLiteral("the location claim is malformed: %1").arg(why));
    };
    if (!v.isMap())
        return malformed(QStringLiteral("it is not a map"));
    const QCborMap m = v.toMap();
    const auto number = [&m](qint64 key) -> std::optional<double> {
        const QCborValue n = m.value(key);
        if (n.isInteger())
            return double(n.toInteger());
        if (n.isDouble() && std::isfinite(n.toDouble()))
            return n.toDouble();
        return std::nullopt;
    };
    ReportedLocation l;
    const auto latitude = number(eat::where::latitude);
    const auto longitude = number(eat::where::longitude);
    if (!latitude || !longitude)
        return malformed(QStringLiteral("it needs a latitude and a longitude as numbers"));
    if (std::abs(*latitude) > 90.0 || std::abs(*longitude) > 180.0)
        return malformed(QStringLiteral("latitude %1, longitude %2 is not on the globe").arg(*latitude).arg(*longitude));
    l.latitude = *latitude;
    l.longitude = *longitude;
    if (m.contains(eat::where::accuracy)) {
        const auto accuracy = number(eat::where::accuracy);
        if (!accuracy || *accuracy < 0)
            return malformed(QStringLiteral("its accuracy is not a distance in metres"));
        l.accuracy = accuracy;
    }
    if (m.contains(eat::where::timestamp)) {
        // A time in seconds since 1970 that a calendar can show (up to the end of year 9999).
        constexpr qint64 lastSecond = 253402300799;
        const QCborValue t = m.value(eat::where::timestamp);
        if (!t.isInteger() || t.toInteger() < 0 || t.toInteger() > lastSecond)
            return malformed(QStringLiteral("its timestamp is not a time in seconds since 1970"));
        l.measuredAt = QDateTime::fromSecsSinceEpoch(t.toInteger(), Qt::UTC);
    }
    return std::optional<ReportedLocation>(l);
}

} // namespace

QByteArray ueidForEid(const QString &eid)
{
    return QByteArray(1, '\x01') + crypto::sha256(QByteArray(QByteArrayLiteral("simfleet-ueid:") + eid.toLatin1()));
}

QByteArray encodeClaims(const EatClaims &c)
{
    QCborMap components;
    for (const Measurement &m : c.measurements)
        components.insert(m.component, m.digest);
    QCborMap claims;
    claims.insert(eat::nonce, c.nonce);
    claims.insert(eat::ueid, c.ueid);
    claims.insert(eat::oemid, c.oemid);
    claims.insert(eat::hwmodel, c.hwmodel.toUtf8());
    claims.insert(eat::hwversion, versionClaim(c.hwversion));
    claims.insert(eat::swname, c.swname);
    claims.insert(eat::swversion, versionClaim(c.swversion));
    claims.insert(eat::measurements,
                  QCborArray { QCborArray { eat::cborContentFormat, QCborValue(components).toCbor() } });
    claims.insert(eat::dbgstat, int(c.debug));
    claims.insert(eat::oemboot, c.secureBoot);
    claims.insert(eat::tamper, c.tampered);
    if (c.location)
        claims.insert(eat::location, locationClaim(*c.location));
    claims.insert(eat::iat, c.issuedAt.toSecsSinceEpoch());
    return claims.toCborValue().toCbor();
}

Result<EatClaims> decodeClaims(QByteArrayView payload)
{
    QCborParserError error;
    const QCborValue root = QCborValue::fromCbor(payload.toByteArray(), &error);
    if (error.error != QCborError::NoError)
        return fail(QStringLiteral("the claims are not valid CBOR: %1").arg(error.errorString()));
    if (!root.isMap())
        return fail(QStringLiteral("the claims are not a CBOR map"));
    if (auto ok = refuseDuplicateKeys(root, "the claims set"); !ok)
        return ok.error();
    const QCborMap m = root.toMap();
    EatClaims c;
    const auto bytes = [&m](qint64 key) { return m.value(key).toByteArray(); };
    if (!m.value(eat::nonce).isByteArray())
        return fail(QStringLiteral("the evidence carries no eat_nonce"));
    c.nonce = bytes(eat::nonce);
    c.ueid = bytes(eat::ueid);
    c.oemid = m.value(eat::oemid).toInteger();
    c.hwmodel = QString::fromUtf8(bytes(eat::hwmodel));
    auto hwversion = versionFrom(m.value(eat::hwversion), "hwversion");
    auto swversion = versionFrom(m.value(eat::swversion), "swversion");
    if (!hwversion || !swversion)
        return fail(hwversion ? swversion.errorMessage() : hwversion.errorMessage());
    c.hwversion = hwversion.value();
    c.swversion = swversion.value();
    c.swname = m.value(eat::swname).toString();
    const QCborArray measured = m.value(eat::measurements).toArray();
    for (const QCborValue &entry : measured) {
        const QCborArray pair = entry.toArray();
        if (pair.size() != 2 || pair.at(0).toInteger(-1) != eat::cborContentFormat || !pair.at(1).isByteArray())
            return fail(QStringLiteral("the measurements claim is malformed"));
        QCborParserError inner;
        const QCborValue components = QCborValue::fromCbor(pair.at(1).toByteArray(), &inner);
        if (inner.error != QCborError::NoError || !components.isMap())
            return fail(QStringLiteral("the measurements claim is malformed"));
        if (auto ok = refuseDuplicateKeys(components, "the measurements claim"); !ok)
            return ok.error();
        for (const auto &[name, digest] : components.toMap())
            c.measurements.append({ name.toString(), digest.toByteArray() });
    }
    if (!m.value(eat::dbgstat).isInteger() || m.value(eat::dbgstat).toInteger() < 0
        || m.value(eat::dbgstat).toInteger() > 4)
        return fail(QStringLiteral("the dbgstat claim is missing or out of range"));
    c.debug = DebugStatus(int(m.value(eat::dbgstat).toInteger()));
    c.secureBoot = m.value(eat::oemboot).toBool(false);
    c.tampered = m.value(eat::tamper).toBool(true);
    auto location = locationFrom(m.value(eat::location));
    if (!location)
        return location.error();
    c.location = location.value();
    if (!m.value(eat::iat).isInteger())
        return fail(QStringLiteral("the evidence carries no iat"));
    c.issuedAt = QDateTime::fromSecsSinceEpoch(m.value(eat::iat).toInteger(), Qt::UTC);
    return c;
}

QByteArray signatureInput(const QByteArray &protectedBytes, const QByteArray &payload)
{
    return QCborArray { QStringLiteral("Signature1"), protectedBytes, QByteArray(), payload }.toCborValue().toCbor();
}

Result<QByteArray> signCoseSign1(const QByteArray &payload, const QList<QByteArray> &x5chain,
                                 const crypto::EcPrivateKey &key)
{
    QCborArray chain;
    for (const QByteArray &der : x5chain)
        chain.append(der);
    QCborMap header;
    header.insert(eat::coseAlg, eat::es256);
    header.insert(eat::coseX5chain, chain);
    const QByteArray protectedBytes = header.toCborValue().toCbor();
    auto signature = crypto::ecdsaSign(key, signatureInput(protectedBytes, payload), crypto::SignatureFormat::Raw);
    if (!signature)
        return signature.error();
    const QCborArray sign1 { protectedBytes, QCborMap(), payload, signature.value() };
    return QCborValue(QCborTag(eat::coseSign1Tag), sign1).toCbor();
}

Result<CoseSign1> parseCoseSign1(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return fail(QStringLiteral("the evidence is empty"));
    if (bytes.size() > eat::maxEvidenceBytes)
        return fail(QStringLiteral("the evidence is %1 bytes, more than the %2 allowed").arg(bytes.size()).arg(eat::maxEvidenceBytes));
    QCborParserError error;
    QCborValue root = QCborValue::fromCbor(bytes.toByteArray(), &error);
    if (error.error != QCborError::NoError)
        return fail(QStringLiteral("the evidence is not valid CBOR: %1").arg(error.errorString()));
    if (error.offset != bytes.size())
        return fail(QStringLiteral("unexpected bytes after the evidence"));
    // The unprotected header and anything else in the structure itself.
    if (auto ok = refuseDuplicateKeys(root, "the COSE_Sign1 structure"); !ok)
        return ok.error();
    if (root.isTag()) {
        if (root.tag() != QCborTag(eat::coseSign1Tag))
            return fail(QStringLiteral("the evidence is not a COSE_Sign1 (tag %1)").arg(quint64(root.tag())));
        root = root.taggedValue();
    }
    const QCborArray parts = root.toArray();
    if (!root.isArray() || parts.size() != 4 || !parts.at(0).isByteArray() || !parts.at(1).isMap()
        || !parts.at(2).isByteArray() || !parts.at(3).isByteArray())
        return fail(QStringLiteral("the evidence is not a COSE_Sign1 structure"));
    CoseSign1 s;
    s.protectedBytes = parts.at(0).toByteArray();
    s.payload = parts.at(2).toByteArray();
    s.signature = parts.at(3).toByteArray();
    const QCborValue header = QCborValue::fromCbor(s.protectedBytes, &error);
    if (error.error != QCborError::NoError || !header.isMap())
        return fail(QStringLiteral("the COSE protected header is not a CBOR map"));
    if (auto ok = refuseDuplicateKeys(header, "the COSE protected header"); !ok)
        return ok.error();
    s.protectedHeader = header.toMap();
    const QCborValue alg = s.protectedHeader.value(eat::coseAlg);
    if (!alg.isInteger() || alg.toInteger() != eat::es256)
        return fail(QStringLiteral("the evidence is signed with algorithm %1; only ES256 (-7) is accepted")
                        .arg(alg.isInteger() ? QString::number(alg.toInteger()) : QStringLiteral("(none)")));
    const QCborValue chain = s.protectedHeader.value(eat::coseX5chain);
    if (chain.isByteArray()) {
        s.x5chain.append(chain.toByteArray());
    } else if (chain.isArray()) {
        for (const QCborValue &der : chain.toArray()) {
            if (!der.isByteArray())
                return fail(QStringLiteral("the x5chain header is malformed"));
            s.x5chain.append(der.toByteArray());
        }
    }
    if (s.x5chain.isEmpty())
        return fail(QStringLiteral("the evidence carries no certificate chain (x5chain)"));
    if (s.signature.size() != 64)
        return fail(QStringLiteral("the ES256 signature must be 64 bytes, got %1").arg(s.signature.size()));
    return s;
}

} // namespace simfleet::protocol
