#pragma once

#include "tlsidentity.h"

#include "core/result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSslCertificate>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace simfleet::net {

// A function's answer: its body, or none (the function answers nothing, HTTP 204); or, in the
// ASN.1 binding where a body that is no message of the interface has no answer of its own, a
// refusal (HTTP 400 with the reason).
struct FunctionAnswer
{
    FunctionAnswer(std::optional<QByteArray> answer = std::nullopt) : body(std::move(answer)) { }
    FunctionAnswer(QByteArray answer) : body(std::move(answer)) { }
    static FunctionAnswer refused(QString why)
    {
        FunctionAnswer a;
        a.refusal = std::move(why);
        return a;
    }
    std::optional<QByteArray> body;
    QString refusal;
};

// One function as the server runs it: the request body in, the answer out. Runs on the server's
// own thread pool, off the thread that owns the sockets, so it may take its time over
// cryptography.
using FunctionCall = std::function<FunctionAnswer(const QByteArray &body)>;

// SGP.22 section 6's HTTPS binding of one interface (ES9+, ES2+), served with Qt HTTP Server:
// POST /gsma/rsp2/<interface>/<function> with a JSON body and X-Admin-Protocol gsma/rsp/v2.x.y;
// every function result is HTTP 200 with header.functionExecutionStatus (also when it failed),
// a function without output HTTP 204; 4xx only for what is wrong with the HTTP request itself
// (method, path, headers, a body over the limit). Any other path is 404: one listener serves one
// interface. The answer goes back to the socket only if its client is still connected. Qt 6.4
// HTTP Server reads a whole request before a handler sees it, so a request far over the limit is
// refused (413) on its socket as its bytes arrive (net/requestsizelimit.h), never held whole.
// Lives on the thread that creates it, which must run an event loop.
class RspHttpServer
{
public:
    // How requests and answers are written: SGP.22 section 6's JSON binding, one path per
    // function; or the ASN.1 binding SGP.32 section 6.1 gives ESipa, every message DER
    // (application/x-gsma-rsp-asn1) POSTed to /gsma/rsp2/asn1, the message saying which function.
    enum class Binding { Json, Asn1 };
    struct Interface
    {
        QString name;              // "ES9+", for messages
        QString pathSegment;       // "es9plus": the functions are under /gsma/rsp2/es9plus/ (JSON only)
        qsizetype maxRequestBytes = 0;
        // The call for a function's name; an empty one for a function the interface does not
        // provide (HTTP 404). The ASN.1 binding asks for the name "".
        std::function<FunctionCall(const QString &function)> route;
    };
    // adminProtocol: the ASN.1 binding's X-Admin-Protocol answered (the JSON one's is SGP.22's).
    explicit RspHttpServer(Interface served, Binding binding = Binding::Json, QByteArray adminProtocol = {});
    ~RspHttpServer();
    RspHttpServer(const RspHttpServer &) = delete;
    RspHttpServer &operator=(const RspHttpServer &) = delete;

    // TLS 1.2 or 1.3 with this identity; section 6 is HTTPS only, so listen() refuses without one.
    void setTlsIdentity(const TlsIdentity &identity);
    // Mutual TLS: a client must present a certificate that chains to one of these, or the
    // handshake fails before any HTTP is read. Without any, clients are not asked for one.
    void requireClientCertificates(QList<QSslCertificate> authorities);
    // How many functions run at once (default: as many as the machine has cores); more for an
    // interface whose functions may wait (ESipa's held check-ins).
    void setMaxConcurrentCalls(int calls);
    // The port it listens on (port 0: one the system picks).
    Result<quint16> listen(const QHostAddress &address, quint16 port);

    // What it served so far: TLS connections accepted (each a full handshake), HTTP requests
    // read whole (not those refused for their size while they arrived), and the CPU time its
    // functions took on the server's pool (the cryptography; not TLS and HTTP, which run on the
    // thread that owns the sockets). Read from any thread.
    struct Traffic
    {
        quint64 connections = 0;
        quint64 requests = 0;
        double functionCpuSeconds = 0;
    };
    Traffic traffic() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace simfleet::net
