#include "flashlog.h"
#include "simulationlog.h"

#include "crypto/random.h"

#include <QDataStream>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>
#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <sys/file.h>

namespace simfleet::simulation {

namespace {

constexpr QByteArrayView magic = "SFFLASH1";
constexpr qsizetype fieldIdSize = 8;
constexpr qsizetype generationSize = 16;
constexpr qsizetype headerSize = 8 + fieldIdSize + generationSize;
constexpr qsizetype frameHeaderSize = 4 + 2;
constexpr quint32 largestRecord = 64 * 1024; // a certificate or sealed credentials, with names

// One frame in one buffer: the header's place is kept, then filled in once the record is known.
QByteArray encode(const FlashRecord &r)
{
    QByteArray frame;
    {
        QDataStream out(&frame, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_0);
        out.writeRawData("\0\0\0\0\0\0", int(frameHeaderSize));
        out << quint8(r.kind) << r.eid << r.iccid << r.plmn << r.fallback << r.data;
    }
    const QByteArrayView payload = QByteArrayView(frame).sliced(frameHeaderSize);
    qToLittleEndian(quint32(payload.size()), frame.data());
    qToLittleEndian(qChecksum(payload), frame.data() + 4);
    return frame;
}

std::optional<FlashRecord> decode(QByteArrayView payload)
{
    QByteArray copy = payload.toByteArray();
    QDataStream in(&copy, QIODevice::ReadOnly);
    in.setVersion(QDataStream::Qt_6_0);
    quint8 kind = 0;
    FlashRecord r;
    in >> kind >> r.eid >> r.iccid >> r.plmn >> r.fallback >> r.data;
    if (in.status() != QDataStream::Ok || !in.atEnd() || kind < quint8(FlashRecord::Kind::Certified)
        || kind > quint8(FlashRecord::Kind::Crashed))
        return std::nullopt;
    r.kind = FlashRecord::Kind(kind);
    return r;
}

// Takes the file's exclusive lock, waiting for its holder up to `wait`.
Result<void> lockExclusively(QFile &file, std::chrono::milliseconds wait)
{
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        if (::flock(file.handle(), LOCK_EX | LOCK_NB) == 0)
            return {};
        if (errno != EWOULDBLOCK && errno != EINTR)
            return fail(QStringLiteral("cannot lock the simulated field's flash log %1: %2")
                            .arg(file.fileName(), QString::fromLocal8Bit(strerror(errno))));
        if (waited.elapsed() >= wait.count())
            return failWith(ErrorCode::FieldBusy,
                            QStringLiteral("the simulated devices are busy with another job (a campaign or an attestation, "
                                           "in this or another simfleet process); try again when it has finished"));
        QThread::msleep(50);
    }
}

} // namespace

FlashLog::FlashLog(QString path, QByteArray fieldId) : m_path(std::move(path)), m_fieldId(std::move(fieldId)) { }

FlashLog::~FlashLog() = default;

Result<std::unique_ptr<FlashLog>> FlashLog::open(const QString &path, const QByteArray &fieldId, std::chrono::milliseconds wait)
{
    if (fieldId.size() != fieldIdSize)
        return fail(QStringLiteral("a flash log needs an %1-byte field identity").arg(fieldIdSize));
    std::unique_ptr<FlashLog> log(new FlashLog(path, fieldId));
    log->m_file = std::make_unique<QFile>(path);
    const bool existed = log->m_file->exists();
    if (!log->m_file->open(QIODevice::ReadWrite | QIODevice::Unbuffered))
        return fail(QStringLiteral("cannot open the simulated field's flash log %1: %2").arg(path, log->m_file->errorString()));
    if (auto locked = lockExclusively(*log->m_file, wait); !locked)
        return locked.error();
    log->m_file->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner); // sealed credentials
    const QByteArray bytes = existed ? log->m_file->readAll() : QByteArray();

    const bool ours = bytes.size() >= headerSize && bytes.startsWith(magic)
        && QByteArrayView(bytes).sliced(magic.size(), fieldIdSize) == fieldId;
    if (!ours) {
        if (!bytes.isEmpty()) {
            // Not this field's: keep it for whoever wants to look, out of the way.
            qCWarning(lcSimulation) << "the flash log" << path << "belongs to another field; set aside";
            log->m_file->close();
            QFile::remove(path + QStringLiteral(".foreign"));
            if (!QFile::rename(path, path + QStringLiteral(".foreign")))
                return fail(QStringLiteral("the flash log %1 belongs to another simulated field and cannot be moved aside").arg(path));
            if (!log->m_file->open(QIODevice::ReadWrite | QIODevice::Unbuffered))
                return fail(QStringLiteral("cannot start the flash log %1: %2").arg(path, log->m_file->errorString()));
            if (auto locked = lockExclusively(*log->m_file, wait); !locked)
                return locked.error();
        }
        if (auto ok = log->restart(); !ok)
            return ok.error();
        return log;
    }

    log->m_generation = bytes.sliced(magic.size() + fieldIdSize, generationSize);
    qsizetype at = headerSize;
    while (bytes.size() - at >= frameHeaderSize) {
        const quint32 length = qFromLittleEndian<quint32>(bytes.constData() + at);
        const quint16 checksum = qFromLittleEndian<quint16>(bytes.constData() + at + 4);
        if (length > largestRecord || bytes.size() - at - frameHeaderSize < qsizetype(length))
            break;
        const QByteArrayView payload = QByteArrayView(bytes).sliced(at + frameHeaderSize, length);
        if (qChecksum(payload) != checksum)
            break;
        auto record = decode(payload);
        if (!record)
            break;
        log->m_written.insert(record->eid);
        log->m_recovered.push_back(std::move(*record));
        at += frameHeaderSize + length;
    }
    if (at != bytes.size()) {
        // A write the process did not finish: the device never answered it, so it never happened.
        qCWarning(lcSimulation) << "the flash log" << path << "ends in" << bytes.size() - at << "damaged bytes; cut off";
        if (!log->m_file->resize(at))
            return fail(QStringLiteral("cannot repair the flash log %1: %2").arg(path, log->m_file->errorString()));
    }
    if (!log->m_file->seek(at))
        return fail(QStringLiteral("cannot append to the flash log %1: %2").arg(path, log->m_file->errorString()));
    return log;
}

QSet<QString> FlashLog::devicesWritten() const
{
    QMutexLocker lock(&m_mutex);
    return m_written;
}

Result<void> FlashLog::append(const FlashRecord &record)
{
    const QByteArray frame = encode(record);
    QMutexLocker lock(&m_mutex);
    if (m_file->write(frame) != frame.size())
        return fail(QStringLiteral("the device could not write its flash (%1): %2").arg(m_path, m_file->errorString()));
    m_written.insert(record.eid);
    return {};
}

Result<void> FlashLog::restart()
{
    QMutexLocker lock(&m_mutex);
    m_generation = crypto::randomBytes(generationSize);
    m_recovered.clear();
    m_written.clear();
    return writeHeader();
}

Result<void> FlashLog::writeHeader()
{
    const QByteArray header = magic.toByteArray() + m_fieldId + m_generation;
    if (!m_file->resize(0) || !m_file->seek(0) || m_file->write(header) != header.size())
        return fail(QStringLiteral("cannot start the flash log %1: %2").arg(m_path, m_file->errorString()));
    return {};
}

} // namespace simfleet::simulation
