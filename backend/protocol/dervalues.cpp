#include "dervalues.h"
#include "der.h"
#include "profilepackage.h"

#include <QStringDecoder>

namespace simfleet::protocol::der {

Result<qint64> readStrictInteger(QByteArrayView content, qint64 minimum, qint64 maximum)
{
    if (content.size() > 1) {
        const quint8 first = quint8(content[0]);
        const bool nextHigh = quint8(content[1]) & 0x80;
        if ((first == 0x00 && !nextHigh) || (first == 0xff && nextHigh))
            return fail(QStringLiteral("an integer is not in its shortest form (not DER)"));
    }
    auto value = readInteger(content);
    if (!value)
        return value;
    if (value.value() < minimum || value.value() > maximum)
        return fail(QStringLiteral("the integer %1 lies outside %2 to %3").arg(value.value()).arg(minimum).arg(maximum));
    return value;
}

Result<quint32> readNamedBits(QByteArrayView content, int highestBit)
{
    if (content.isEmpty() || quint8(content[0]) > 7 || content.size() > 5)
        return fail(QStringLiteral("a bit string is malformed"));
    const int unused = quint8(content[0]);
    if (content.size() == 1)
        return unused == 0 ? Result<quint32>(0u) : fail(QStringLiteral("an empty bit string names unused bits"));
    quint32 mask = 0;
    for (qsizetype i = 1; i < content.size(); ++i) {
        for (int b = 0; b < 8; ++b) {
            if (quint8(content[i]) & (0x80 >> b))
                mask |= quint32(1) << ((i - 1) * 8 + b);
        }
    }
    const quint8 last = quint8(content.back());
    // The last bit written must be set (no trailing zero bits), and nothing after it.
    if (last == 0 || (last & ((1 << unused) - 1)) || !(last & (1 << unused)))
        return fail(QStringLiteral("a bit string keeps trailing zero bits (not DER)"));
    if (highestBit < 31 && (mask >> (highestBit + 1)))
        return fail(QStringLiteral("a bit string names a bit this version of SGP.22 does not have"));
    return mask;
}

QByteArray namedBitsMask(quint32 mask, quint16 tag)
{
    int highest = -1;
    for (int b = 0; b < 32; ++b) {
        if (mask & (quint32(1) << b))
            highest = b;
    }
    QByteArray content(1 + (highest + 8) / 8, 0);
    for (int b = 0; b <= highest; ++b) {
        if (mask & (quint32(1) << b))
            content[1 + b / 8] = char(content[1 + b / 8] | (0x80 >> (b % 8)));
    }
    if (highest >= 0)
        content[0] = char(7 - highest % 8); // unused bits in the last byte
    return tlv(tag, content);
}

Result<QString> readUtf8(QByteArrayView content, qsizetype maxCharacters)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder(content);
    if (decoder.hasError())
        return fail(QStringLiteral("a text field is not valid UTF-8"));
    qsizetype characters = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!(text.at(i).isLowSurrogate()))
            ++characters;
    }
    if (characters > maxCharacters)
        return fail(QStringLiteral("a text field of %1 characters, over its limit of %2").arg(characters).arg(maxCharacters));
    return text;
}

Result<QString> readIccid(QByteArrayView content)
{
    const QString iccid = efIccidToIccid(content);
    if (content.size() != 10 || iccid.size() < 19 || iccidToEfIccid(iccid) != content)
        return fail(QStringLiteral("an ICCID is not 10 bytes of swapped BCD digits (EF.ICCID)"));
    return iccid;
}

QByteArray eidToBcd(QStringView eid)
{
    if (eid.size() != 32)
        return {};
    for (QChar c : eid) {
        if (c < u'0' || c > u'9')
            return {};
    }
    return QByteArray::fromHex(eid.toLatin1());
}

Result<QString> readEid(QByteArrayView content)
{
    if (content.size() != 16)
        return fail(QStringLiteral("an EID of %1 bytes, not the 16 bytes of its 32 BCD digits").arg(content.size()));
    const QString digits = QString::fromLatin1(content.toByteArray().toHex());
    for (QChar c : digits) {
        if (c < u'0' || c > u'9')
            return fail(QStringLiteral("an EID holds a nibble that is not a decimal digit (%1)").arg(digits));
    }
    return digits;
}

Result<QByteArray> readTransactionId(QByteArrayView content)
{
    if (content.isEmpty() || content.size() > 16)
        return fail(QStringLiteral("a transaction ID of %1 bytes, not 1 to 16").arg(content.size()));
    return content.toByteArray();
}

} // namespace simfleet::protocol::der
