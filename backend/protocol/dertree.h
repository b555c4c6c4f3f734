#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace simfleet::protocol::der {

// A DER value read in full: a constructed element keeps its elements as nodes, a primitive one
// its content. For structures simfleet changes in part and passes on whole, such as an
// operator's profile package: what was read encodes back to the same bytes, since DER
// (X.690 section 10) leaves one way to write each value and the reader accepts only that way.
struct Node
{
    quint16 tag = 0;
    QByteArray value;     // a primitive element's content
    QList<Node> children; // a constructed element's elements, in order

    bool constructed() const { return (tag > 0xff ? (tag >> 8) : tag) & 0x20; }
    // The first element with this tag, or null.
    const Node *child(quint16 childTag) const;
    Node *child(quint16 childTag);

    // The whole TLV. Sized first and written once, so no buffer regrows and leaves a copy of a
    // key behind.
    QByteArray encode() const;
    qsizetype encodedSize() const;
    void encodeInto(QByteArray &out) const;

    static Node primitive(quint16 tag, QByteArray content) { return Node { tag, std::move(content), {} }; }
    static Node constructedOf(quint16 tag, QList<Node> elements) { return Node { tag, {}, std::move(elements) }; }
};

// Every element in bytes, read to the bottom (at most 32 levels deep).
Result<QList<Node>> parseAll(QByteArrayView bytes);

} // namespace simfleet::protocol::der
