#include "opinput.h"

#include <QCoreApplication>
#include <QFile>

namespace simfleet::models {

namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(simfleet::models::OpInput)
};

constexpr qsizetype opBytes = 16;

int hexValue(char16_t c)
{
    if (c >= u'0' && c <= u'9')
        return c - u'0';
    if (c >= u'a' && c <= u'f')
        return c - u'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c - u'A' + 10;
    return -1;
}

bool isSpace(char16_t c)
{
    return c == u' ' || c == u'\t' || c == u'\r' || c == u'\n';
}

// 32 hex digits, perhaps with spaces or a line end around them, straight into a wiping buffer:
// no intermediate copy of the digits is made.
template<typename Char>
std::shared_ptr<const crypto::SecretBytes> parseOp(const Char *text, qsizetype size)
{
    qsizetype begin = 0;
    qsizetype end = size;
    while (begin < end && isSpace(char16_t(text[begin])))
        ++begin;
    while (end > begin && isSpace(char16_t(text[end - 1])))
        --end;
    if (end - begin != 2 * opBytes)
        return nullptr;
    auto op = std::make_shared<crypto::SecretBytes>(std::size_t(opBytes));
    for (qsizetype i = 0; i < opBytes; ++i) {
        const int hi = hexValue(char16_t(text[begin + 2 * i]));
        const int lo = hexValue(char16_t(text[begin + 2 * i + 1]));
        if (hi < 0 || lo < 0)
            return nullptr; // the partly filled buffer wipes itself
        op->data()[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return op;
}

} // namespace

void wipeString(QString &text)
{
    // A view of the string's own buffer: the wipe reaches it without detaching a copy. A string
    // without a heap buffer is a literal in read-only memory, which typed text never is.
    if (text.data_ptr().isMutable()) {
        QByteArray raw = QByteArray::fromRawData(reinterpret_cast<const char *>(text.constData()),
                                                 text.size() * qsizetype(sizeof(QChar)));
        crypto::wipeBytes(raw);
    }
    text.clear();
}

Result<OpInput> OpInput::fromTyped(QString &hex)
{
    auto op = parseOp(reinterpret_cast<const char16_t *>(hex.constData()), hex.size());
    wipeString(hex);
    if (!op)
        return fail(Text::tr("The OP takes 32 hex digits (16 bytes); type it again, or read it from a file."));
    OpInput input;
    input.m_typed = std::move(op);
    return input;
}

OpInput OpInput::fromFile(const QString &path)
{
    OpInput input;
    input.m_file = path;
    return input;
}

Result<std::shared_ptr<const crypto::SecretBytes>> OpInput::read() const
{
    if (m_typed || m_file.isEmpty())
        return m_typed;
    QFile file(m_file);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return fail(Text::tr("The OP file %1 cannot be read: %2.").arg(m_file, file.errorString()));
    // One fixed buffer, wiped afterwards; a file longer than an OP with some spacing is not one.
    QByteArray contents(256, '\0');
    const qint64 length = file.read(contents.data(), contents.size());
    const bool whole = length >= 0 && file.atEnd();
    auto op = whole ? parseOp(contents.constData(), qsizetype(length)) : nullptr;
    crypto::wipeBytes(contents);
    if (!op)
        return fail(Text::tr("The OP file %1 must hold the OP as 32 hex digits and nothing else.").arg(m_file));
    return op;
}

} // namespace simfleet::models
