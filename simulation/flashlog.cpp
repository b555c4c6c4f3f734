#include "flashlog.h"
#include "simulationlog.h"

#include "crypto/random.h"
#include "crypto/sha256.h"

#include <QDataStream>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>
#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <optional>
#include <sys/file.h>

namespace simfleet::simulation {

namespace {

// Version 2: every frame checkable on its own, so one damaged frame costs that frame only.
constexpr QByteArrayView magic = "SFFLASH2";
// Version 1 (frames chained by their lengths): still read, and appended to until the log
// restarts, which writes version 2 (the field restarts its log each time it takes it in).
constexpr QByteArrayView magicV1 = "SFFLASH1";
constexpr qsizetype fieldIdSize = 8;
constexpr qsizetype generationSize = 16;
constexpr qsizetype headerSize = 8 + fieldIdSize + generationSize;
constexpr qsizetype frameHeaderSizeV1 = 4 + 2;
// A frame: the marker a reader resynchronises on, the payload's length, the first 8 bytes of
// SHA-256 over length and payload, the payload. A CRC-16 let one in 65 536 damaged frames pass;
// the digest also makes a marker found inside some other frame's bytes fail the check.
constexpr QByteArrayView frameMarker = "\xf1\x45\x5f\xa7";
constexpr qsizetype digestSize = 8;
constexpr qsizetype frameHeaderSize = 4 + 4 + digestSize;
constexpr quint32 largestRecord = 64 * 1024; // a certificate or sealed credentials, with names

QByteArray frameDigest(QByteArrayView lengthAndPayload)
{
    return crypto::sha256(lengthAndPayload).first(digestSize);
}

QByteArray payloadOf(const FlashRecord &r)
{
    QByteArray payload;
    QDataStream out(&payload, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_0);
    out << quint8(r.kind) << r.eid << r.iccid << r.plmn << r.fallback << r.data;
    // Added with the pending notifications; a record without them ends before, as they all did.
    if (!r.metadata.isEmpty() || r.sequenceNumber != 0)
        out << r.metadata << r.sequenceNumber;
    return payload;
}

QByteArray encode(const FlashRecord &r, int version)
{
    const QByteArray payload = payloadOf(r);
    QByteArray length(4, Qt::Uninitialized);
    qToLittleEndian(quint32(payload.size()), length.data());
    if (version == 1) {
        QByteArray checksum(2, Qt::Uninitialized);
        qToLittleEndian(qChecksum(payload), checksum.data());
        return length + checksum + payload;
    }
    const QByteArray lengthAndPayload = length + payload;
    return frameMarker.toByteArray() + length + frameDigest(lengthAndPayload) + payload;
}

std::optional<FlashRecord> decode(QByteArrayView payload)
{
    QByteArray copy = payload.toByteArray();
    QDataStream in(&copy, QIODevice::ReadOnly);
    in.setVersion(QDataStream::Qt_6_0);
    quint8 kind = 0;
    FlashRecord r;
    in >> kind >> r.eid >> r.iccid >> r.plmn >> r.fallback >> r.data;
    if (in.status() == QDataStream::Ok && !in.atEnd())
        in >> r.metadata >> r.sequenceNumber;
    if (in.status() != QDataStream::Ok || !in.atEnd() || kind < quint8(FlashRecord::Kind::Certified)
        || kind > quint8(FlashRecord::Kind::EimCounter))
        return std::nullopt;
    r.kind = FlashRecord::Kind(kind);
    return r;
}

// The version 2 frame at `at`, and where the next one starts; nothing when no whole, intact
// frame starts there.
std::optional<std::pair<FlashRecord, qsizetype>> frameAt(QByteArrayView bytes, qsizetype at)
{
    if (bytes.size() - at < frameHeaderSize || bytes.sliced(at, frameMarker.size()) != frameMarker)
        return std::nullopt;
    const quint32 length = qFromLittleEndian<quint32>(bytes.data() + at + 4);
    if (length > largestRecord || bytes.size() - at - frameHeaderSize < qsizetype(length))
        return std::nullopt;
    QByteArray lengthAndPayload = bytes.sliced(at + 4, 4).toByteArray();
    lengthAndPayload += bytes.sliced(at + frameHeaderSize, length);
    if (frameDigest(lengthAndPayload) != bytes.sliced(at + 8, digestSize))
        return std::nullopt;
    auto record = decode(bytes.sliced(at + frameHeaderSize, length));
    if (!record)
        return std::nullopt;
    return std::pair { std::move(*record), at + frameHeaderSize + qsizetype(length) };
}

// The version 1 frame at `at`: frames are found only by the lengths before them.
std::optional<std::pair<FlashRecord, qsizetype>> frameAtV1(QByteArrayView bytes, qsizetype at)
{
    if (bytes.size() - at < frameHeaderSizeV1)
        return std::nullopt;
    const quint32 length = qFromLittleEndian<quint32>(bytes.data() + at);
    const quint16 checksum = qFromLittleEndian<quint16>(bytes.data() + at + 4);
    if (length > largestRecord || bytes.size() - at - frameHeaderSizeV1 < qsizetype(length))
        return std::nullopt;
    const QByteArrayView payload = bytes.sliced(at + frameHeaderSizeV1, length);
    if (qChecksum(payload) != checksum)
        return std::nullopt;
    auto record = decode(payload);
    if (!record)
        return std::nullopt;
    return std::pair { std::move(*record), at + frameHeaderSizeV1 + qsizetype(length) };
}

} // namespace

FlashScan scanFlashFrames(QByteArrayView bytes, int version)
{
    FlashScan scan;
    qsizetype at = 0;
    qsizetype damagedFrom = -1;
    while (at < bytes.size()) {
        auto frame = version == 1 ? frameAtV1(bytes, at) : frameAt(bytes, at);
        if (frame) {
            if (damagedFrom >= 0) {
                ++scan.damagedStretches;
                scan.bytesSkipped += at - damagedFrom;
                damagedFrom = -1;
            }
            scan.records.push_back(std::move(frame->first));
            at = frame->second;
            scan.end = at;
            continue;
        }
        if (version == 1)
            break; // nothing to resynchronise on: the rest is lost, as it always was
        // Damaged here: the next intact frame starts at some later marker.
        if (damagedFrom < 0)
            damagedFrom = at;
        const qsizetype next = bytes.indexOf(frameMarker, at + 1);
        at = next < 0 ? bytes.size() : next;
    }
    // What follows the last intact frame is a write the process did not finish (or damage
    // nobody can tell from one): cut off.
    scan.tailBytes = bytes.size() - scan.end;
    return scan;
}

namespace {

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

    const bool known = bytes.startsWith(magic) || bytes.startsWith(magicV1);
    const bool ours = bytes.size() >= headerSize && known && QByteArrayView(bytes).sliced(magic.size(), fieldIdSize) == fieldId;
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
    log->m_version = bytes.startsWith(magicV1) ? 1 : 2;
    FlashScan scan = scanFlashFrames(QByteArrayView(bytes).sliced(headerSize), log->m_version);
    for (const FlashRecord &record : scan.records)
        log->m_written.insert(record.eid);
    log->m_recovered = std::move(scan.records);
    log->m_damage = { scan.damagedStretches, scan.bytesSkipped };
    if (scan.damagedStretches > 0) {
        // Counts only: the frames hold sealed credentials and device state, never printed.
        qCWarning(lcSimulation).nospace() << "the flash log " << path << " has " << scan.damagedStretches
                                          << " damaged stretch(es), " << scan.bytesSkipped << " bytes, skipped; "
                                          << log->m_recovered.size() << " intact records around them kept";
    }
    const qsizetype at = headerSize + scan.end;
    if (scan.tailBytes > 0) {
        // A write the process did not finish: the device never answered it, so it never happened.
        qCWarning(lcSimulation) << "the flash log" << path << "ends in" << scan.tailBytes << "damaged bytes; cut off";
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
    QMutexLocker lock(&m_mutex);
    const QByteArray frame = encode(record, m_version);
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
    m_damage = {};
    m_version = 2;
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
