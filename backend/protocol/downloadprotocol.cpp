#include "downloadprotocol.h"

#include "crypto/aes.h"
#include "crypto/constanttime.h"
#include "crypto/kdf.h"

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

QByteArray InitialiseSecureChannel::encode() const
{
    // keyType AES (0x88), keyLength 16, as the control reference template of SGP.22 5.5.1.
    return QCborMap { { 1, transactionId }, { 2, serverOneTimePublicKey }, { 3, 0x88 }, { 4, 16 } }.toCborValue().toCbor();
}

Result<InitialiseSecureChannel> InitialiseSecureChannel::decode(QByteArrayView bytes)
{
    auto map = readMap(bytes, "InitialiseSecureChannel");
    if (!map)
        return map.error();
    auto t = bytesField(*map, 1, transactionIdSize, "InitialiseSecureChannel");
    auto k = bytesField(*map, 2, pointSize, "InitialiseSecureChannel");
    if (!t || !k)
        return fail(t ? k.errorMessage() : t.errorMessage());
    if (map->value(3).toInteger() != 0x88 || map->value(4).toInteger() != 16)
        return fail(QStringLiteral("InitialiseSecureChannel asks for a key type other than AES-128"));
    return InitialiseSecureChannel { t.value(), k.value() };
}

QByteArray ProfileMetadata::encode() const
{
    return QCborMap { { 1, iccid }, { 2, serviceProviderName }, { 3, plmn }, { 4, fallbackAllowed }, { 5, profileSegments } }
        .toCborValue()
        .toCbor();
}

Result<ProfileMetadata> ProfileMetadata::decode(QByteArrayView bytes)
{
    auto map = readMap(bytes, "StoreMetadata");
    if (!map)
        return map.error();
    ProfileMetadata m;
    m.iccid = map->value(1).toString();
    m.serviceProviderName = map->value(2).toString();
    m.plmn = map->value(3).toString();
    m.fallbackAllowed = map->value(4).toBool(true);
    m.profileSegments = int(map->value(5).toInteger(-1));
    if (m.iccid.size() < 19 || m.plmn.size() < 5 || m.profileSegments < 1 || m.profileSegments > 64)
        return fail(QStringLiteral("StoreMetadata is incomplete"));
    return m;
}

Result<SessionKeys> SessionKeys::derive(const crypto::SecretBytes &sharedSecret, QByteArrayView transactionId, QStringView eid)
{
    // SharedInfo: key usage qualifier, key type (AES), key length, then what binds the keys to
    // this session and this device.
    QByteArray sharedInfo = QByteArray::fromHex("5c8810");
    sharedInfo += transactionId;
    sharedInfo += eid.toLatin1();
    auto material = crypto::x963Kdf(sharedSecret, sharedInfo, 48);
    if (!material)
        return material.error();
    const QByteArrayView k = material->view();
    return SessionKeys { crypto::SecretBytes(k.sliced(0, 16)), crypto::SecretBytes(k.sliced(16, 16)),
                         crypto::SecretBytes(k.sliced(32, 16)) };
}

SecureChannel::SecureChannel(SessionKeys keys)
    : m_keys(std::move(keys)), m_chainingValue(m_keys.initialMacChainingValue.view().toByteArray())
{
}

Result<QByteArray> SecureChannel::icv()
{
    // SCP03: ICV = AES(S-ENC, counter as a 16-byte big-endian block).
    QByteArray block(16, 0);
    for (int i = 0; i < 4; ++i)
        block[15 - i] = char((m_counter >> (8 * i)) & 0xff);
    return crypto::aesCbcEncrypt(m_keys.sEnc.view(), QByteArray(16, 0), block);
}

Result<QByteArray> SecureChannel::protect(SegmentTag tag, QByteArrayView plaintext)
{
    auto iv = icv();
    if (!iv)
        return iv.error();
    // ISO/IEC 9797-1 padding method 2. Sized first: the plaintext carries Ki and OPc, and a
    // regrown array would leave a copy of them in freed memory.
    QByteArray padded;
    padded.reserve(plaintext.size() + 16);
    padded.append(plaintext);
    padded.append(char(0x80));
    while (padded.size() % 16)
        padded.append(char(0));
    auto ciphertext = crypto::aesCbcEncrypt(m_keys.sEnc.view(), iv.value(), padded);
    crypto::wipeBytes(padded);
    if (!ciphertext)
        return ciphertext.error();
    QByteArray segment;
    segment.append(char(tag));
    const qsizetype length = ciphertext->size() + 8;
    segment.append(char((length >> 8) & 0xff));
    segment.append(char(length & 0xff));
    segment.append(ciphertext.value());
    auto mac = crypto::aesCmac(m_keys.sMac.view(), QByteArray(m_chainingValue + segment));
    if (!mac)
        return mac.error();
    m_chainingValue = mac.value();
    segment.append(mac->first(8));
    ++m_counter;
    return segment;
}

Result<std::pair<SegmentTag, crypto::SecretBytes>> SecureChannel::unprotect(QByteArrayView segment)
{
    if (m_broken)
        return fail(QStringLiteral("the secure channel was closed after an earlier bad segment"));
    const auto broken = [this](const QString &why) {
        m_broken = true;
        return fail(why);
    };
    if (segment.size() < 3 + 16 + 8)
        return broken(QStringLiteral("a segment is too short"));
    const qsizetype length = (qsizetype(quint8(segment[1])) << 8) | quint8(segment[2]);
    if (length != segment.size() - 3 || (length - 8) % 16 != 0)
        return broken(QStringLiteral("a segment's length does not match its content"));
    const QByteArrayView body = segment.first(segment.size() - 8);
    const QByteArrayView mac = segment.last(8);
    auto full = crypto::aesCmac(m_keys.sMac.view(), QByteArray(m_chainingValue + body.toByteArray()));
    if (!full)
        return full.error();
    if (!crypto::equalConstantTime(full->first(8), mac))
        return broken(QStringLiteral("segment %1 failed its MAC check (changed, replayed or out of order)").arg(m_counter));
    auto iv = icv();
    if (!iv)
        return iv.error();
    auto plain = crypto::aesCbcDecrypt(m_keys.sEnc.view(), iv.value(), body.sliced(3));
    if (!plain)
        return broken(plain.errorMessage());
    QByteArray padded = std::move(plain).value();
    qsizetype end = padded.size();
    while (end > 0 && padded[end - 1] == 0)
        --end;
    if (end == 0 || quint8(padded[end - 1]) != 0x80) {
        crypto::wipeBytes(padded);
        return broken(QStringLiteral("segment %1 is not padded correctly").arg(m_counter));
    }
    crypto::SecretBytes content(QByteArrayView(padded).first(end - 1));
    crypto::wipeBytes(padded);
    m_chainingValue = full.value();
    ++m_counter;
    const quint8 tag = quint8(segment[0]);
    if (tag != quint8(SegmentTag::StoreMetadata) && tag != quint8(SegmentTag::LoadProfileElements))
        return broken(QStringLiteral("a segment of unknown kind %1").arg(tag, 2, 16, QLatin1Char('0')));
    return std::pair { SegmentTag(tag), std::move(content) };
}

} // namespace simfleet::protocol
