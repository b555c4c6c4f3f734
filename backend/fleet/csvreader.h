#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

class QIODevice;

namespace simfleet::fleet {

// Streams records from a CSV file as factories and spreadsheets write them (RFC 4180 and its
// common variants): UTF-8 with or without a byte-order mark, comma or semicolon (chosen from
// the header line), quoted fields with doubled quotes and line breaks inside, CRLF or LF.
// Memory stays bounded whatever the file's size; a record may not exceed maxRecordBytes.
// A field as RFC 4180 writes it: quoted (with doubled quotes) when it holds a separator, a
// quote or a line break. Text a spreadsheet would run as a formula (it starts with =, +, -, @, a
// tab or a carriage return: CSV injection) gets a leading apostrophe; a plain number, such as a
// negative longitude, stays a number. Every CSV simfleet writes goes through here.
QString csvQuoted(const QString &field);

class CsvReader
{
public:
    enum class Status { Record, End, Error };

    static constexpr qsizetype maxRecordBytes = 64 * 1024;

    explicit CsvReader(QIODevice *device);

    // The next non-blank record. Blank lines are skipped.
    Status next(QStringList &fields);
    // The physical line on which the last record began (1-based).
    qint64 recordLine() const { return m_recordLine; }
    QString errorMessage() const { return m_error; }
    char delimiter() const { return m_delimiter; }

private:
    bool fill();
    int peekByte();
    int getByte();
    Status failWith(QString message);
    Status readRaw(QList<QByteArray> &raw);
    void detectDelimiter();

    QIODevice *m_device;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qint64 m_bytesRead = 0;
    qint64 m_expectedSize = -1;
    qint64 m_line = 1;
    qint64 m_recordLine = 1;
    char m_delimiter = 0;
    bool m_started = false;
    bool m_eof = false;
    bool m_readFailed = false;
    QString m_error;
};

} // namespace simfleet::fleet
