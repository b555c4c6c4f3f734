#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QMutex>
#include <QSet>
#include <QString>

#include <chrono>
#include <memory>
#include <vector>

class QFile;

namespace simfleet::simulation {

// One change a simulated device commits to its secure element's flash.
struct FlashRecord
{
    enum class Kind : quint8 {
        Certified = 1, // data: the device certificate its manufacturer issued at first contact
        Installed = 2, // iccid, plmn; data: the credentials sealed under the storage key;
                       // metadata: the StoreMetadata the profile came with
        Enabled = 3,   // iccid enabled, every other profile disabled; fallback: the one kept
        Disabled = 4,  // iccid
        Deleted = 5,   // iccid
        Crashed = 6,   // the device failed a download once (CrashesMidDownload)
        Notified = 7,  // a pending notification (SGP.22 section 3.5): sequenceNumber; iccid;
                       // data: what the eUICC signed (SimulatedDevice::Memory::Notification)
        NotificationRemoved = 8, // sequenceNumber, delivered and removed from the list
        EimCounter = 9, // data: an eIM's eimId; sequenceNumber: the counterValue of the last eUICC
                        // package of it the eUICC accepted (SGP.32 section 2.11.1.1)
    };
    Kind kind = Kind::Certified;
    QString eid;
    QString iccid;
    QString plmn;
    QString fallback;
    QByteArray data;
    QByteArray metadata;
    qint64 sequenceNumber = 0;
};

// The simulated field's flash: what its devices change, appended to a file beside the field's
// database and handed to the operating system before the device answers, so a process killed
// afterwards keeps it (as a secure element commits to flash before it responds). Appending costs
// one write() on the calling thread, where a database commit cost a hand-over to the writer
// thread and back for every step of every device. The field's database takes the records in
// when the field is opened and closed (SimulatedField), then the log starts afresh.
//
// File: "SFFLASH2", 8 bytes naming the field, 16 bytes naming this generation of the log, then
// frames, each a 4-byte marker, a 4-byte length, 8 bytes of SHA-256 over length and record, and
// the record. Every frame is checked on its own: a damaged one (a flipped bit, a stray write) is
// skipped and the reader resynchronises on the next marker, keeping every intact frame after it;
// a torn tail (a process killed during a write) is cut off. A version 1 log ("SFFLASH1": length,
// CRC-16, record, found only by the lengths before it) is still read, up to its first damaged
// frame, and appended to in its own format until the log restarts, in version 2.
//
// One FlashLog at a time has a field's devices (an exclusive lock on the file, released when it
// closes or its process dies): two simulations of the same devices, in two processes or two jobs
// of one, would each keep their own idea of what the devices hold.
// What a reader found in the frames after a log's header (version 1 or 2).
struct FlashScan
{
    std::vector<FlashRecord> records;
    qsizetype end = 0;           // just after the last intact frame
    qsizetype tailBytes = 0;     // after it, cut off
    int damagedStretches = 0;    // between intact frames, skipped
    qsizetype bytesSkipped = 0;
};
FlashScan scanFlashFrames(QByteArrayView frames, int version = 2);

class FlashLog
{
public:
    ~FlashLog();
    FlashLog(const FlashLog &) = delete;
    FlashLog &operator=(const FlashLog &) = delete;

    // Opens the log at path, or starts one; a log written for another field is set aside
    // (renamed with ".foreign") and a new one started. Waits up to `wait` for another user of the
    // field to finish, then fails with code "field-busy".
    static Result<std::unique_ptr<FlashLog>> open(const QString &path, const QByteArray &fieldId,
                                                  std::chrono::milliseconds wait = std::chrono::seconds(5));

    // Identifies this generation of the log: the database stores it when it has taken the
    // records in, so records are never applied twice.
    QByteArray generation() const { return m_generation; }
    // The records found when the log was opened, oldest first.
    const std::vector<FlashRecord> &recovered() const { return m_recovered; }
    // Damage between intact frames that open() skipped (a torn tail is not counted).
    struct Damage
    {
        int stretches = 0;
        qsizetype bytes = 0;
    };
    Damage damage() const { return m_damage; }
    // Devices with records in this generation (recovered or appended since).
    QSet<QString> devicesWritten() const;

    // Thread-safe; returns once the record is in the operating system's hands.
    Result<void> append(const FlashRecord &record);
    // Empties the log under a new generation, once the database holds what it said.
    Result<void> restart();

private:
    FlashLog(QString path, QByteArray fieldId);
    Result<void> writeHeader();

    QString m_path;
    QByteArray m_fieldId;
    QByteArray m_generation;
    std::unique_ptr<QFile> m_file;
    std::vector<FlashRecord> m_recovered;
    Damage m_damage;
    int m_version = 2; // of the file's frames, which appends follow
    mutable QMutex m_mutex;
    QSet<QString> m_written;
};

} // namespace simfleet::simulation
