#include "revocationlist.h"
#include "certificate.h"
#include "cryptoerror.h"
#include "eckey.h"
#include "osslhandles.h"

#include <openssl/pem.h>

namespace simfleet::crypto {

namespace {
std::shared_ptr<X509_CRL> share(X509_CRL *crl)
{
    return std::shared_ptr<X509_CRL>(crl, X509_CRL_free);
}
} // namespace

Result<RevocationList> RevocationList::issue(const Certificate &issuer, const EcPrivateKey &issuerKey,
                                             const QList<RevokedCertificate> &revoked,
                                             const QDateTime &thisUpdate, const QDateTime &nextUpdate)
{
    if (issuer.isNull() || issuerKey.isNull())
        return fail(QStringLiteral("a revocation list needs its issuer's certificate and key"));
    if (!(nextUpdate > thisUpdate))
        return fail(QStringLiteral("a revocation list's next update must come after this update"));

    ossl::X509Crl crl(X509_CRL_new());
    ossl::Asn1Time last(ASN1_TIME_set(nullptr, time_t(thisUpdate.toSecsSinceEpoch())));
    ossl::Asn1Time next(ASN1_TIME_set(nullptr, time_t(nextUpdate.toSecsSinceEpoch())));
    if (!crl || !last || !next || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1
        || X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.handle())) != 1
        || X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1
        || X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1)
        return fail(takeOpenSslError("revocation list creation failed"));

    for (const RevokedCertificate &r : revoked) {
        ossl::X509Revoked entry(X509_REVOKED_new());
        ossl::Bn bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(r.serialNumber.constData()),
                              int(r.serialNumber.size()), nullptr));
        ossl::Asn1Integer serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
        ossl::Asn1Time when(ASN1_TIME_set(nullptr, time_t(r.revokedAt.toSecsSinceEpoch())));
        if (!entry || !serial || !when || X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1
            || X509_REVOKED_set_revocationDate(entry.get(), when.get()) != 1
            || X509_CRL_add0_revoked(crl.get(), entry.get()) != 1)
            return fail(takeOpenSslError("revocation list entry could not be added"));
        entry.release(); // owned by the CRL now
    }

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer.handle(), nullptr, nullptr, crl.get(), 0);
    ossl::X509Extension aki(X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
    if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1 || X509_CRL_sort(crl.get()) != 1
        || X509_CRL_sign(crl.get(), issuerKey.handle(), ossl::sha256()) <= 0)
        return fail(takeOpenSslError("revocation list signing failed"));

    RevocationList list;
    list.m_crl = share(crl.release());
    return list;
}

Result<RevocationList> RevocationList::fromDer(QByteArrayView der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    X509_CRL *raw = d2i_X509_CRL(nullptr, &p, long(der.size()));
    if (!raw) {
        clearOpenSslErrors();
        return fail(QStringLiteral("not a DER certificate revocation list (truncated or damaged)"));
    }
    RevocationList list;
    list.m_crl = share(raw);
    return list;
}

Result<RevocationList> RevocationList::fromPem(QByteArrayView pem)
{
    ossl::Bio bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    X509_CRL *raw = bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!raw) {
        clearOpenSslErrors();
        return fail(QStringLiteral("no PEM revocation list found (expected -----BEGIN X509 CRL-----)"));
    }
    RevocationList list;
    list.m_crl = share(raw);
    return list;
}

Result<RevocationList> RevocationList::fromFileContents(QByteArrayView contents)
{
    return contents.contains("-----BEGIN") ? fromPem(contents) : fromDer(contents);
}

QByteArray RevocationList::toDer() const
{
    return ossl::derBytes(m_crl.get(), i2d_X509_CRL);
}

QByteArray RevocationList::toPem() const
{
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!m_crl || !bio || PEM_write_bio_X509_CRL(bio.get(), m_crl.get()) != 1)
        return {};
    return ossl::memoryBioContents(bio.get());
}

namespace {
QDateTime fromAsn1(const ASN1_TIME *t)
{
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return {};
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), QTime(tm.tm_hour, tm.tm_min, tm.tm_sec),
                     Qt::UTC);
}
} // namespace

QString RevocationList::issuerText() const
{
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!m_crl || !bio || X509_NAME_print_ex(bio.get(), X509_CRL_get_issuer(m_crl.get()), 0, XN_FLAG_RFC2253) < 0)
        return {};
    return QString::fromUtf8(ossl::memoryBioContents(bio.get()));
}

QDateTime RevocationList::thisUpdate() const
{
    return m_crl ? fromAsn1(X509_CRL_get0_lastUpdate(m_crl.get())) : QDateTime();
}

QDateTime RevocationList::nextUpdate() const
{
    return m_crl ? fromAsn1(X509_CRL_get0_nextUpdate(m_crl.get())) : QDateTime();
}

Result<void> RevocationList::checkIssuedBy(const Certificate &issuer, const QDateTime &time) const
{
    if (!m_crl || issuer.isNull())
        return fail(QStringLiteral("no revocation list"));
    if (X509_NAME_cmp(X509_CRL_get_issuer(m_crl.get()), X509_get_subject_name(issuer.handle())) != 0)
        return fail(QStringLiteral("the revocation list was issued by someone else"));
    const EcPublicKey key = issuer.publicKey();
    if (key.isNull() || X509_CRL_verify(m_crl.get(), key.handle()) != 1) {
        clearOpenSslErrors();
        return fail(QStringLiteral("the revocation list's signature does not verify"));
    }
    if (time < thisUpdate() || time >= nextUpdate())
        return fail(QStringLiteral("the revocation list is not current (valid %1 to %2)")
                        .arg(thisUpdate().toString(Qt::ISODate), nextUpdate().toString(Qt::ISODate)));
    return {};
}

bool RevocationList::lists(const Certificate &cert) const
{
    X509_REVOKED *entry = nullptr;
    return m_crl && !cert.isNull() && X509_CRL_get0_by_cert(m_crl.get(), &entry, cert.handle()) == 1;
}

} // namespace simfleet::crypto
