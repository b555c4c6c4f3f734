#pragma once

// The TLS side of a served profile server in the ES9+ tests and the ES9+ bench: a TLS identity
// for "localhost" under a TLS root of its own (SGP.22 section 2.6.6: CERT.DP.TLS), and clients
// that trust that root and nothing else.

#include "crypto/demopki.h"
#include "net/es9plusclient.h"
#include "net/tlsidentity.h"

#include <QSslCertificate>
#include <QUrl>

namespace simfleet::testing::es9 {

struct TlsFixture
{
    crypto::CertifiedKey root;
    net::TlsIdentity identity;

    // name: the root's, and the organisation of the leaf (an operator, or its profile server).
    explicit TlsFixture(const QString &name = QStringLiteral("ES9 TLS"))
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const crypto::Validity validity { now.addDays(-1), now.addYears(1) };
        root = crypto::demopki::createCertificateIssuer(name, validity).value();
        auto leaf = crypto::demopki::createProfileServer(root, name, QStringLiteral("SE"), QStringLiteral("localhost"), validity).value();
        identity = net::TlsIdentity::fromPem(leaf.certificate.toPem(), leaf.key.toPem().view().toByteArray(), now).value();
    }

    QList<QSslCertificate> roots() const { return { QSslCertificate(root.certificate.toPem()) }; }

    // A client of the server on this loopback port, checking its certificate names "localhost".
    net::Es9PlusClient client(quint16 port, std::chrono::milliseconds timeout) const
    {
        return net::Es9PlusClient(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port)), { QSslCertificate(root.certificate.toPem()) },
                                  QStringLiteral("localhost"), timeout);
    }
};

} // namespace simfleet::testing::es9
