#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <initializer_list>

namespace simfleet::protocol::der {

// Just enough DER (ITU-T X.690) for the profile package and the download protocol: definite
// lengths, tags of one or two bytes. Tags are written as their identifier octets, e.g. 0xA0 for
// [0] constructed, 0xBF22 for a context tag numbered 34.
QByteArray tlv(quint16 tag, QByteArrayView content);
// A definite length in its shortest form (also what SGP.22 calls a BER length).
QByteArray length(qsizetype length);
void appendLength(QByteArray &out, qsizetype length);
QByteArray sequence(QByteArrayView content);        // 0x30
QByteArray integer(qint64 value, quint16 tag = 0x02); // minimal two's complement
QByteArray objectIdentifier(QByteArrayView dotted, quint16 tag = 0x06);
QByteArray boolean(bool value, quint16 tag = 0x01);
// A BIT STRING with a named bit list: the bits given set, trailing zero bits dropped as DER
// requires (X.690 section 11.2.2).
QByteArray namedBits(std::initializer_list<int> bits, quint16 tag = 0x03);

// One TLV read from a buffer. The reader never trusts a length: every element must lie inside
// what it was given.
struct Element
{
    quint16 tag = 0;
    QByteArrayView content;
    QByteArrayView encoded; // the whole TLV: tag, length and content, as read
    bool constructed() const { return (tag > 0xff ? (tag >> 8) : tag) & 0x20; }
};

class Reader
{
public:
    explicit Reader(QByteArrayView data) : m_data(data) { }
    bool atEnd() const { return m_pos >= m_data.size(); }
    qsizetype position() const { return m_pos; }
    Result<Element> next();
    // The next element, which must carry this tag.
    Result<Element> expect(quint16 tag, const char *what);
    // The next element if it carries this tag; nothing consumed otherwise.
    std::optional<Element> optional(quint16 tag);

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

Result<qint64> readInteger(QByteArrayView content);

// The chosen alternative of an SGP.22 response that is a CHOICE of an ok answer ([0], tag 'A0')
// and an error ([1], 'A1': an optional transaction ID, then an INTEGER code), inside its
// outer tag. An error answer is returned as an error naming its code.
Result<Element> okAnswer(QByteArrayView bytes, quint16 tag, const char *type, const char *errorCodeName);

} // namespace simfleet::protocol::der
