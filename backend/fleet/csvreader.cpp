#include "csvreader.h"

#include <QIODevice>
#include <QStringDecoder>

namespace simfleet::fleet {

namespace {
constexpr qint64 chunkSize = 1 << 20;
} // namespace

QString csvQuoted(const QString &text)
{
    QString field = text;
    if (!field.isEmpty() && QStringView(u"=+-@\t\r").contains(field.front())) {
        bool number = false;
        field.toDouble(&number);
        if (!number)
            field.prepend(u'\'');
    }
    if (!field.contains(u',') && !field.contains(u';') && !field.contains(u'"') && !field.contains(u'\n')
        && !field.contains(u'\r'))
        return field;
    QString quoted = field;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

CsvReader::CsvReader(QIODevice *device) : m_device(device)
{
    if (!m_device->isSequential())
        m_expectedSize = m_device->size() - m_device->pos();
}

bool CsvReader::fill()
{
    if (m_eof)
        return false;
    m_buffer.resize(chunkSize);
    const qint64 n = m_device->read(m_buffer.data(), chunkSize);
    m_pos = 0;
    if (n <= 0) {
        m_buffer.clear();
        m_eof = true;
        m_readFailed = n < 0;
        return false;
    }
    m_buffer.resize(n);
    m_bytesRead += n;
    return true;
}

int CsvReader::peekByte()
{
    if (m_pos >= m_buffer.size() && !fill())
        return -1;
    return static_cast<unsigned char>(m_buffer.at(m_pos));
}

int CsvReader::getByte()
{
    const int c = peekByte();
    if (c >= 0)
        ++m_pos;
    if (c == '\n')
        ++m_line;
    return c;
}

CsvReader::Status CsvReader::failWith(QString message)
{
    m_error = std::move(message);
    return Status::Error;
}

void CsvReader::detectDelimiter()
{
    // The header line decides: whichever of ';' and ',' appears more often outside quotes.
    int commas = 0;
    int semicolons = 0;
    bool quoted = false;
    for (qsizetype i = m_pos; i < m_buffer.size() && (quoted || (m_buffer[i] != '\n')); ++i) {
        const char c = m_buffer[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == ',')
            ++commas;
        else if (!quoted && c == ';')
            ++semicolons;
    }
    m_delimiter = semicolons > commas ? ';' : ',';
}

CsvReader::Status CsvReader::readRaw(QList<QByteArray> &raw)
{
    raw.clear();
    QByteArray field;
    qsizetype recordBytes = 0;
    bool quoted = false;
    bool afterClosingQuote = false;
    bool fieldStarted = false;
    qint64 quoteLine = 0;
    m_recordLine = m_line;
    for (;;) {
        const int c = getByte();
        if (c < 0) {
            if (m_readFailed)
                return failWith(QStringLiteral("reading the file failed after %1 bytes: %2")
                                    .arg(m_bytesRead)
                                    .arg(m_device->errorString()));
            if (quoted)
                return failWith(QStringLiteral("line %1: the quoted field starting here is never closed").arg(quoteLine));
            if (fieldStarted || !raw.isEmpty())
                raw.append(field);
            if (m_expectedSize >= 0 && m_bytesRead != m_expectedSize)
                return failWith(QStringLiteral("the file changed while it was read (%1 bytes expected, %2 read); "
                                               "nothing was imported")
                                    .arg(m_expectedSize)
                                    .arg(m_bytesRead));
            return raw.isEmpty() ? Status::End : Status::Record;
        }
        if (++recordBytes > maxRecordBytes)
            return failWith(QStringLiteral("line %1: a record longer than %2 bytes; is this a CSV file?")
                                .arg(m_recordLine)
                                .arg(maxRecordBytes));
        if (quoted) {
            if (c == '"') {
                if (peekByte() == '"') {
                    getByte();
                    field.append('"');
                } else {
                    quoted = false;
                    afterClosingQuote = true;
                }
            } else {
                field.append(char(c));
            }
            continue;
        }
        if (c == m_delimiter) {
            raw.append(field);
            field.clear();
            afterClosingQuote = false;
            fieldStarted = true;
            continue;
        }
        if (c == '\n' || (c == '\r' && peekByte() == '\n')) {
            if (c == '\r')
                getByte();
            if (fieldStarted || !raw.isEmpty() || !field.isEmpty()) {
                raw.append(field);
                return Status::Record;
            }
            m_recordLine = m_line; // a blank line: keep looking
            recordBytes = 0;
            continue;
        }
        if (afterClosingQuote)
            return failWith(QStringLiteral("line %1: unexpected text after a closing quote; quotes inside a quoted "
                                           "field must be doubled (\"\")")
                                .arg(m_line));
        if (c == '"' && field.isEmpty()) {
            quoted = true;
            quoteLine = m_line;
            fieldStarted = true;
            continue;
        }
        field.append(char(c));
        fieldStarted = true;
    }
}

CsvReader::Status CsvReader::next(QStringList &fields)
{
    if (!m_error.isEmpty())
        return Status::Error;
    if (!m_started) {
        m_started = true;
        const int first = peekByte();
        if (first == 0xFF || first == 0xFE)
            return failWith(QStringLiteral("the file is UTF-16 text; save it as UTF-8 and import it again"));
        if (first == 0xEF && m_buffer.startsWith("\xEF\xBB\xBF"))
            m_pos += 3;
        detectDelimiter();
    }
    QList<QByteArray> raw;
    const Status status = readRaw(raw);
    if (status != Status::Record)
        return status;
    fields.clear();
    fields.reserve(raw.size());
    for (const QByteArray &bytes : raw) {
        // Factory files are nearly always ASCII; only other text needs the UTF-8 check.
        const bool ascii = std::all_of(bytes.cbegin(), bytes.cend(), [](char c) { return (c & 0x80) == 0; });
        if (ascii) {
            fields.append(QString::fromLatin1(bytes));
            continue;
        }
        // A field is decoded as it stands: a U+FEFF inside it is text (the file's BOM was read above).
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
        QString text = decoder(bytes);
        if (decoder.hasError())
            return failWith(QStringLiteral("line %1: the text is not valid UTF-8; save the file as UTF-8 and import "
                                           "it again")
                                .arg(m_recordLine));
        fields.append(std::move(text));
    }
    return Status::Record;
}

} // namespace simfleet::fleet
