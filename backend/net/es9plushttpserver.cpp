#include "es9plushttpserver.h"

#include "netlog.h"

#include "profiles/es9plusservice.h"
#include "protocol/es9plus.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QSslConfiguration>
#include <QPointer>
#include <QTcpSocket>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace simfleet::net {

namespace es9 = protocol::es9plus;
using Status = QHttpServerResponse::StatusCode;

namespace {

QHttpServerResponse transportError(Status status, const QString &why)
{
    qCInfo(lcNet) << "ES9+ request refused:" << int(status) << why;
    QHttpServerResponse response(why.toUtf8() + '\n', status);
    response.setHeader("Content-Type", "text/plain;charset=UTF-8");
    return response;
}

QHttpServerResponse answer(const profiles::Es9PlusService::Reply &reply)
{
    // SGP.22 section 6.2: a function's result (success or Failed) is 200 with JSON; a function
    // that returns nothing (handleNotification) is 204.
    QHttpServerResponse response = reply.body ? QHttpServerResponse(*reply.body, Status::Ok) : QHttpServerResponse(Status::NoContent);
    if (reply.body)
        response.setHeader("Content-Type", "application/json;charset=UTF-8");
    response.setHeader("X-Admin-Protocol", es9::adminProtocol);
    return response;
}

// What is wrong with the HTTP request itself, before its body is read as a function's input.
std::optional<QHttpServerResponse> transportProblem(const QHttpServerRequest &request)
{
    if (request.method() != QHttpServerRequest::Method::Post)
        return transportError(Status::MethodNotAllowed, QStringLiteral("ES9+ functions are called with POST"));
    const QByteArray protocol = request.value("X-Admin-Protocol");
    if (!protocol.startsWith(es9::adminProtocolPrefix))
        return transportError(Status::BadRequest, QStringLiteral("X-Admin-Protocol must be gsma/rsp/v2.x.y, not \"%1\"")
                                                      .arg(QString::fromLatin1(protocol.left(64))));
    const QByteArray type = request.value("Content-Type").toLower();
    if (!type.startsWith("application/json"))
        return transportError(Status::UnsupportedMediaType, QStringLiteral("the body must be application/json"));
    if (request.body().size() > es9::maxRequestBytes)
        return transportError(Status::PayloadTooLarge, QStringLiteral("the body is %1 bytes; an ES9+ request has at most %2")
                                                           .arg(request.body().size())
                                                           .arg(es9::maxRequestBytes));
    return std::nullopt;
}

} // namespace

struct Es9PlusHttpServer::Private
{
    std::shared_ptr<profiles::Es9PlusService> service;
    std::optional<TlsIdentity> tls;
    QThreadPool pool;
    QHttpServer http;
};

Es9PlusHttpServer::Es9PlusHttpServer(std::shared_ptr<profiles::Es9PlusService> service) : d(std::make_unique<Private>())
{
    d->service = std::move(service);
    // The handler answers through the responder once the pool is done. Qt 6.4's own QFuture
    // answer writes to the socket without checking it still exists, so a client hanging up
    // while the server signs would crash the server; here the answer goes only to a socket that
    // is still there and connected.
    d->http.route(QStringLiteral("/gsma/rsp2/es9plus/<arg>"),
                  [this](const QString &name, const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                      if (auto problem = transportProblem(request)) {
                          problem->write(std::move(responder));
                          return;
                      }
                      const auto function = es9::functionFromName(name);
                      if (!function) {
                          transportError(Status::NotFound, QStringLiteral("ES9+ has no function %1").arg(name.left(64)))
                              .write(std::move(responder));
                          return;
                      }
                      QPointer<QTcpSocket> socket = responder.socket();
                      auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
                      // The body is copied: the request does not outlive this call.
                      QtConcurrent::run(&d->pool, [service = d->service, f = *function, body = request.body()] {
                          return answer(service->handle(f, body));
                      }).then(&d->http, [socket, held](QHttpServerResponse &&response) {
                          if (socket && socket->state() == QAbstractSocket::ConnectedState)
                              response.write(std::move(*held));
                          else
                              qCInfo(lcNet) << "ES9+ client hung up before its answer";
                      });
                  });
}

Es9PlusHttpServer::~Es9PlusHttpServer()
{
    d->pool.waitForDone();
}

void Es9PlusHttpServer::setTlsIdentity(const TlsIdentity &identity)
{
    d->tls = identity;
}

Result<quint16> Es9PlusHttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (!d->tls)
        return fail(QStringLiteral("ES9+ is served over HTTPS only; give the server a TLS certificate and key"));
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(d->tls->certificate);
    tls.setLocalCertificateChain(QList<QSslCertificate> { d->tls->certificate } + d->tls->chain);
    tls.setPrivateKey(d->tls->key);
    tls.setProtocol(QSsl::TlsV1_2OrLater); // SGP.22 section 2.6.6
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are authenticated by the protocol, not by TLS
    d->http.sslSetup(tls);
    const quint16 bound = d->http.listen(address, port);
    if (bound == 0)
        return fail(QStringLiteral("cannot listen on %1:%2 (in use, or not an address of this machine)").arg(address.toString()).arg(port));
    qCInfo(lcNet) << "ES9+ served on" << address.toString() << bound;
    return bound;
}

} // namespace simfleet::net
