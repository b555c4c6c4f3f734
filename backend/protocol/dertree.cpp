#include "dertree.h"
#include "der.h"

namespace simfleet::protocol::der {

namespace {

constexpr int maximumDepth = 32;

Result<QList<Node>> parseLevel(QByteArrayView bytes, int depth)
{
    if (depth > maximumDepth)
        return fail(QStringLiteral("elements are nested more than %1 deep").arg(maximumDepth));
    QList<Node> nodes;
    Reader reader(bytes);
    while (!reader.atEnd()) {
        auto element = reader.next();
        if (!element)
            return element.error();
        Node node;
        node.tag = element->tag;
        if (element->constructed()) {
            auto inner = parseLevel(element->content, depth + 1);
            if (!inner)
                return inner.error();
            node.children = std::move(inner).value();
        } else {
            node.value = element->content.toByteArray();
        }
        nodes.append(std::move(node));
    }
    return nodes;
}

qsizetype lengthOfLength(qsizetype length)
{
    if (length < 0x80)
        return 1;
    qsizetype n = 1;
    for (qsizetype l = length; l > 0; l >>= 8)
        ++n;
    return n;
}

qsizetype contentSize(const Node &node)
{
    if (!node.constructed())
        return node.value.size();
    qsizetype size = 0;
    for (const Node &c : node.children)
        size += c.encodedSize();
    return size;
}

} // namespace

const Node *Node::child(quint16 childTag) const
{
    for (const Node &c : children)
        if (c.tag == childTag)
            return &c;
    return nullptr;
}

Node *Node::child(quint16 childTag)
{
    for (Node &c : children)
        if (c.tag == childTag)
            return &c;
    return nullptr;
}

qsizetype Node::encodedSize() const
{
    const qsizetype content = contentSize(*this);
    return (tag > 0xff ? 2 : 1) + lengthOfLength(content) + content;
}

void Node::encodeInto(QByteArray &out) const
{
    if (tag > 0xff)
        out.append(char(tag >> 8));
    out.append(char(tag & 0xff));
    appendLength(out, contentSize(*this));
    if (!constructed()) {
        out.append(value);
        return;
    }
    for (const Node &c : children)
        c.encodeInto(out);
}

QByteArray Node::encode() const
{
    QByteArray out;
    out.reserve(encodedSize());
    encodeInto(out);
    return out;
}

Result<QList<Node>> parseAll(QByteArrayView bytes)
{
    return parseLevel(bytes, 0);
}

} // namespace simfleet::protocol::der
