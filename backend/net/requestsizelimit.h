#pragma once

#include <QtGlobal>

#include <chrono>

class QObject;
class QSslSocket;
class QString;

namespace simfleet::net {

// Refuses an HTTP request on this connection once more than maxBytes of it (request line,
// headers and body) arrived, with 413 and "Connection: close", and from then on reads and drops
// what still comes until the client hangs up or linger ran out. Qt 6.4's HTTP server keeps a
// request's bytes twice over (the socket's read transaction and the request's body) until the
// last one came, and only then shows the request to a handler: a 100 MB body cost 426 MiB before
// the handler could refuse it. The limit acts on the socket instead. Lingering rather than
// closing at once lets the client read the answer: a close with unread bytes resets the
// connection, and the reset can overtake the 413 (RFC 9112 section 9.6).
// server: the HTTP server reading the socket (its readyRead handlers are disconnected on refusal);
// interfaceName ("ES9+") for the answer and the log. Call before the server connects to the
// socket, so this handler runs first on each readyRead.
void limitRequestSize(QSslSocket *socket, const QObject *server, const QString &interfaceName, qint64 maxBytes,
                      std::chrono::milliseconds linger);

} // namespace simfleet::net
