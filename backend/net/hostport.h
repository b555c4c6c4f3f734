#pragma once

#include <QHostAddress>
#include <QString>

#include <optional>

namespace simfleet::net {

// A local address and port to listen on.
struct HostPort
{
    QHostAddress host;
    quint16 port = 0;
};

// ADDRESS:PORT, [IPv6]:PORT; port 0 asks the system for one. Nothing for anything else.
std::optional<HostPort> hostPort(const QString &text);
// HOST:PORT as a URL writes it ([IPv6]:PORT).
QString urlAuthority(const QHostAddress &address, quint16 port);

} // namespace simfleet::net
