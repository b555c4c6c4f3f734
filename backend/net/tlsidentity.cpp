#include "tlsidentity.h"

#include "crypto/eckey.h"
#include "crypto/secretbytes.h"

#include <QFile>

namespace simfleet::net {

namespace {

Result<QByteArray> readAll(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read the %1 %2: %3").arg(what, path, file.errorString()));
    return file.readAll();
}

} // namespace

Result<TlsIdentity> TlsIdentity::fromPem(const QByteArray &certificatesPem, const QByteArray &keyPem, const QDateTime &now)
{
    // A DER file is accepted as well as PEM: the SGP.26 test material ships both.
    QList<QSslCertificate> certificates = QSslCertificate::fromData(certificatesPem, QSsl::Pem);
    if (certificates.isEmpty())
        certificates = QSslCertificate::fromData(certificatesPem, QSsl::Der);
    if (certificates.isEmpty())
        return fail(QStringLiteral("the TLS certificate file holds no certificate (PEM or DER)"));
    TlsIdentity identity;
    identity.certificate = certificates.takeFirst();
    identity.chain = certificates;
    const QString subject = identity.certificate.subjectDisplayName();
    if (identity.certificate.expiryDate() <= now)
        return fail(QStringLiteral("the TLS certificate %1 expired on %2; clients refuse it, so this server does too. Use a current "
                                   "certificate (--tls-cert, --tls-key)")
                        .arg(subject, identity.certificate.expiryDate().toUTC().toString(Qt::ISODate)));
    if (identity.certificate.effectiveDate() > now)
        return fail(QStringLiteral("the TLS certificate %1 is valid only from %2")
                        .arg(subject, identity.certificate.effectiveDate().toUTC().toString(Qt::ISODate)));
    // Read with simfleet's own key code first: it tells whether the key is the certificate's.
    auto key = crypto::EcPrivateKey::fromPem(keyPem);
    if (!key)
        return fail(QStringLiteral("the TLS key is not an unencrypted P-256 private key in PEM: %1").arg(key.errorMessage()));
    auto certified = crypto::EcPublicKey::fromSubjectPublicKeyInfo(identity.certificate.publicKey().toDer());
    if (!certified || !(certified.value() == key->publicKey()))
        return fail(QStringLiteral("the TLS key does not belong to the certificate %1").arg(subject));
    const crypto::SecretBytes pem = key->toPem();
    QByteArray copy = pem.view().toByteArray(); // QSslKey reads only a QByteArray; wiped at once
    identity.key = QSslKey(copy, QSsl::Ec, QSsl::Pem);
    copy.fill('\0');
    if (identity.key.isNull())
        return fail(QStringLiteral("Qt's TLS backend cannot read the TLS key"));
    return identity;
}

Result<TlsIdentity> TlsIdentity::fromFiles(const QString &certificateFile, const QString &keyFile, const QDateTime &now)
{
    auto certificates = readAll(certificateFile, QStringLiteral("TLS certificate"));
    if (!certificates)
        return certificates.error();
    auto key = readAll(keyFile, QStringLiteral("TLS key"));
    if (!key)
        return key.error();
    auto identity = fromPem(certificates.value(), key.value(), now);
    if (!identity)
        return fail(QStringLiteral("%1: %2").arg(certificateFile, identity.errorMessage()));
    return identity;
}

} // namespace simfleet::net
