#include "rsphttpserver.h"

#include "netlog.h"
#include "requestsizelimit.h"

#include "protocol/jsonbinding.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslServer>
#include <QTcpSocket>
#include <QThreadPool>

#include <ctime>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <chrono>

namespace simfleet::net {

namespace binding = protocol::jsonbinding;
using Status = QHttpServerResponse::StatusCode;

namespace {

constexpr char asn1ContentType[] = "application/x-gsma-rsp-asn1";

// Room for a request's line and headers beside its body (Qt's HTTP parser allows 80 KiB of them).
constexpr qint64 maxRequestHeadBytes = 80 * 1024;
// How long a client refused for its size has to read its 413 while what it still sends is dropped.
constexpr std::chrono::seconds lingerAfterRefusal(5);

// The calling thread's CPU time so far (Linux and the other POSIX systems simfleet runs on).
quint64 threadCpuNanoseconds()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return quint64(t.tv_sec) * 1'000'000'000ULL + quint64(t.tv_nsec);
}

} // namespace

struct RspHttpServer::Private
{
    Interface served;
    Binding binding = Binding::Json;
    QByteArray adminProtocol;
    std::optional<TlsIdentity> tls;
    QList<QSslCertificate> clientAuthorities;
    QThreadPool pool;
    QHttpServer http;
    std::atomic<quint64> connections = 0;
    std::atomic<quint64> requests = 0;
    std::atomic<quint64> functionCpuNanoseconds = 0;

    QHttpServerResponse transportError(Status status, const QString &why) const
    {
        qCInfo(lcNet) << served.name << "request refused:" << int(status) << why;
        // The type given, not sniffed: Qt 6.4 guesses a body's type from its bytes otherwise.
        return QHttpServerResponse("text/plain;charset=UTF-8", why.toUtf8() + '\n', status);
    }

    // What is wrong with the HTTP request itself, before its body is read as a function's input.
    std::optional<QHttpServerResponse> transportProblem(const QHttpServerRequest &request) const
    {
        if (request.method() != QHttpServerRequest::Method::Post)
            return transportError(Status::MethodNotAllowed, QStringLiteral("%1 functions are called with POST").arg(served.name));
        const bool asn1 = binding == Binding::Asn1;
        const QByteArray protocol = request.value("X-Admin-Protocol");
        if (!protocol.startsWith(asn1 ? QByteArrayView("gsma/rsp/v") : QByteArrayView(binding::adminProtocolPrefix)))
            return transportError(Status::BadRequest, QStringLiteral("X-Admin-Protocol must be %1, not \"%2\"")
                                                          .arg(asn1 ? QStringLiteral("gsma/rsp/vX.Y.Z") : QStringLiteral("gsma/rsp/v2.x.y"),
                                                               QString::fromLatin1(protocol.left(64))));
        const QByteArray type = request.value("Content-Type").toLower();
        const QByteArrayView expected = asn1 ? QByteArrayView(asn1ContentType) : QByteArrayView("application/json");
        if (!type.startsWith(expected))
            return transportError(Status::UnsupportedMediaType, QStringLiteral("the body must be %1").arg(QLatin1StringView(expected)));
        if (request.body().size() > served.maxRequestBytes)
            return transportError(Status::PayloadTooLarge, QStringLiteral("the body is %1 bytes; an %2 request has at most %3")
                                                               .arg(request.body().size())
                                                               .arg(served.name)
                                                               .arg(served.maxRequestBytes));
        return std::nullopt;
    }

    void logRefusedHandshakes()
    {
        for (QTcpServer *server : http.servers()) {
            auto *tlsServer = qobject_cast<QSslServer *>(server);
            if (!tlsServer)
                continue;
            QObject::connect(tlsServer, &QSslServer::sslErrors, tlsServer, [name = served.name](QSslSocket *, const QList<QSslError> &errors) {
                QStringList texts;
                for (const QSslError &e : errors)
                    texts.append(e.errorString());
                qCInfo(lcNet) << name << "client refused at TLS:" << texts.join(QStringLiteral("; "));
            });
        }
    }
};

namespace {

QHttpServerResponse answer(const FunctionAnswer &reply, const QString &name, bool asn1, const QByteArray &adminProtocol)
{
    if (!reply.refusal.isEmpty()) {
        qCInfo(lcNet) << name << "request refused:" << reply.refusal;
        return QHttpServerResponse("text/plain;charset=UTF-8", reply.refusal.toUtf8() + '\n', Status::BadRequest);
    }
    // SGP.22 section 6.2: a function's result (success or Failed) is 200 with JSON; a function
    // that returns nothing (ES9+.HandleNotification) is 204. SGP.32 section 6.1 the same in DER.
    // The type given: guessing it from the body (Qt 6.4 runs the MIME database over the bytes)
    // took a sixth of the server's CPU.
    QHttpServerResponse response = reply.body
        ? QHttpServerResponse(asn1 ? QByteArray(asn1ContentType) : QByteArray("application/json;charset=UTF-8"), *reply.body, Status::Ok)
        : QHttpServerResponse(Status::NoContent);
    response.setHeader("X-Admin-Protocol", asn1 ? adminProtocol : QByteArray(binding::adminProtocol));
    return response;
}

} // namespace

RspHttpServer::RspHttpServer(Interface served, Binding binding, QByteArray adminProtocol) : d(std::make_unique<Private>())
{
    d->served = std::move(served);
    d->binding = binding;
    d->adminProtocol = std::move(adminProtocol);
    // The handler answers through the responder once the pool is done. Qt 6.4's own QFuture
    // answer writes to the socket without checking it still exists, so a client hanging up
    // while the server signs would crash the server; here the answer goes only to a socket that
    // is still there and connected.
    const auto serve = [this](const QString &name, const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        ++d->requests;
        if (auto problem = d->transportProblem(request)) {
            problem->write(std::move(responder));
            return;
        }
        FunctionCall call = d->served.route(name);
        if (!call) {
            d->transportError(Status::NotFound, QStringLiteral("%1 has no function %2").arg(d->served.name, name.left(64)))
                .write(std::move(responder));
            return;
        }
        QPointer<QTcpSocket> socket = responder.socket();
        auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
        // The body is copied: the request does not outlive this call.
        QtConcurrent::run(&d->pool, [call = std::move(call), body = request.body(), d = d.get()] {
            const quint64 before = threadCpuNanoseconds();
            auto response = answer(call(body), d->served.name, d->binding == Binding::Asn1, d->adminProtocol);
            d->functionCpuNanoseconds += threadCpuNanoseconds() - before;
            return response;
        }).then(&d->http, [socket, held, name = d->served.name](QHttpServerResponse &&response) {
            if (socket && socket->state() == QAbstractSocket::ConnectedState)
                response.write(std::move(*held));
            else
                qCInfo(lcNet) << name << "client hung up before its answer";
        });
    };
    if (d->binding == Binding::Asn1)
        d->http.route(QStringLiteral("/gsma/rsp2/asn1"), [serve](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            serve(QString(), request, std::move(responder));
        });
    else
        d->http.route(QStringLiteral("/gsma/rsp2/%1/<arg>").arg(d->served.pathSegment), serve);
}

RspHttpServer::~RspHttpServer()
{
    d->pool.waitForDone();
}

void RspHttpServer::setTlsIdentity(const TlsIdentity &identity)
{
    d->tls = identity;
}

void RspHttpServer::setMaxConcurrentCalls(int calls)
{
    d->pool.setMaxThreadCount(std::max(1, calls));
}

void RspHttpServer::requireClientCertificates(QList<QSslCertificate> authorities)
{
    d->clientAuthorities = std::move(authorities);
}

Result<quint16> RspHttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!d->tls)
        return fail(QStringLiteral("%1 is served over HTTPS only; give the server a TLS certificate and key").arg(d->served.name));
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(d->tls->certificate);
    tls.setLocalCertificateChain(QList<QSslCertificate> { d->tls->certificate } + d->tls->chain);
    tls.setPrivateKey(d->tls->key);
    tls.setProtocol(QSsl::TlsV1_2OrLater); // SGP.22 section 2.6.6
    if (d->clientAuthorities.isEmpty()) {
        tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are authenticated by the protocol, not by TLS
    } else {
        // Only these authorities, not the system's: a certificate any public CA issued is no
        // operator's.
        tls.setCaCertificates(d->clientAuthorities);
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    }
    d->http.sslSetup(tls);
    const quint16 bound = d->http.listen(address, port);
    if (bound == 0)
        return fail(QStringLiteral("cannot listen on %1:%2 (in use, or not an address of this machine)").arg(address.toString()).arg(port));
    d->logRefusedHandshakes();
    // The server listen() made is the newest child. Its sockets reach the HTTP server only once
    // encrypted, so the size limit is the first to hear of their bytes.
    if (auto *ssl = qobject_cast<QSslServer *>(d->http.servers().value(d->http.servers().size() - 1)))
        QObject::connect(ssl, &QSslServer::startedEncryptionHandshake, ssl, [this](QSslSocket *socket) {
            ++d->connections;
            limitRequestSize(socket, &d->http, d->served.name, d->served.maxRequestBytes + maxRequestHeadBytes, lingerAfterRefusal);
        });
    qCInfo(lcNet) << d->served.name << "served on" << address.toString() << bound
                  << (d->clientAuthorities.isEmpty() ? "" : "to clients with a certificate");
    return bound;
}

RspHttpServer::Traffic RspHttpServer::traffic() const
{
    return { d->connections.load(), d->requests.load(), double(d->functionCpuNanoseconds.load()) / 1e9 };
}

} // namespace simfleet::net
