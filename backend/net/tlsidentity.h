#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>

namespace simfleet::net {

// The TLS certificate (with the chain sent after it) and key a served profile server presents
// (SGP.22 section 2.6.6: CERT.DP.TLS). Refused when it is not valid now or the key is not its.
struct TlsIdentity
{
    QSslCertificate certificate;
    QList<QSslCertificate> chain; // the intermediates after the certificate, if any
    QSslKey key;

    static Result<TlsIdentity> fromPem(const QByteArray &certificatesPem, const QByteArray &keyPem, const QDateTime &now);
    static Result<TlsIdentity> fromFiles(const QString &certificateFile, const QString &keyFile, const QDateTime &now);
};

} // namespace simfleet::net
