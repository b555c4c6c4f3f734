#include "protocoltrace.h"
#include "deviceslog.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace simfleet::devices {

struct ProtocolTrace::DeviceTrace
{
    QMutex mutex; // one device's messages are written in the order they were exchanged
    QDir directory;
    QJsonArray messages;
};

namespace {

bool writeWhole(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit();
}

} // namespace

Result<std::shared_ptr<ProtocolTrace>> ProtocolTrace::open(const QString &directory, qint64 campaignId)
{
    const QFileInfo info(directory);
    if (info.exists() && !info.isDir())
        return fail(QStringLiteral("the trace directory %1 is a file; give a directory").arg(QDir::toNativeSeparators(directory)));
    if (!QDir().mkpath(directory))
        return fail(QStringLiteral("cannot create the trace directory %1").arg(QDir::toNativeSeparators(directory)));
    const QString absolute = QFileInfo(directory).absoluteFilePath();
    const QJsonObject index {
        { QStringLiteral("campaign"), campaignId },
        { QStringLiteral("layout"), QStringLiteral("EID/NNN-<to-device|from-device>-<type>.der, DER as sent; EID/index.json "
                                                   "names each file's ASN.1 type") },
        { QStringLiteral("modules"),
          QJsonObject { { QStringLiteral("RSPDefinitions"), QStringLiteral("GSMA SGP.22 v2.5 (RSPDefinitions.asn1)") },
                        { QStringLiteral("SimfleetDefinitions"),
                          QStringLiteral("simfleet's own messages (backend/protocol/SimfleetDefinitions.asn1)") } } },
    };
    if (!writeWhole(QDir(absolute).filePath(QStringLiteral("index.json")), QJsonDocument(index).toJson()))
        return fail(QStringLiteral("cannot write into the trace directory %1").arg(QDir::toNativeSeparators(absolute)));
    return std::shared_ptr<ProtocolTrace>(new ProtocolTrace(absolute));
}

void ProtocolTrace::record(const QString &eid, Direction direction, const char *type, const QByteArray &der)
{
    std::shared_ptr<DeviceTrace> device;
    {
        QMutexLocker lock(&m_mutex);
        std::shared_ptr<DeviceTrace> &slot = m_devices[eid];
        if (!slot) {
            slot = std::make_shared<DeviceTrace>();
            slot->directory = QDir(QDir(m_directory).filePath(eid));
            // A resumed campaign goes on where the earlier run stopped.
            QFile earlier(slot->directory.filePath(QStringLiteral("index.json")));
            if (earlier.open(QIODevice::ReadOnly))
                slot->messages = QJsonDocument::fromJson(earlier.readAll()).object().value(QStringLiteral("messages")).toArray();
        }
        device = slot;
    }
    QMutexLocker lock(&device->mutex);
    const QString typeName = QString::fromLatin1(type);
    const QString shortType = typeName.section(u'.', -1);
    const QString file = QStringLiteral("%1-%2-%3.der")
                             .arg(device->messages.size() + 1, 3, 10, QLatin1Char('0'))
                             .arg(direction == Direction::ToDevice ? QStringLiteral("to-device") : QStringLiteral("from-device"),
                                  shortType);
    device->messages.append(QJsonObject { { QStringLiteral("file"), file },
                                          { QStringLiteral("type"), typeName },
                                          { QStringLiteral("direction"), direction == Direction::ToDevice
                                                ? QStringLiteral("to-device") : QStringLiteral("from-device") },
                                          { QStringLiteral("bytes"), int(der.size()) },
                                          { QStringLiteral("at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) } });
    const QJsonObject index { { QStringLiteral("eid"), eid }, { QStringLiteral("messages"), device->messages } };
    const bool written = QDir().mkpath(device->directory.path()) && writeWhole(device->directory.filePath(file), der)
        && writeWhole(device->directory.filePath(QStringLiteral("index.json")), QJsonDocument(index).toJson());
    if (!written) {
        QMutexLocker traceLock(&m_mutex);
        if (!m_failed)
            qCWarning(lcDevices) << "the protocol trace in" << m_directory << "could not be written; it is incomplete from" << eid;
        m_failed = true;
    }
}

bool ProtocolTrace::incomplete() const
{
    QMutexLocker lock(&m_mutex);
    return m_failed;
}

} // namespace simfleet::devices
