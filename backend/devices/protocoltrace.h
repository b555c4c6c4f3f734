#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <memory>

namespace simfleet::devices {

// A support engineer's record of what went over the wire (issue 19): every message of every
// device's conversation, in order, as the DER bytes sent, in DIR/EID/NNN-<direction>-<type>.der,
// with DIR/EID/index.json naming each file's ASN.1 type (module.Type) and DIR/index.json the
// modules. Only what travels is written: the bound profile package as sent (encrypted), never a
// profile in clear, never a key. A campaign resumed with the same directory goes on numbering
// where it stopped. Thread-safe: devices in flight record at once.
class ProtocolTrace
{
public:
    enum class Direction { ToDevice, FromDevice };

    // Creates the directory (or takes one this campaign traced into before); refuses a path
    // that is a file or a directory it cannot write.
    static Result<std::shared_ptr<ProtocolTrace>> open(const QString &directory, qint64 campaignId);

    // type: the ASN.1 type as "Module.Type", e.g. "RSPDefinitions.AuthenticateServerRequest".
    // A message that cannot be written is logged once and skipped: a full disk does not stop
    // the devices' campaign, and the run says the trace is incomplete (incomplete()).
    void record(const QString &eid, Direction direction, const char *type, const QByteArray &der);

    const QString &directory() const { return m_directory; }
    bool incomplete() const;

private:
    explicit ProtocolTrace(QString directory) : m_directory(std::move(directory)) { }

    struct DeviceTrace;
    QString m_directory;
    mutable QMutex m_mutex;
    QHash<QString, std::shared_ptr<DeviceTrace>> m_devices;
    bool m_failed = false;
};

} // namespace simfleet::devices
