// libFuzzer target for the CSV reader that enrollment and device lists run on files from
// factories and spreadsheets: arbitrary bytes as a file. Whatever the input, the reader must
// end (a record or an error per call, never a loop without progress), keep its memory bounded by
// maxRecordBytes, and a field it reads must survive csvQuoted and a second read unchanged apart
// from the apostrophe that defuses spreadsheet formulas. A field that is an activation code
// (SGP.22 section 4.1, as `operators activation-codes` reads them) parses and writes back the same.

#include "fleet/csvreader.h"
#include "protocol/activationcode.h"

#include <QBuffer>

#include <cstddef>
#include <cstdint>

using namespace simfleet;

namespace {

// What csvQuoted writes, read back as one record: its one field.
QString readBack(const QString &quoted)
{
    // Under a header, as simfleet writes its files: the header chooses the delimiter.
    QByteArray bytes = "value\n" + quoted.toUtf8() + "\n";
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    fleet::CsvReader reader(&buffer);
    QStringList fields;
    if (reader.next(fields) != fleet::CsvReader::Status::Record)
        __builtin_trap();
    if (reader.next(fields) != fleet::CsvReader::Status::Record || fields.size() != 1)
        __builtin_trap();
    return fields.first();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    fleet::CsvReader reader(&buffer);
    QStringList fields;
    qint64 records = 0;
    qint64 lastLine = 0;
    for (;;) {
        const auto status = reader.next(fields);
        if (status == fleet::CsvReader::Status::Error) {
            if (reader.errorMessage().isEmpty())
                __builtin_trap();
            break;
        }
        if (status == fleet::CsvReader::Status::End)
            break;
        // Every record starts on a later line and consumes at least one byte.
        if (reader.recordLine() <= lastLine || ++records > qint64(size) + 1)
            __builtin_trap();
        lastLine = reader.recordLine();
        qint64 fieldBytes = 0;
        for (const QString &f : fields)
            fieldBytes += f.size();
        if (fieldBytes > fleet::CsvReader::maxRecordBytes)
            __builtin_trap();
        // Activation codes come in these files (operators activation-codes): a field that reads
        // as one must write back as the same code.
        for (const QString &f : fields) {
            auto code = protocol::ActivationCode::parse(f);
            if (!code)
                continue;
            auto again = protocol::ActivationCode::parse(code->toString());
            if (!again || again->toString() != code->toString() || again->matchingId != code->matchingId)
                __builtin_trap();
        }
        // A single field (the delimiter of a one-column file is a comma) written and read back;
        // not an empty one, which on a line of its own is a blank line, skipped by design.
        if (fields.size() == 1 && !fields.first().isEmpty() && records <= 4 && reader.delimiter() == ',') {
            const QString &field = fields.first();
            const QString back = readBack(fleet::csvQuoted(field));
            if (back != field && back != QLatin1Char('\'') + field)
                __builtin_trap();
        }
    }
    return 0;
}
