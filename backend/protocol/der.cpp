#include "der.h"

#include <QList>

namespace simfleet::protocol::der {

void appendLength(QByteArray &out, qsizetype length)
{
    if (length < 0x80) {
        out.append(char(length));
        return;
    }
    QByteArray bytes;
    for (qsizetype l = length; l > 0; l >>= 8)
        bytes.prepend(char(l & 0xff));
    out.append(char(0x80 | bytes.size()));
    out.append(bytes);
}

QByteArray length(qsizetype length)
{
    QByteArray out;
    appendLength(out, length);
    return out;
}

QByteArray tlv(quint16 tag, QByteArrayView content)
{
    QByteArray out;
    out.reserve(content.size() + 8); // tag, length and content at once: no regrowth leaves a copy behind
    if (tag > 0xff)
        out.append(char(tag >> 8));
    out.append(char(tag & 0xff));
    appendLength(out, content.size());
    out.append(content);
    return out;
}

QByteArray sequence(QByteArrayView content)
{
    return tlv(0x30, content);
}

QByteArray integer(qint64 value, quint16 tag)
{
    QByteArray bytes;
    qint64 v = value;
    do {
        bytes.prepend(char(v & 0xff));
        v >>= 8;
    } while (!((v == 0 && !(bytes.front() & 0x80)) || (v == -1 && (bytes.front() & 0x80))));
    return tlv(tag, bytes);
}

QByteArray boolean(bool value, quint16 tag)
{
    return tlv(tag, QByteArray(1, value ? char(0xff) : char(0x00)));
}

QByteArray namedBits(std::initializer_list<int> bits, quint16 tag)
{
    int highest = -1;
    for (int b : bits)
        highest = std::max(highest, b);
    if (highest < 0)
        return tlv(tag, QByteArray(1, 0));
    QByteArray content(1 + highest / 8 + 1, 0);
    for (int b : bits)
        content[1 + b / 8] = char(content[1 + b / 8] | (0x80 >> (b % 8)));
    content[0] = char(7 - highest % 8); // unused bits in the last byte
    return tlv(tag, content);
}

QByteArray objectIdentifier(QByteArrayView dotted, quint16 tag)
{
    const QList<QByteArray> parts = dotted.toByteArray().split('.');
    QList<quint64> arcs;
    for (const QByteArray &p : parts)
        arcs.append(p.toULongLong());
    QByteArray content;
    const auto base128 = [&content](quint64 arc) {
        QByteArray b;
        b.prepend(char(arc & 0x7f));
        for (arc >>= 7; arc > 0; arc >>= 7)
            b.prepend(char(0x80 | (arc & 0x7f)));
        content.append(b);
    };
    base128(arcs.value(0) * 40 + arcs.value(1));
    for (qsizetype i = 2; i < arcs.size(); ++i)
        base128(arcs.at(i));
    return tlv(tag, content);
}

Result<Element> Reader::next()
{
    const qsizetype size = m_data.size();
    qsizetype p = m_pos;
    if (p >= size)
        return fail(QStringLiteral("the encoding ends where another element was expected"));
    quint16 tag = quint8(m_data[p++]);
    if ((tag & 0x1f) == 0x1f) {
        if (p >= size)
            return fail(QStringLiteral("a tag is cut short"));
        const quint8 second = quint8(m_data[p++]);
        if (second & 0x80)
            return fail(QStringLiteral("a tag is longer than this reader accepts"));
        if (second < 0x1f) // X.690 section 8.1.2.4: numbers under 31 take the one-byte form
            return fail(QStringLiteral("a tag number under 31 is written in the long form"));
        tag = quint16((tag << 8) | second);
    }
    if (p >= size)
        return fail(QStringLiteral("a length is missing"));
    qsizetype length = quint8(m_data[p++]);
    if (length & 0x80) {
        const int count = int(length & 0x7f);
        if (count == 0 || count > 3)
            return fail(QStringLiteral("an indefinite or oversized length (DER needs a definite length under 16 MiB)"));
        length = 0;
        for (int i = 0; i < count; ++i) {
            if (p >= size)
                return fail(QStringLiteral("a length is cut short"));
            length = (length << 8) | quint8(m_data[p++]);
        }
        // DER: the shortest form only (X.690 section 10.1), so one value has one encoding.
        if (length < 0x80 || length < (qsizetype(1) << (8 * (count - 1))))
            return fail(QStringLiteral("a length is not in its shortest form (not DER)"));
    }
    if (length > size - p)
        return fail(QStringLiteral("an element claims %1 bytes but only %2 remain").arg(length).arg(size - p));
    Element e;
    e.tag = tag;
    e.content = m_data.sliced(p, length);
    e.encoded = m_data.sliced(m_pos, p + length - m_pos);
    m_pos = p + length;
    return e;
}

Result<Element> Reader::expect(quint16 tag, const char *what)
{
    const qsizetype start = m_pos;
    auto e = next();
    if (!e)
        return fail(QStringLiteral("%1: %2").arg(QLatin1StringView(what), e.errorMessage()));
    if (e->tag != tag) {
        m_pos = start;
        return fail(QStringLiteral("%1: expected tag %2, found %3")
                        .arg(QLatin1StringView(what))
                        .arg(tag, 2, 16, QLatin1Char('0'))
                        .arg(e->tag, 2, 16, QLatin1Char('0')));
    }
    return e;
}

std::optional<Element> Reader::optional(quint16 tag)
{
    const qsizetype start = m_pos;
    auto e = next();
    if (e && e->tag == tag)
        return e.value();
    m_pos = start;
    return std::nullopt;
}

Result<qint64> readInteger(QByteArrayView content)
{
    if (content.isEmpty() || content.size() > 8)
        return fail(QStringLiteral("an integer of %1 bytes").arg(content.size()));
    qint64 v = qint8(content[0]);
    for (qsizetype i = 1; i < content.size(); ++i)
        v = (v << 8) | quint8(content[i]);
    return v;
}

Result<Element> okAnswer(QByteArrayView bytes, quint16 tag, const char *type, const char *errorCodeName)
{
    Reader outer(bytes);
    auto top = outer.expect(tag, type);
    if (!top || !outer.atEnd())
        return fail(QStringLiteral("not one %1").arg(QLatin1StringView(type)));
    Reader choice(top->content);
    if (auto error = choice.optional(0xA1)) {
        Reader e(error->content);
        e.optional(0x80);
        auto code = e.next();
        auto value = code ? readInteger(code->content) : Result<qint64>(code.error());
        return fail(QStringLiteral("an error answer (%1 %2)")
                        .arg(QLatin1StringView(errorCodeName))
                        .arg(value ? value.value() : -1));
    }
    auto ok = choice.expect(0xA0, type);
    if (!ok || !choice.atEnd())
        return fail(QStringLiteral("neither an answer nor an error"));
    return ok;
}

} // namespace simfleet::protocol::der
