#include "certificate.h"
#include "cryptoerror.h"
#include "osslhandles.h"
#include "random.h"
#include "sha256.h"

#include <openssl/pem.h>
#include <openssl/sha.h>

#include <array>
#include <memory>

#include <QCache>
#include <QHashFunctions>
#include <QMutex>
#include <QTimeZone>

namespace simfleet::crypto {

namespace {

std::shared_ptr<X509> holdCertificate(X509 *cert)
{
    return std::shared_ptr<X509>(cert, X509_free);
}

QString nameEntry(const X509_NAME *name, int nid)
{
    const int index = X509_NAME_get_index_by_NID(name, nid, -1);
    if (index < 0)
        return {};
    const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char *utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0)
        return {};
    QString out = QString::fromUtf8(reinterpret_cast<const char *>(utf8), len);
    OPENSSL_free(utf8);
    return out;
}

DistinguishedName toDistinguishedName(const X509_NAME *name)
{
    if (!name)
        return {};
    return { nameEntry(name, NID_countryName), nameEntry(name, NID_organizationName),
             nameEntry(name, NID_organizationalUnitName), nameEntry(name, NID_commonName),
             nameEntry(name, NID_serialNumber) };
}

QString oneLine(const X509_NAME *name)
{
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0)
        return {};
    return QString::fromUtf8(ossl::memoryBioContents(bio.get()));
}

QDateTime fromAsn1Time(const ASN1_TIME *t)
{
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return {};
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
                     QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

bool addEntry(X509_NAME *name, int nid, const QString &value)
{
    if (value.isEmpty())
        return true;
    const QByteArray utf8 = value.toUtf8();
    // countryName and serialNumber are PrintableString in X.520; the rest UTF8String.
    const int type = (nid == NID_countryName || nid == NID_serialNumber) ? V_ASN1_PRINTABLESTRING : MBSTRING_UTF8;
    return X509_NAME_add_entry_by_NID(name, nid, type, reinterpret_cast<const unsigned char *>(utf8.constData()),
                                      int(utf8.size()), -1, 0)
        == 1;
}

ossl::X509Name makeName(const DistinguishedName &dn)
{
    ossl::X509Name name(X509_NAME_new());
    if (!name || !addEntry(name.get(), NID_countryName, dn.country)
        || !addEntry(name.get(), NID_organizationName, dn.organization)
        || !addEntry(name.get(), NID_organizationalUnitName, dn.organizationalUnit)
        || !addEntry(name.get(), NID_commonName, dn.commonName)
        || !addEntry(name.get(), NID_serialNumber, dn.serialNumber))
        return nullptr;
    return name;
}

bool addConfExtension(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    ossl::X509Extension ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// permittedSubtrees { directoryName { O = manufacturer, serialNumber = EID prefix } }, the
// form SGP.22 section 4.5.2.1.0.2 gives the EUM certificate.
bool addEidNameConstraint(X509 *cert, const QString &organization, const QString &prefix)
{
    ossl::NameConstraints nc(NAME_CONSTRAINTS_new());
    GENERAL_SUBTREE *subtree = GENERAL_SUBTREE_new();
    if (!nc || !subtree)
        return false;
    nc->permittedSubtrees = sk_GENERAL_SUBTREE_new_null();
    if (!nc->permittedSubtrees || !sk_GENERAL_SUBTREE_push(nc->permittedSubtrees, subtree)) {
        GENERAL_SUBTREE_free(subtree);
        return false;
    }
    ossl::X509Name dir = makeName(DistinguishedName { {}, organization, {}, {}, prefix });
    if (!dir)
        return false;
    subtree->base->type = GEN_DIRNAME;
    subtree->base->d.directoryName = dir.release();
    return X509_add1_ext_i2d(cert, NID_name_constraints, nc.get(), 1, X509V3_ADD_DEFAULT) == 1;
}

// certificatePolicies needs a config database through the text interface, so it is built
// directly: one policy OID naming the role (SGP.22 section 4.5.2.1.0.1, id-rspRole-*).
bool addRolePolicy(X509 *cert, const char *oid)
{
    std::unique_ptr<CERTIFICATEPOLICIES, ossl::Deleter<CERTIFICATEPOLICIES_free>> policies(CERTIFICATEPOLICIES_new());
    POLICYINFO *info = POLICYINFO_new();
    if (!policies || !info)
        return false;
    if (!sk_POLICYINFO_push(policies.get(), info)) {
        POLICYINFO_free(info);
        return false;
    }
    ASN1_OBJECT_free(info->policyid);
    info->policyid = OBJ_txt2obj(oid, 1);
    return info->policyid && X509_add1_ext_i2d(cert, NID_certificate_policies, policies.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

bool addRoleExtensions(X509 *cert, X509V3_CTX *ctx, const CertificateTemplate &t)
{
    switch (t.role) {
    case CertificateRole::CertificateIssuer:
        return addConfExtension(cert, ctx, NID_basic_constraints, "critical,CA:TRUE")
            && addConfExtension(cert, ctx, NID_key_usage, "critical,keyCertSign,cRLSign")
            && addRolePolicy(cert, "2.23.146.1.2.1.0");
    case CertificateRole::Manufacturer:
        return addConfExtension(cert, ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0")
            && addConfExtension(cert, ctx, NID_key_usage, "critical,keyCertSign,cRLSign")
            && addRolePolicy(cert, "2.23.146.1.2.1.2")
            && addEidNameConstraint(cert, t.subject.organization, t.permittedEidPrefix);
    case CertificateRole::Device:
        return addConfExtension(cert, ctx, NID_basic_constraints, "critical,CA:FALSE")
            && addConfExtension(cert, ctx, NID_key_usage, "critical,digitalSignature,keyAgreement")
            && addRolePolicy(cert, "2.23.146.1.2.1.1");
    case CertificateRole::ProfileServer:
        return addConfExtension(cert, ctx, NID_basic_constraints, "critical,CA:FALSE")
            && addConfExtension(cert, ctx, NID_key_usage, "critical,digitalSignature")
            && addRolePolicy(cert, "2.23.146.1.2.1.4");
    }
    return false;
}

Result<void> checkTemplate(const CertificateTemplate &t, const Certificate &issuer, const EcPrivateKey &issuerKey)
{
    if (t.subjectKey.isNull())
        return fail(QStringLiteral("certificate needs a subject public key"));
    if (issuerKey.isNull())
        return fail(QStringLiteral("certificate needs an issuer key to sign with"));
    if (!t.notBefore.isValid() || !t.notAfter.isValid() || t.notAfter <= t.notBefore)
        return fail(QStringLiteral("certificate validity must end after it begins"));
    if (t.role == CertificateRole::CertificateIssuer && !issuer.isNull())
        return fail(QStringLiteral("a certificate issuer root is self-signed; pass no issuer"));
    if (t.role != CertificateRole::CertificateIssuer && issuer.isNull())
        return fail(QStringLiteral("only a certificate issuer root may be self-signed"));
    if (!issuer.isNull() && !issuer.isCertificateAuthority())
        return fail(QStringLiteral("the issuer certificate is not a certificate authority"));
    if (t.role == CertificateRole::Manufacturer) {
        if (t.permittedEidPrefix.isEmpty() || t.permittedEidPrefix.size() > 30
            || !std::all_of(t.permittedEidPrefix.cbegin(), t.permittedEidPrefix.cend(),
                            [](QChar c) { return c.isDigit(); }))
            return fail(QStringLiteral("a manufacturer certificate needs an EID prefix of 1 to 30 digits"));
        if (t.subject.organization.isEmpty())
            return fail(QStringLiteral("a manufacturer certificate needs the manufacturer's organization name"));
    }
    return {};
}

} // namespace

namespace {

// Parsing a certificate costs OpenSSL 3 about as much as verifying a signature, and the same
// manufacturer and profile-server certificates arrive with every message, a device's own with
// each of its steps. Certificates are immutable and shared, so recent encodings are reused.
// Every attestation and download thread asks this cache, so it is split in shards by hash, each
// with its own lock, and the key is made before a lock is taken: one lock made threads queue up
// behind each other's lookups and evictions until a core went idle.
class RecentCertificates
{
public:
    std::optional<Certificate> find(QByteArrayView der)
    {
        const QByteArray key = der.toByteArray();
        Shard &shard = shardFor(key);
        QMutexLocker lock(&shard.mutex);
        if (const Certificate *c = shard.cache.object(key))
            return *c;
        return std::nullopt;
    }
    void insert(QByteArrayView der, const Certificate &cert)
    {
        const QByteArray key = der.toByteArray();
        auto copy = std::make_unique<Certificate>(cert);
        Shard &shard = shardFor(key);
        QMutexLocker lock(&shard.mutex);
        shard.cache.insert(key, copy.release());
    }

private:
    static constexpr std::size_t shardCount = 16;
    struct Shard
    {
        QMutex mutex;
        QCache<QByteArray, Certificate> cache { 4096 / shardCount };
    };
    Shard &shardFor(const QByteArray &key) { return m_shards[qHash(key) % shardCount]; }

    std::array<Shard, shardCount> m_shards;
};

RecentCertificates &recentCertificates()
{
    static RecentCertificates cache;
    return cache;
}

} // namespace

Result<Certificate> Certificate::fromDer(QByteArrayView der)
{
    if (auto known = recentCertificates().find(der))
        return *known;
    Result<Certificate> parsed = parseDer(der);
    if (parsed)
        recentCertificates().insert(der, parsed.value());
    return parsed;
}

Result<Certificate> Certificate::parseDer(QByteArrayView der)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.data());
    X509 *raw = d2i_X509(nullptr, &p, long(der.size()));
    if (!raw) {
        clearOpenSslErrors();
        return fail(QStringLiteral("not a DER X.509 certificate (truncated or damaged)"));
    }
    Certificate cert = adopt(raw);
    if (p != reinterpret_cast<const unsigned char *>(der.data()) + der.size())
        return fail(QStringLiteral("unexpected bytes after the DER certificate"));
    return cert;
}

Result<QList<Certificate>> Certificate::listFromPem(QByteArrayView pem)
{
    ossl::Bio bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    QList<Certificate> certs;
    while (bio) {
        X509 *raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
        if (!raw)
            break;
        certs.append(adopt(raw));
    }
    clearOpenSslErrors();
    if (certs.isEmpty())
        return fail(QStringLiteral("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)"));
    return certs;
}

Result<Certificate> Certificate::fromFileContents(QByteArrayView contents)
{
    if (!contents.contains("-----BEGIN"))
        return parseDer(contents);
    if (!contents.contains("-----BEGIN CERTIFICATE-----") && contents.contains("PRIVATE KEY-----"))
        return fail(QStringLiteral("the file holds a private key, not a certificate; give the certificate file "
                                   "(simfleet needs no private key to trust it and did not read this one)"));
    return fromPem(contents);
}

Result<Certificate> Certificate::fromPem(QByteArrayView pem)
{
    auto list = listFromPem(pem);
    if (!list)
        return list.error();
    return list->first();
}

QByteArray Certificate::toDer() const
{
    return ossl::derBytes(m_cert.get(), i2d_X509);
}

QByteArray Certificate::toPem() const
{
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!m_cert || !bio || PEM_write_bio_X509(bio.get(), m_cert.get()) != 1)
        return {};
    return ossl::memoryBioContents(bio.get());
}

DistinguishedName Certificate::subject() const
{
    return m_cert ? toDistinguishedName(X509_get_subject_name(m_cert.get())) : DistinguishedName {};
}

DistinguishedName Certificate::issuer() const
{
    return m_cert ? toDistinguishedName(X509_get_issuer_name(m_cert.get())) : DistinguishedName {};
}

QString Certificate::subjectText() const
{
    return m_cert ? oneLine(X509_get_subject_name(m_cert.get())) : QString();
}

QString Certificate::issuerText() const
{
    return m_cert ? oneLine(X509_get_issuer_name(m_cert.get())) : QString();
}

QByteArray Certificate::serialNumber() const
{
    if (!m_cert)
        return {};
    ossl::Bn bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(m_cert.get()), nullptr));
    if (!bn)
        return {};
    QByteArray out(BN_num_bytes(bn.get()), Qt::Uninitialized);
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char *>(out.data()));
    return out;
}

QDateTime Certificate::notBefore() const
{
    return m_cert ? fromAsn1Time(X509_get0_notBefore(m_cert.get())) : QDateTime();
}

QDateTime Certificate::notAfter() const
{
    return m_cert ? fromAsn1Time(X509_get0_notAfter(m_cert.get())) : QDateTime();
}

bool Certificate::isCertificateAuthority() const
{
    return m_cert && X509_check_ca(m_cert.get()) > 0;
}

EcPublicKey Certificate::publicKey() const
{
    if (!m_cert)
        return {};
    EVP_PKEY *key = X509_get_pubkey(m_cert.get());
    return key ? EcPublicKey::adopt(key) : EcPublicKey();
}

std::optional<QString> Certificate::permittedEidPrefix() const
{
    if (!m_cert)
        return std::nullopt;
    ossl::NameConstraints nc(
        static_cast<NAME_CONSTRAINTS *>(X509_get_ext_d2i(m_cert.get(), NID_name_constraints, nullptr, nullptr)));
    if (!nc || !nc->permittedSubtrees)
        return std::nullopt;
    for (int i = 0; i < sk_GENERAL_SUBTREE_num(nc->permittedSubtrees); ++i) {
        const GENERAL_SUBTREE *subtree = sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, i);
        if (subtree->base->type != GEN_DIRNAME)
            continue;
        const QString prefix = nameEntry(subtree->base->d.directoryName, NID_serialNumber);
        if (!prefix.isEmpty())
            return prefix;
    }
    return std::nullopt;
}

QStringList Certificate::policies() const
{
    if (!m_cert)
        return {};
    std::unique_ptr<CERTIFICATEPOLICIES, ossl::Deleter<CERTIFICATEPOLICIES_free>> policies(
        static_cast<CERTIFICATEPOLICIES *>(X509_get_ext_d2i(m_cert.get(), NID_certificate_policies, nullptr, nullptr)));
    QStringList out;
    for (int i = 0; policies && i < sk_POLICYINFO_num(policies.get()); ++i) {
        char oid[64];
        if (OBJ_obj2txt(oid, sizeof oid, sk_POLICYINFO_value(policies.get(), i)->policyid, 1) > 0)
            out.append(QString::fromLatin1(oid));
    }
    return out;
}

std::optional<CertificateRole> Certificate::role() const
{
    static const std::pair<QLatin1StringView, CertificateRole> roles[] = {
        { QLatin1StringView("2.23.146.1.2.1.0"), CertificateRole::CertificateIssuer },
        { QLatin1StringView("2.23.146.1.2.1.2"), CertificateRole::Manufacturer },
        { QLatin1StringView("2.23.146.1.2.1.1"), CertificateRole::Device },
        { QLatin1StringView("2.23.146.1.2.1.4"), CertificateRole::ProfileServer },
    };
    for (const QString &oid : policies()) {
        for (const auto &[text, role] : roles) {
            if (oid == text)
                return role;
        }
    }
    return std::nullopt;
}

QByteArray Certificate::keyIdentifier() const
{
    if (!m_cert)
        return {};
    if (const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(m_cert.get()))
        return QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(ski)), ASN1_STRING_length(ski));
    unsigned char digest[SHA_DIGEST_LENGTH];
    unsigned int length = 0;
    if (X509_pubkey_digest(m_cert.get(), EVP_sha1(), digest, &length) != 1) {
        clearOpenSslErrors();
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(digest), int(length));
}

QByteArray Certificate::authorityKeyIdentifier() const
{
    if (!m_cert)
        return {};
    const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(m_cert.get());
    return aki ? QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(aki)), ASN1_STRING_length(aki)) : QByteArray();
}

QByteArray Certificate::sha256Fingerprint() const
{
    return sha256(toDer());
}

bool Certificate::operator==(const Certificate &other) const
{
    if (!m_cert || !other.m_cert)
        return !m_cert && !other.m_cert;
    return X509_cmp(m_cert.get(), other.m_cert.get()) == 0;
}

Certificate Certificate::share(x509_st *cert)
{
    if (!cert || X509_up_ref(cert) != 1)
        return {};
    return adopt(cert);
}

Certificate Certificate::adopt(x509_st *cert)
{
    Certificate c;
    c.m_cert = holdCertificate(cert);
    return c;
}

Result<Certificate> issueCertificate(const CertificateTemplate &tmpl, const Certificate &issuer,
                                     const EcPrivateKey &issuerKey)
{
    if (auto ok = checkTemplate(tmpl, issuer, issuerKey); !ok)
        return ok.error();

    ossl::X509Ptr cert(X509_new());
    ossl::X509Name subject = makeName(tmpl.subject);
    if (!cert || !subject)
        return fail(takeOpenSslError("certificate creation failed"));

    QByteArray serial = tmpl.serialNumber.isEmpty() ? randomBytes(16) : tmpl.serialNumber;
    serial[0] = char(serial[0] & 0x7f); // positive INTEGER (RFC 5280 section 4.1.2.2)
    ossl::Bn serialBn(BN_bin2bn(reinterpret_cast<const unsigned char *>(serial.constData()), int(serial.size()), nullptr));
    ossl::Asn1Integer serialInt(serialBn ? BN_to_ASN1_INTEGER(serialBn.get(), nullptr) : nullptr);
    ossl::Asn1Time notBefore(ASN1_TIME_set(nullptr, time_t(tmpl.notBefore.toSecsSinceEpoch())));
    ossl::Asn1Time notAfter(ASN1_TIME_set(nullptr, time_t(tmpl.notAfter.toSecsSinceEpoch())));

    X509 *issuerCert = issuer.isNull() ? cert.get() : issuer.handle();
    if (!serialInt || !notBefore || !notAfter || X509_set_version(cert.get(), X509_VERSION_3) != 1
        || X509_set_serialNumber(cert.get(), serialInt.get()) != 1
        || X509_set_subject_name(cert.get(), subject.get()) != 1
        || X509_set_issuer_name(cert.get(), issuer.isNull() ? subject.get() : X509_get_subject_name(issuerCert)) != 1
        || X509_set1_notBefore(cert.get(), notBefore.get()) != 1
        || X509_set1_notAfter(cert.get(), notAfter.get()) != 1
        || X509_set_pubkey(cert.get(), tmpl.subjectKey.handle()) != 1)
        return fail(takeOpenSslError("certificate creation failed"));

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuerCert, cert.get(), nullptr, nullptr, 0);
    if (!addRoleExtensions(cert.get(), &ctx, tmpl)
        || !addConfExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash")
        || (!issuer.isNull() && !addConfExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always")))
        return fail(takeOpenSslError("certificate extensions could not be added"));

    if (X509_sign(cert.get(), issuerKey.handle(), ossl::sha256()) <= 0)
        return fail(takeOpenSslError("certificate signing failed"));
    if (!issuer.isNull() && !(issuer.publicKey() == issuerKey.publicKey()))
        return fail(QStringLiteral("the issuer key does not belong to the issuer certificate"));
    return Certificate::adopt(cert.release());
}

} // namespace simfleet::crypto
