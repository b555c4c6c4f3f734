#include "securechannel.h"
#include "der.h"

#include "crypto/aes.h"
#include "crypto/constanttime.h"
#include "crypto/kdf.h"

namespace simfleet::protocol {


Result<SessionKeys> SessionKeys::derive(const crypto::SecretBytes &sharedSecret, QByteArrayView hostId, QByteArrayView eid)
{
    if (hostId.isEmpty() || hostId.size() > 16)
        return fail(QStringLiteral("the host identifier must be 1 to 16 bytes (SGP.22 ControlRefTemplate)"));
    if (eid.size() != 16)
        return fail(QStringLiteral("the EID must be 16 bytes"));
    QByteArray sharedInfo;
    sharedInfo.append(char(keyTypeAes));
    sharedInfo.append(char(keyLength));
    sharedInfo.append(der::length(hostId.size()));
    sharedInfo.append(hostId);
    sharedInfo.append(der::length(eid.size()));
    sharedInfo.append(eid);
    auto material = crypto::x963Kdf(sharedSecret, sharedInfo, 3 * keyLength);
    if (!material)
        return material.error();
    const QByteArrayView k = material->view();
    return SessionKeys { crypto::SecretBytes(k.sliced(0, keyLength)), crypto::SecretBytes(k.sliced(keyLength, keyLength)),
                         crypto::SecretBytes(k.sliced(2 * keyLength, keyLength)) };
}

SecureChannel::SecureChannel(SessionKeys keys)
    : m_keys(std::move(keys)), m_chainingValue(m_keys.initialMacChainingValue.view().toByteArray())
{
}

Result<QByteArray> SecureChannel::nextIcv()
{
    // SGP.22 section 2.6.4.4: the block counter, left-padded to a block, encrypted under S-ENC.
    QByteArray block(16, 0);
    for (int i = 0; i < 4; ++i)
        block[15 - i] = char((m_counter >> (8 * i)) & 0xff);
    ++m_counter;
    return crypto::aesCbcEncrypt(m_keys.sEnc.view(), QByteArray(16, 0), block);
}

Result<QByteArray> SecureChannel::seal(quint8 tag, QByteArrayView data)
{
    // Tag, the final length (data and MAC), the data; the MAC over the chaining value and those.
    QByteArray segment;
    segment.reserve(data.size() + 4 + macSize);
    segment.append(char(tag));
    segment.append(der::length(data.size() + macSize));
    segment.append(data);
    auto mac = crypto::aesCmac(m_keys.sMac.view(), QByteArray(m_chainingValue + segment));
    if (!mac)
        return mac.error();
    m_chainingValue = mac.value();
    segment.append(mac->first(macSize));
    return segment;
}

Result<QList<QByteArray>> SecureChannel::protect(quint8 tag, QByteArrayView data)
{
    // Empty data still makes one segment: the padding alone.
    QList<QByteArray> out;
    qsizetype at = 0;
    do {
        const QByteArrayView part = data.sliced(at, std::min(maxEncryptedData, data.size() - at));
        auto icv = nextIcv();
        if (!icv)
            return icv.error();
        // ISO/IEC 9797-1 padding method 2. Sized first: the data carries Ki and OPc, and a
        // regrown array would leave a copy of them in freed memory.
        QByteArray padded;
        padded.reserve(part.size() + 16);
        padded.append(part);
        padded.append(char(0x80));
        while (padded.size() % 16)
            padded.append(char(0));
        auto ciphertext = crypto::aesCbcEncrypt(m_keys.sEnc.view(), icv.value(), padded);
        crypto::wipeBytes(padded);
        if (!ciphertext)
            return ciphertext.error();
        auto segment = seal(tag, ciphertext.value());
        if (!segment)
            return segment.error();
        out.append(segment.value());
        at += part.size();
    } while (at < data.size());
    return out;
}

Result<QList<QByteArray>> SecureChannel::macOnly(quint8 tag, QByteArrayView data)
{
    QList<QByteArray> out;
    for (qsizetype at = 0; at < data.size(); at += maxMacOnlyData) {
        // The block counter counts MAC-only segments too (section 2.6.4.4).
        ++m_counter;
        auto segment = seal(tag, data.sliced(at, std::min(maxMacOnlyData, data.size() - at)));
        if (!segment)
            return segment.error();
        out.append(segment.value());
    }
    return out;
}

Result<QByteArrayView> SecureChannel::verify(quint8 tag, QByteArrayView segment)
{
    if (m_broken)
        return fail(QStringLiteral("the secure channel was closed after an earlier bad segment"));
    const auto broken = [this](const QString &why) {
        m_broken = true;
        return fail(why);
    };
    if (segment.size() > maxSegmentSize)
        return broken(QStringLiteral("a segment of %1 bytes is over the limit of %2").arg(segment.size()).arg(maxSegmentSize));
    der::Reader reader(segment);
    auto element = reader.next();
    if (!element || !reader.atEnd())
        return broken(QStringLiteral("a segment is not one well-formed TLV"));
    if (element->tag != tag)
        return broken(QStringLiteral("a segment tagged %1 where %2 belongs")
                          .arg(element->tag, 2, 16, QLatin1Char('0'))
                          .arg(tag, 2, 16, QLatin1Char('0')));
    if (element->content.size() < macSize)
        return broken(QStringLiteral("a segment is too short to carry its MAC"));
    const QByteArrayView macInput = segment.first(segment.size() - macSize);
    auto full = crypto::aesCmac(m_keys.sMac.view(), QByteArray(m_chainingValue + macInput.toByteArray()));
    if (!full)
        return full.error();
    if (!crypto::equalConstantTime(full->first(macSize), segment.last(macSize)))
        return broken(QStringLiteral("segment %1 failed its MAC check (changed, replayed or out of order)").arg(m_counter));
    m_chainingValue = full.value();
    return element->content.first(element->content.size() - macSize);
}

Result<crypto::SecretBytes> SecureChannel::open(quint8 tag, QByteArrayView segment)
{
    auto data = verify(tag, segment);
    if (!data)
        return data.error();
    const auto broken = [this](const QString &why) {
        m_broken = true;
        return fail(why);
    };
    if (data->isEmpty() || data->size() % 16 != 0)
        return broken(QStringLiteral("segment %1 is not whole cipher blocks").arg(m_counter));
    auto icv = nextIcv();
    if (!icv)
        return icv.error();
    auto plain = crypto::aesCbcDecrypt(m_keys.sEnc.view(), icv.value(), data.value());
    if (!plain)
        return broken(plain.errorMessage());
    QByteArray padded = std::move(plain).value();
    qsizetype end = padded.size();
    while (end > 0 && padded[end - 1] == 0)
        --end;
    if (end == 0 || quint8(padded[end - 1]) != 0x80) {
        crypto::wipeBytes(padded);
        return broken(QStringLiteral("segment %1 is not padded correctly").arg(m_counter - 1));
    }
    crypto::SecretBytes content(QByteArrayView(padded).first(end - 1));
    crypto::wipeBytes(padded);
    return content;
}

Result<QByteArray> SecureChannel::openMacOnly(quint8 tag, QByteArrayView segment)
{
    auto data = verify(tag, segment);
    if (!data)
        return data.error();
    ++m_counter;
    return data->toByteArray();
}

} // namespace simfleet::protocol
