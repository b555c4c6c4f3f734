#include "requestsizelimit.h"

#include "netlog.h"

#include <QSslSocket>
#include <QString>
#include <QTimer>

#include <memory>

namespace simfleet::net {

namespace {

QByteArray payloadTooLarge(const QString &interfaceName, qint64 maxBytes)
{
    const QByteArray why = "the request is over " + QByteArray::number(maxBytes) + " bytes; an " + interfaceName.toUtf8()
        + " request is far smaller\n";
    return "HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: "
        + QByteArray::number(why.size()) + "\r\nConnection: close\r\n\r\n" + why;
}

} // namespace

void limitRequestSize(QSslSocket *socket, const QObject *server, const QString &interfaceName, qint64 maxBytes,
                      std::chrono::milliseconds linger)
{
    struct Request
    {
        qint64 received = 0;
        bool refused = false;
    };
    auto request = std::make_shared<Request>();
    QObject::connect(socket, &QIODevice::readyRead, socket, [socket, server, interfaceName, maxBytes, linger, request] {
        if (request->refused) {
            socket->skip(socket->bytesAvailable());
            return;
        }
        // The server reads what arrived in its own handler, after this one, inside a read
        // transaction that it commits once a request is whole: none open, a new request begins.
        if (!socket->isTransactionStarted())
            request->received = 0;
        request->received += socket->bytesAvailable();
        if (request->received <= maxBytes)
            return;
        request->refused = true;
        qCInfo(lcNet) << interfaceName << "request refused: 413, over" << maxBytes << "bytes from" << socket->peerAddress().toString();
        QObject::disconnect(socket, &QIODevice::readyRead, server, nullptr);
        if (socket->isTransactionStarted())
            socket->commitTransaction(); // drops what the server buffered of this request
        socket->skip(socket->bytesAvailable());
        socket->write(payloadTooLarge(interfaceName, maxBytes));
        QTimer::singleShot(linger, socket, [socket] { socket->disconnectFromHost(); });
    });
}

} // namespace simfleet::net
