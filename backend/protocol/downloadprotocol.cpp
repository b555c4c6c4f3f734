#include "downloadprotocol.h"


#include <QCborMap>
#include <QCborValue>

namespace simfleet::protocol {

namespace {

Result<QCborMap> readMap(QByteArrayView bytes, const char *what)
{
    QCborParserError error;
    const QCborValue value = QCborValue::fromCbor(bytes.toByteArray(), &error);
    if (error.error != QCborError::NoError || !value.isMap())
        return fail(QStringLiteral("%1 is not a well-formed message").arg(QLatin1StringView(what)));
    return value.toMap();
}

Result<QByteArray> bytesField(const QCborMap &map, int key, qsizetype size, const char *what)
{
    const QCborValue v = map.value(key);
    if (!v.isByteArray() || (size > 0 && v.toByteArray().size() != size))
        return fail(QStringLiteral("%1 lacks a valid field %2").arg(QLatin1StringView(what)).arg(key));
    return v.toByteArray();
}

constexpr qsizetype transactionIdSize = 16;
constexpr qsizetype challengeSize = 16;
constexpr qsizetype pointSize = 65;

} // namespace

QByteArray ServerSigned1::encode() const
{
    return QCborMap { { 1, transactionId }, { 2, euiccChallenge }, { 3, serverAddress }, { 4, serverChallenge } }
        .toCborValue()
        .toCbor();
}

Result<ServerSigned1> ServerSigned1::decode(QByteArrayView bytes)
{
    auto map = readMap(bytes, "serverSigned1");
    if (!map)
        return map.error();
    ServerSigned1 s;
    auto t = bytesField(*map, 1, transactionIdSize, "serverSigned1");
    auto c = bytesField(*map, 2, challengeSize, "serverSigned1");
    auto sc = bytesField(*map, 4, challengeSize, "serverSigned1");
    if (!t || !c || !sc)
        return fail(t ? (c ? sc.errorMessage() : c.errorMessage()) : t.errorMessage());
    s.transactionId = t.value();
    s.euiccChallenge = c.value();
    s.serverChallenge = sc.value();
    s.serverAddress = map->value(3).toString();
    return s;
}

QByteArray EuiccSigned1::encode() const
{
    return QCborMap { { 1, transactionId }, { 2, serverChallenge }, { 3, serverAddress }, { 4, eid }, { 5, oneTimePublicKey } }
        .toCborValue()
        .toCbor();
}

Result<EuiccSigned1> EuiccSigned1::decode(QByteArrayView bytes)
{
    auto map = readMap(bytes, "euiccSigned1");
    if (!map)
        return map.error();
    EuiccSigned1 s;
    auto t = bytesField(*map, 1, transactionIdSize, "euiccSigned1");
    auto c = bytesField(*map, 2, challengeSize, "euiccSigned1");
    auto k = bytesField(*map, 5, pointSize, "euiccSigned1");
    if (!t || !c || !k)
        return fail(t ? (c ? k.errorMessage() : c.errorMessage()) : t.errorMessage());
    s.transactionId = t.value();
    s.serverChallenge = c.value();
    s.oneTimePublicKey = k.value();
    s.serverAddress = map->value(3).toString();
    s.eid = map->value(4).toString();
    return s;
}

} // namespace simfleet::protocol
